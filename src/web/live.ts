import type { VoiceState } from "../pipeline/voice-machine.ts";
import type { TraceRecord } from "../trace/trace.ts";

/** What the Live page is told as it happens. `room` is "" for this machine's own microphone. */
export type LiveEvent =
    | { type: "state"; room: string; state: VoiceState; heard?: string }
    | { type: "level"; room: string; dbfs: number }
    | { type: "turn"; room: string; record: TraceRecord }
    | { type: "intents"; intents: number; problems: number };

/** What a room's voice loop offers to be watched (a {@link VoicePipeline} does). */
export interface WatchedLoop {
    readonly currentState: VoiceState;
    /** The turn in progress's transcript, once there is one. */
    readonly heard: string | null;
    onState(listener: (state: VoiceState) => void): void;
    onLevel(listener: (dbfs: number) => void): void;
}

/** A meter's update rate: the loudest chunk of each 100 ms is sent. */
const LEVEL_EVERY_MS = 100;

/**
 * The voice loops' states, microphone levels and finished turns, for the web page's live stream. Rooms are watched as
 * their loops start; a subscriber gets every event from then on, and {@link snapshot} tells a new one where things are.
 */
export class LiveFeed {
    private readonly subscribers = new Set<(event: LiveEvent) => void>();
    private readonly states = new Map<string, VoiceState>();
    private readonly peaks = new Map<string, { dbfs: number; since: number }>();
    private lastTurn: TraceRecord | null = null;

    /** Follows a room's voice loop (a satellite's new loop after it reconnects replaces the old one's place). */
    public watch(room: string, loop: WatchedLoop): void {
        this.publish({ type: "state", room, state: loop.currentState });
        loop.onState((state) => {
            const heard = loop.heard;
            this.publish({ type: "state", room, state, ...(heard ? { heard } : {}) });
        });
        loop.onLevel((dbfs) => this.level(room, dbfs));
    }

    /** A finished turn (voice, text or a timer), for the page's "last turn". */
    public turn(record: TraceRecord): void {
        this.publish({ type: "turn", room: record.room ?? "", record });
    }

    public publish(event: LiveEvent): void {
        if (event.type === "state") this.states.set(event.room, event.state);
        if (event.type === "turn") this.lastTurn = event.record;
        for (const subscriber of this.subscribers) subscriber(event);
    }

    /** Every event from now on, until the returned function is called. */
    public subscribe(subscriber: (event: LiveEvent) => void): () => void {
        this.subscribers.add(subscriber);
        return () => this.subscribers.delete(subscriber);
    }

    /** Each watched room's state now, and the last turn. */
    public snapshot(): { rooms: Record<string, VoiceState>; lastTurn: TraceRecord | null } {
        return { rooms: Object.fromEntries(this.states), lastTurn: this.lastTurn };
    }

    private level(room: string, dbfs: number): void {
        if (this.subscribers.size === 0) return;
        const now = performance.now();
        const peak = this.peaks.get(room);
        if (peak == null) {
            this.peaks.set(room, { dbfs, since: now });
            return;
        }
        peak.dbfs = Math.max(peak.dbfs, dbfs);
        if (now - peak.since < LEVEL_EVERY_MS) return;
        this.peaks.delete(room);
        this.publish({ type: "level", room, dbfs: Math.round(peak.dbfs * 10) / 10 });
    }
}
