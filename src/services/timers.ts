import { randomUUID } from "node:crypto";
import { Type, type Static } from "@sinclair/typebox";
import type { Logger } from "pino";
import { readJsonFile, withFileLock, writeJsonFileAtomic, type SetAside } from "../state/json-file.ts";
import { describeDuration, durationMs, spokenList, type DurationArgs } from "../util/duration.ts";
import { describeSchemaErrors } from "../util/schema-errors.ts";
import { compiledOnUse } from "../util/validator.ts";

export { describeDuration };

const TimerSchema = Type.Object({
    id: Type.String({ minLength: 1 }),
    /** Optional name ("pasta"). */
    label: Type.String(),
    durationMs: Type.Number({ minimum: 0 }),
    createdAt: Type.Number(),
    /** When it rings; meaningless while it is paused. */
    endsAt: Type.Number(),
    /** Set while the timer is paused: the time it had left when paused. */
    pausedRemainingMs: Type.Optional(Type.Number({ minimum: 0 })),
    /** The room it was set in (a satellite's name): it rings there. Absent: this machine. */
    room: Type.Optional(Type.String())
});
const TimersFileSchema = Type.Array(TimerSchema);
const validateTimers = compiledOnUse<Static<typeof TimersFileSchema>>("timers-file", TimersFileSchema, { allErrors: true });

/** A countdown timer. Times are epoch milliseconds so they survive a restart. */
export type Timer = Static<typeof TimerSchema>;

/** Called when a timer rings; `late` is true for a timer that ended while hark was not running. */
export type TimerListener = (timer: Timer, late: boolean) => void;

/**
 * A change to the timers, by any process, for whatever shows them (a satellite's LEDs): set, changed (paused, resumed,
 * time added or taken off), cancelled, or rung. Seen by a ringing service ({@link TimerService.start}) only.
 */
