import fs from "node:fs";
import type { Logger } from "pino";
import { readAudioFile } from "./file.ts";
import { SAMPLE_RATE_HZ } from "./pcm.ts";
import type { Playback, PlaybackKind, Player } from "./player.ts";

/** One stretch of a file heard from the speaker: `samples[from..to)` began at `atMs` on the clock. */
interface Stretch {
    atMs: number;
    samples: Int16Array;
    from: number;
    to: number;
}

/** Feedback sounds kept as read (a few short files: listening, done, error). */
const MAX_SOUNDS = 16;

/** How long a stretch that has ended is kept for the readers that lag behind the speaker. */
const KEEP_MS = 10_000;

/**
 * What this machine's speaker played and when, as 16 kHz mono on `performance.now()`'s clock: the reference an echo
 * canceller takes away from the microphone. Several stretches can overlap (music under a reply); they add up.
 */
export class PlayedAudio {
    private stretches: Stretch[] = [];
    private readers = 0;

    public constructor(private readonly now: () => number = () => performance.now()) {}

    /** Whether an echo canceller reads it: without one (`hark ask`, or no binding built) nothing need be noted. */
    public get wanted(): boolean {
        return this.readers > 0;
    }

    /** An echo canceller reads from now on; call the returned function when it stops. */
    public attach(): () => void {
        this.readers++;
        let attached = true;
        return () => {
            if (attached) this.readers--;
            attached = false;
        };
    }

    /** `samples` play from `atMs` on; returns the stretch, to cut short with {@link cut}. */
    public add(samples: Int16Array, atMs: number): object {
        this.prune();
        const stretch: Stretch = { atMs, samples, from: 0, to: samples.length };
        this.stretches.push(stretch);
        return stretch;
    }

    /** The stretch stops at `atMs` (paused or stopped); returns what it had left to play. */
    public cut(stretch: object, atMs: number): Int16Array {
        const s = stretch as Stretch;
        const played = Math.max(0, Math.min(s.to - s.from, Math.round(((atMs - s.atMs) * SAMPLE_RATE_HZ) / 1000)));
        const rest = s.samples.subarray(s.from + played, s.to);
        s.to = s.from + played;
        return rest;
    }

    /** The `count` samples the speaker played from `atMs` on (silence where nothing played). */
    public read(atMs: number, count: number): Int16Array {
        const out = new Int16Array(count);
        const start = (atMs * SAMPLE_RATE_HZ) / 1000;
        for (const s of this.stretches) {
            const first = Math.round(start - (s.atMs * SAMPLE_RATE_HZ) / 1000);
            const lo = Math.max(0, -first);
            const hi = Math.min(count, s.to - s.from - first);
            for (let i = lo; i < hi; i++) out[i] = Math.max(-32768, Math.min(32767, out[i]! + s.samples[s.from + first + i]!));
        }
        return out;
    }

    /** Whether anything plays, or played within `withinMs`, before now. */
    public active(withinMs = 0): boolean {
        const now = this.now();
        return this.stretches.some((s) => s.atMs <= now && s.atMs + ((s.to - s.from) * 1000) / SAMPLE_RATE_HZ + withinMs >= now);
    }

    private prune(): void {
        const now = this.now();
        this.stretches = this.stretches.filter((s) => s.atMs + ((s.to - s.from) * 1000) / SAMPLE_RATE_HZ + KEEP_MS >= now);
    }
}

/**
 * A {@link Player} that notes in a {@link PlayedAudio} what the player it wraps plays, pauses and stops: each file is
 * read as 16 kHz mono (sox) while it starts, and placed at the moment its player was started. A file that cannot be
 * read that way still plays; there is just nothing to take away. While no echo canceller reads the notes, files are
 * only played.
 */
export class NotedPlayer implements Player {
    /** Feedback sounds as read, by file: they play at every turn, and the chime at the wake word must be taken away at once. */
    private readonly sounds = new Map<string, { version: string; samples: Promise<Int16Array> }>();

    public constructor(
        private readonly sink: Player,
        private readonly played: PlayedAudio,
        private readonly log: Logger,
        private readonly now: () => number = () => performance.now(),
        private readonly read: (file: string) => Promise<Int16Array> = readAudioFile
    ) {}

    public async play(file: string, kind: PlaybackKind): Promise<Playback> {
        if (!this.played.wanted) return this.sink.play(file, kind);
        const startedAt = this.now();
        const reading = this.reference(file, kind).catch((error: unknown) => {
            this.log.warn({ err: error, file }, "cannot read what plays as the echo canceller's reference");
            return null;
        });
        const playback = await this.sink.play(file, kind);
        let stretch: object | null = null;
        let rest: Int16Array | null = null;
        let pausedAt: number | null = null;
        let ended = false;
        void reading.then((samples) => {
            if (samples == null || ended) return;
            stretch = this.played.add(samples, startedAt);
            // Paused before the file was read.
            if (pausedAt != null) rest = this.played.cut(stretch, pausedAt);
        });
        playback.done.then(() => (ended = true), () => (ended = true)).finally(() => {
            if (stretch) this.played.cut(stretch, this.now());
        });
        return {
            file, kind, done: playback.done,
            get paused() {
                return playback.paused;
            },
            pause: () => {
                const held = playback.pause();
                if (held && pausedAt == null) {
                    pausedAt = this.now();
                    if (stretch) rest = this.played.cut(stretch, pausedAt);
                }
                return held;
            },
            resume: () => {
                const going = playback.resume();
                if (going && pausedAt != null) {
                    pausedAt = null;
                    if (rest) stretch = this.played.add(rest, this.now());
                    rest = null;
                }
                return going;
            },
            stop: () => playback.stop()
        };
    }

    /** `file` as 16 kHz mono; a feedback sound is read again only when the file changed. */
    private async reference(file: string, kind: PlaybackKind): Promise<Int16Array> {
        if (kind !== "sound") return this.read(file);
        const stat = await fs.promises.stat(file);
        const version = `${stat.size}:${stat.mtimeMs}`;
        const known = this.sounds.get(file);
        if (known?.version === version) return known.samples;
        // Kept while still being read, so a sound played again meanwhile shares the one read; dropped if it fails.
        const samples = this.read(file);
        if (this.sounds.size >= MAX_SOUNDS) this.sounds.delete(this.sounds.keys().next().value!);
        this.sounds.set(file, { version, samples });
        samples.catch(() => {
            if (this.sounds.get(file)?.samples === samples) this.sounds.delete(file);
        });
        return samples;
    }

    public stopAll(kinds?: readonly PlaybackKind[]): number {
        return this.sink.stopAll(kinds);
    }

    public active(): readonly Playback[] {
        return this.sink.active();
    }

    public takeLateFailures(): string[] {
        return this.sink.takeLateFailures();
    }
}
