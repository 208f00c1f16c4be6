import { randomUUID } from "node:crypto";
import { Type, type Static } from "@sinclair/typebox";
import { Ajv } from "ajv";
import type { Logger } from "pino";
import { readJsonFile, withFileLock, writeJsonFileAtomic, type SetAside } from "../state/json-file.ts";
import { describeSchemaErrors } from "../util/schema-errors.ts";

export { describeDuration } from "../util/duration.ts";

const TimerSchema = Type.Object({
    id: Type.String({ minLength: 1 }),
    /** Optional name ("pasta"). */
    label: Type.String(),
    durationMs: Type.Number({ minimum: 0 }),
    createdAt: Type.Number(),
    endsAt: Type.Number()
});
const TimersFileSchema = Type.Array(TimerSchema);
const validateTimers = new Ajv({ allErrors: true }).compile(TimersFileSchema);

/** A countdown timer. Times are epoch milliseconds so they survive a restart. */
export type Timer = Static<typeof TimerSchema>;

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
    private readonly notices: string[] = [];

    public constructor(private readonly options: TimerServiceOptions) {
        this.now = options.now ?? Date.now;
    }

    /** Running timers, soonest first. */
    public async list(): Promise<Timer[]> {
        return (await this.locked(() => this.read())).sort((a, b) => a.endsAt - b.endsAt);
    }

    public async add(durationMs: number, label = ""): Promise<Timer> {
        const now = this.now();
        const timer: Timer = { id: randomUUID(), label, durationMs, createdAt: now, endsAt: now + durationMs };
        await this.locked(() => this.write([...this.read(), timer]));
        this.reschedule();
        this.options.log.info({ timer }, "timer set");
        return timer;
    }

    /** Removes the given timers; returns those removed. */
    public async cancel(ids: readonly string[]): Promise<Timer[]> {
        const removed = await this.locked(() => {
            const timers = this.read();
            this.write(timers.filter((t) => !ids.includes(t.id)));
            return timers.filter((t) => ids.includes(t.id));
        });
        this.reschedule();
        return removed;
    }

    /**
     * What the user should hear about the timers file and has not yet: a file that could not be read was moved
     * aside ("I could not read the saved timers; I moved the file to …"). Each is given once.
     */
    public takeNotices(): string[] {
        return this.notices.splice(0);
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

    /** Arms a timeout for each timer in the file and drops those of timers gone from it. */
    private reschedule(): void {
        if (this.listener == null) return;
        void this.locked(() => this.read()).then((timers) => {
            if (this.listener == null) return;
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
                this.scheduled.set(timer.id, setTimeout(() => void this.ring(timer.id), Math.min(delay, 2 ** 31 - 1)));
            }
        }, (error: unknown) => this.options.log.error({ err: error }, "could not read the timers file; trying again in a second"));
    }

    private async ring(id: string): Promise<void> {
        this.scheduled.delete(id);
        let due: Timer | null;
        try {
            // Taken out of the file under the lock, so only one process rings it.
            due = await this.locked(() => {
                const timers = this.read();
                const timer = timers.find((t) => t.id === id);
                if (timer == null || timer.endsAt > this.now()) return null;
                this.write(timers.filter((t) => t.id !== id));
                return timer;
            });
        } catch (error) {
            this.options.log.error({ err: error, id }, "could not update the timers file; the timer rings at the next check");
            due = null;
        }
        if (due == null) {
            // Cancelled, not due yet (a timer longer than setTimeout holds), or the file could not be updated.
            this.reschedule();
            return;
        }
        const late = this.now() - due.endsAt > LATE_AFTER_MS;
        this.options.log.info({ timer: due, late }, "timer done");
        this.listener?.(due, late);
    }

    private locked<T>(fn: () => T): Promise<T> {
        return withFileLock(this.options.file, fn);
    }

    private read(): Timer[] {
        return readJsonFile<Timer[]>(this.options.file, {
            fallback: [],
            check: (value) => (validateTimers(value) ? null : describeSchemaErrors(validateTimers.errors, TimersFileSchema).join("; ")),
            onSetAside: (problem: SetAside) => {
                this.options.log.error({ backup: problem.backup, reason: problem.reason }, "the timers file could not be read; moved aside");
                this.notices.push(`I could not read the saved timers, so any timers set before are lost; I moved the file to ${problem.backup}.`);
            }
        });
    }

    private write(timers: Timer[]): void {
        writeJsonFileAtomic(this.options.file, timers);
    }
}