export interface TimerChange {
    kind: "started" | "updated" | "cancelled" | "finished";
    timer: Timer;
}

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
    /** Armed timeouts by timer id, with the end time each was armed for. */
    private readonly scheduled = new Map<string, { handle: NodeJS.Timeout; endsAt: number }>();
    private listener: TimerListener | null = null;
    private watcher: NodeJS.Timeout | null = null;
    private readonly now: () => number;
    private readonly notices: string[] = [];
    private readonly changeListeners = new Set<(change: TimerChange) => void>();
    /** The timers as last read, to tell what changed. */
    private known = new Map<string, Timer>();
    /** Timers being rung: gone from the file, but not cancelled. */
    private readonly ringing = new Set<string>();

    public constructor(private readonly options: TimerServiceOptions) {
        this.now = options.now ?? Date.now;
    }

    /** Running timers, soonest first. */
    public async list(): Promise<Timer[]> {
        return (await this.locked(() => this.read())).sort((a, b) => a.endsAt - b.endsAt);
    }

    /** Sets a timer; `room` (a satellite's name) makes it ring in that room. */
    public async add(durationMs: number, label = "", room?: string): Promise<Timer> {
        const now = this.now();
        const timer: Timer = { id: randomUUID(), label, durationMs, createdAt: now, endsAt: now + durationMs, ...(room ? { room } : {}) };
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

    /** Pauses the given running timers, keeping what each had left; returns those paused. */
    public async pause(ids: readonly string[]): Promise<Timer[]> {
        const now = this.now();
        return this.update(ids, (t) => (t.pausedRemainingMs != null ? null : { ...t, pausedRemainingMs: Math.max(0, t.endsAt - now) }));
    }

    /** Starts the given paused timers again from where they were; returns those resumed. */
    public async resume(ids: readonly string[]): Promise<Timer[]> {
        const now = this.now();
        return this.update(ids, (t) => {
            if (t.pausedRemainingMs == null) return null;
            const { pausedRemainingMs, ...running } = t;
            return { ...running, endsAt: now + pausedRemainingMs };
        });
    }

    /**
     * Adds `deltaMs` (negative: takes it off) to what a timer has left, paused or not. Returns the timer as it is now,
     * or `null` when it is gone or taking the time off would leave nothing (the timer is left as it was).
     */
    public async adjust(id: string, deltaMs: number): Promise<Timer | null> {
        const now = this.now();
        const [changed] = await this.update([id], (t) => {
            const left = remainingMs(t, now) + deltaMs;
            if (left <= 0) return null;
            return t.pausedRemainingMs != null ? { ...t, pausedRemainingMs: left } : { ...t, endsAt: now + left };
        });
        return changed ?? null;
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

    /** Calls `listener` with every change to the timers while this service rings them; returns a function that stops it. */
    public onChange(listener: (change: TimerChange) => void): () => void {
        this.changeListeners.add(listener);
        return () => this.changeListeners.delete(listener);
    }

    private changed(kind: TimerChange["kind"], timer: Timer): void {
        for (const listener of this.changeListeners) {
            try {
                listener({ kind, timer });
            } catch (error) {
                this.options.log.error({ err: error, kind }, "a timer change listener failed");
            }
        }
    }

    /** Tells the listeners what changed since the file was last read. */
    private compare(timers: readonly Timer[]): void {
        const now = new Map(timers.map((t) => [t.id, t]));
        for (const timer of timers) {
            const before = this.known.get(timer.id);
            if (before == null) this.changed("started", timer);
            else if (before.endsAt !== timer.endsAt || before.pausedRemainingMs !== timer.pausedRemainingMs) this.changed("updated", timer);
        }
        for (const [id, timer] of this.known) if (!now.has(id) && !this.ringing.has(id)) this.changed("cancelled", timer);
        this.known = now;
    }

    /** Stops ringing; timers stay in the file. */
    public stop(): void {
        this.listener = null;
        if (this.watcher) clearInterval(this.watcher);
        this.watcher = null;
        for (const { handle } of this.scheduled.values()) clearTimeout(handle);
        this.scheduled.clear();
    }

    /** Arms a timeout for each timer in the file and drops those of timers gone from it. */
    private reschedule(): void {
        if (this.listener == null) return;
        void this.locked(() => this.read()).then((timers) => {
            if (this.listener == null) return;
            this.compare(timers);
            // A timer that is gone, paused or moved (time added or taken off, by any process) is disarmed, then armed anew.
            const armed = new Map(timers.filter((t) => t.pausedRemainingMs == null).map((t) => [t.id, t.endsAt]));
            for (const [id, { handle, endsAt }] of this.scheduled) {
                if (armed.get(id) !== endsAt) {
                    clearTimeout(handle);
                    this.scheduled.delete(id);
                }
            }
            for (const [id, endsAt] of armed) {
                if (this.scheduled.has(id)) continue;
                const delay = Math.max(0, endsAt - this.now());
                // setTimeout holds at most ~24.8 days; longer timers are re-armed when they get closer.
                this.scheduled.set(id, { handle: setTimeout(() => void this.ring(id), Math.min(delay, 2 ** 31 - 1)), endsAt });
            }
        }, (error: unknown) => this.options.log.error({ err: error }, "could not read the timers file; trying again in a second"));
    }

    private async ring(id: string): Promise<void> {
        this.scheduled.delete(id);
        let due: Timer | null;
        this.ringing.add(id);
        try {
            // Taken out of the file under the lock, so only one process rings it.
            due = await this.locked(() => {
                const timers = this.read();
                const timer = timers.find((t) => t.id === id);
                if (timer == null || timer.pausedRemainingMs != null || timer.endsAt > this.now()) return null;
                this.write(timers.filter((t) => t.id !== id));
                return timer;
            });
        } catch (error) {
            this.options.log.error({ err: error, id }, "could not update the timers file; the timer rings at the next check");
            due = null;
        } finally {
            this.ringing.delete(id);
        }
        if (due == null) {
            // Cancelled, paused, not due yet (moved, or longer than setTimeout holds), or the file could not be updated.
            this.reschedule();
            return;
        }
        // Rung, not cancelled.
        this.known.delete(due.id);
        this.changed("finished", due);
        const late = this.now() - due.endsAt > LATE_AFTER_MS;
        this.options.log.info({ timer: due, late }, "timer done");
        this.listener?.(due, late);
    }

    /** Rewrites the given timers with `change` (which returns `null` to leave one as it is), under the lock. */
    private async update(ids: readonly string[], change: (timer: Timer) => Timer | null): Promise<Timer[]> {
        const changed = await this.locked(() => {
            const done: Timer[] = [];
            const timers = this.read().map((t) => {
                const next = ids.includes(t.id) ? change(t) : null;
                if (next == null) return t;
                done.push(next);
                return next;
            });
            if (done.length > 0) this.write(timers);
            return done;
        });
        this.reschedule();
        return changed;
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

/** Names people give kitchen and household timers: the speech grammar hears these before any such timer exists. */
export const COMMON_TIMER_NAMES = [
    "pizza", "pasta", "egg", "eggs", "tea", "coffee", "rice", "bread", "cake", "cookies", "muffins", "oven", "potatoes", "chicken",
    "roast", "turkey", "steak", "fish", "soup", "noodles", "lasagna", "pie", "popcorn", "laundry", "washing", "dryer", "dishwasher",
    "nap", "homework", "study", "reading", "workout", "break", "meeting", "bath", "parking", "medicine", "plants"
];

/** What a timer has left at `now`: frozen while it is paused. */
export function remainingMs(timer: Timer, now = Date.now()): number {
    return timer.pausedRemainingMs ?? Math.max(0, timer.endsAt - now);
}

/** "4 minutes and 30 seconds": what a timer has left, to the second (rounded up, so a running one never says 0). */
export function describeTimeLeft(timer: Timer, now = Date.now()): string {
    return describeDuration(Math.ceil(remainingMs(timer, now) / 1000) * 1000);
}

/** "pizza timer", "5 minutes timer": how the user named it, or how long it was set for. */
export function describeTimer(timer: Timer): string {
    return `${timer.label || describeDuration(timer.durationMs)} timer`;
}

/** Which timers a request names: by name, by the length it was set for, all of them, or the only one. */
export interface TimerRequest extends DurationArgs {
    label?: string;
    all?: boolean;
}

/**
 * The timers among `candidates` (not empty) that `request` names, or what to say instead: that no timer has that
 * name or length, or — several fitting and not all asked for — which one to `verb` ("pause", "cancel").
 */
export function chooseTimers(candidates: readonly Timer[], request: TimerRequest, verb: string): { timers: Timer[] } | { speech: string } {
    if (request.all) return { timers: [...candidates] };
    const wantedMs = durationMs(request);
    const label = request.label?.toLowerCase();
    const fitting = label ? candidates.filter((t) => t.label.toLowerCase() === label) : wantedMs > 0 ? candidates.filter((t) => t.durationMs === wantedMs) : [...candidates];
    const list = (timers: readonly Timer[]): string => spokenList(timers.map((t) => `the ${describeTimer(t)}`));
    if (fitting.length === 0) return { speech: `I couldn't find ${label ? `a timer named ${label}` : `a ${describeDuration(wantedMs)} timer`}. You have ${list(candidates)}.` };
    if (fitting.length > 1) return { speech: `You have ${fitting.length} timers: ${list(fitting)}. Which one should I ${verb}?` };
    return { timers: fitting };
}
