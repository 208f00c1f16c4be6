import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { readJsonFile, writeJsonFileAtomic } from "../state/json-file.ts";

/** A countdown timer. Times are epoch milliseconds so they survive a restart. */
export interface Timer {
    id: string;
    /** Optional name ("pasta"). */
    label: string;
    durationMs: number;
    createdAt: number;
    endsAt: number;
}

/** Called when a timer rings; `late` is true for a timer that ended while hark was not running. */
export type TimerListener = (timer: Timer, late: boolean) => void;

/** Options for {@link TimerService}. */
export interface TimerServiceOptions {
    /** JSON file the timers live in; every process (daemon, `hark ask`) shares it. */
    file: string;
    log: Logger;
    /** Clock, for tests. Defaults to `Date.now`. */
    now?: () => number;
}

/** How late a timer may ring before it is announced as missed rather than done. */
const LATE_AFTER_MS = 5_000;

/** How often a ringing service looks for timers other processes added or cancelled. */
const WATCH_INTERVAL_MS = 1_000;

/**
 * Timers kept in a file. Any process may add or cancel; only a process that called {@link start} rings them,
 * and it notices timers added by others when the file changes.
 */
export class TimerService {
    private readonly scheduled = new Map<string, NodeJS.Timeout>();
    private listener: TimerListener | null = null;
    private watcher: NodeJS.Timeout | null = null;
    private readonly now: () => number;

    public constructor(private readonly options: TimerServiceOptions) {
        this.now = options.now ?? Date.now;
    }

    /** Running timers, soonest first. */
    public list(): Timer[] {
        return this.read().sort((a, b) => a.endsAt - b.endsAt);
    }

    public add(durationMs: number, label = ""): Timer {
        const now = this.now();
        const timer: Timer = { id: randomUUID(), label, durationMs, createdAt: now, endsAt: now + durationMs };
        this.write([...this.read(), timer]);
        this.reschedule();
        this.options.log.info({ timer }, "timer set");
        return timer;
    }

    /** Removes the given timers; returns those removed. */
    public cancel(ids: readonly string[]): Timer[] {
        const timers = this.read();
        const removed = timers.filter((t) => ids.includes(t.id));
        this.write(timers.filter((t) => !ids.includes(t.id)));
        this.reschedule();
        return removed;
    }

    /** Begins ringing timers (the daemon does this); timers that ended while nobody listened ring at once, marked late. */
    public start(listener: TimerListener): void {
        this.listener = listener;
        // Re-reading the (small) file once a second needs no file watcher: fs.watchFile missed another process's
        // timer on the CI machine, and inotify is not on every filesystem a data folder may live on.
        this.watcher = setInterval(() => this.reschedule(), WATCH_INTERVAL_MS);
        this.watcher.unref();
        this.reschedule();
    }

    /** Stops ringing; timers stay in the file. */
    public stop(): void {
        this.listener = null;
        if (this.watcher) clearInterval(this.watcher);
        this.watcher = null;
        for (const handle of this.scheduled.values()) clearTimeout(handle);
        this.scheduled.clear();
    }

    private reschedule(): void {
        if (this.listener == null) return;
        const timers = this.read();
        const ids = new Set(timers.map((t) => t.id));
        for (const [id, handle] of this.scheduled) {
            if (!ids.has(id)) {
                clearTimeout(handle);
                this.scheduled.delete(id);
            }
        }
        for (const timer of timers) {
            if (this.scheduled.has(timer.id)) continue;
            const delay = Math.max(0, timer.endsAt - this.now());
            // setTimeout holds at most ~24.8 days; longer timers are re-armed when they get closer.
            this.scheduled.set(timer.id, setTimeout(() => this.ring(timer.id), Math.min(delay, 2 ** 31 - 1)));
        }
    }

    private ring(id: string): void {
        this.scheduled.delete(id);
        const timer = this.read().find((t) => t.id === id);
        if (timer == null) return;
        if (timer.endsAt > this.now()) {
            this.reschedule();
            return;
        }
        this.write(this.read().filter((t) => t.id !== id));
        const late = this.now() - timer.endsAt > LATE_AFTER_MS;
        this.options.log.info({ timer, late }, "timer done");
        this.listener?.(timer, late);
    }

    private read(): Timer[] {
        return readJsonFile<Timer[]>(this.options.file, [], (backup, error) =>
            this.options.log.error({ backup, err: error }, "timers file was corrupt; moved aside"));
    }

    private write(timers: Timer[]): void {
        writeJsonFileAtomic(this.options.file, timers);
    }
}

/** "1 hour and 30 minutes", "5 minutes", "45 seconds". */
export function describeDuration(ms: number): string {
    let seconds = Math.round(ms / 1000);
    const hours = Math.floor(seconds / 3600);
    seconds -= hours * 3600;
    const minutes = Math.floor(seconds / 60);
    seconds -= minutes * 60;
    const parts = [
        hours ? `${hours} hour${hours === 1 ? "" : "s"}` : "",
        minutes ? `${minutes} minute${minutes === 1 ? "" : "s"}` : "",
        seconds ? `${seconds} second${seconds === 1 ? "" : "s"}` : ""
    ].filter(Boolean);
    if (parts.length === 0) return "0 seconds";
    return parts.length === 1 ? parts[0]! : `${parts.slice(0, -1).join(", ")} and ${parts.at(-1)}`;
}
