import type { Logger } from "pino";

/** Options for {@link Watchdog}. */
export interface WatchdogOptions {
    /** systemd's WatchdogSec in ms; hark pings twice per interval, as sd_watchdog_enabled(3) advises. */
    intervalMs: number;
    /** How long one step of the loop (a chunk of audio, a transcription, a handler) may take before it counts as stuck. */
    stuckAfterMs: number;
    /** How long the loop has been busy with its current step, in ms; 0 while it waits for input. */
    busyForMs: () => number;
    /** Sends WATCHDOG=1. */
    ping: () => Promise<void>;
    log: Logger;
}

/**
 * Pings systemd's watchdog while the audio loop is alive. The timer itself proves the event loop runs; the probe
 * proves the audio loop is not stuck in one step. When it is, the pings stop and systemd restarts hark after
 * WatchdogSec — a hung decoder or handler heals itself instead of leaving a deaf assistant.
 */
export class Watchdog {
    private timer: NodeJS.Timeout | null = null;
    private stuck = false;
    private pings = 0;

    public constructor(private readonly o: WatchdogOptions) {}

    /** Pings sent so far. */
    public get pingCount(): number {
        return this.pings;
    }

    public start(): void {
        if (this.timer) return;
        this.tick();
        this.timer = setInterval(() => this.tick(), Math.max(1, Math.floor(this.o.intervalMs / 2)));
        this.timer.unref();
    }

    public stop(): void {
        if (this.timer) clearInterval(this.timer);
        this.timer = null;
    }

    /** One check: ping when the loop is alive, log once when it is stuck and once when it recovers. */
    public tick(): void {
        const busyMs = this.o.busyForMs();
        if (busyMs > this.o.stuckAfterMs) {
            if (!this.stuck) {
                this.o.log.error({ busyMs: Math.round(busyMs), stuckAfterMs: this.o.stuckAfterMs },
                    "the voice loop is stuck in one step; no more watchdog pings, so systemd will restart hark (service.stuckAfterS sets the limit)");
            }
            this.stuck = true;
            return;
        }
        if (this.stuck) this.o.log.warn("the voice loop moved on again; watchdog pings resume");
        this.stuck = false;
        this.pings++;
        void this.o.ping();
    }
}
