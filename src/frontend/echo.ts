import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { PlayedAudio } from "../audio/played.ts";
import { concatSamples, durationMs, SAMPLE_RATE_HZ, samplesIn } from "../audio/pcm.ts";
import { HarkError } from "../errors.ts";
import { packageRoot } from "../paths.ts";
import type { AudioFrontEnd } from "./frontend.ts";

/** speexdsp works on 10 ms frames. */
const FRAME = 160;

interface SpeexEcho {
    create(frameSize: number, filterLength: number, sampleRate: number, suppressDb: number): unknown;
    cancel(handle: unknown, mic: Int16Array, played: Int16Array, out: Int16Array): void;
    reset(handle: unknown): void;
    destroy(handle: unknown): void;
}

/** Where scripts/build-native.sh puts the binding. */
export const SPEEX_ECHO_BINDING = path.join(packageRoot, "build", "speex_echo.node");

let binding: SpeexEcho | null = null;

/** Loads the speexdsp binding (once per process), or says how to build it. */
export function loadSpeexEcho(file = SPEEX_ECHO_BINDING): SpeexEcho {
    if (binding && file === SPEEX_ECHO_BINDING) return binding;
    if (!fs.existsSync(file)) {
        throw new HarkError("HARK_FRONTEND", `the echo canceller is not built (${file} is missing): run scripts/setup.sh, or scripts/build-native.sh after "apt install gcc libspeexdsp-dev"; or set audio.echoCancellation: false`);
    }
    try {
        const loaded = createRequire(import.meta.url)(file) as SpeexEcho;
        if (file === SPEEX_ECHO_BINDING) binding = loaded;
        return loaded;
    } catch (error) {
        throw new HarkError("HARK_FRONTEND", `cannot load the echo canceller ${file} (${(error as Error).message}): build it again with scripts/build-native.sh`);
    }
}

/** Options for {@link EchoCancellerFrontEnd}. */
export interface EchoCancellerOptions {
    /** The longest echo it learns, from the played sound leaving the speaker to its last reflection arriving. */
    tailMs: number;
    /** How much further to suppress what is left of the echo, in dB (0: none). */
    suppressDb: number;
    /**
     * How long, at least, a played sound takes to come back in the microphone's audio (the player starting, the
     * capture buffer): each frame is matched with what played that long before it reached hark. The filter follows
     * echoes from there to `tailMs` later; an echo that arrives before its reference cannot be followed.
     */
    latencyMs: number;
    /** The clock {@link PlayedAudio} uses. */
    now?: () => number;
}

/**
 * speexdsp's echo canceller with what this machine's speaker played as its reference: hark's replies and music are
 * taken out of the microphone's audio before the wake word, the VAD and the recognizer hear it. While nothing has
 * played for a while the audio passes through untouched, and the filter keeps what it learnt of the room's echo for
 * the next playback. Output is one 10 ms frame behind input.
 */
export class EchoCancellerFrontEnd implements AudioFrontEnd {
    public readonly name = "echo";
    private readonly speex: SpeexEcho;
    private handle: unknown;
    private readonly now: () => number;
    private pending = new Int16Array(0);
    private ready: Int16Array = new Int16Array(FRAME);
    private readonly out = new Int16Array(FRAME);
    private streamMs = 0;
    private startMs = Number.POSITIVE_INFINITY;
    private readonly detach: () => void;
    private live = true;

    public constructor(private readonly played: PlayedAudio, private readonly options: EchoCancellerOptions, speex = loadSpeexEcho()) {
        this.speex = speex;
        this.now = options.now ?? (() => performance.now());
        this.handle = speex.create(FRAME, samplesIn(options.tailMs), SAMPLE_RATE_HZ, -Math.abs(options.suppressDb));
        this.detach = played.attach();
    }

    public process(samples: Int16Array): Int16Array {
        this.streamMs += durationMs(samples.length);
        // When the stream began on the clock: the smallest (arrival - stream time) seen, as a chunk handled late only
        // adds to it; it may creep up by 1 ms per second of audio, to follow a capture clock a little slower than this one.
        this.startMs = Math.min(this.startMs + durationMs(samples.length) / 1000, this.now() - this.streamMs);
        // What played latencyMs before the chunk's end reached hark is the earliest its last sample can hold.
        const endMs = this.startMs + this.streamMs - this.options.latencyMs;
        const joined = new Int16Array(this.pending.length + samples.length);
        joined.set(this.pending);
        joined.set(samples, this.pending.length);
        const whole = joined.length - (joined.length % FRAME);
        const cleaned: Int16Array[] = [this.ready];
        // Only while something plays (or its echo may still ring), and into live audio, is there anything to take away.
        if (!this.live || !this.played.active(this.options.tailMs)) cleaned.push(joined.subarray(0, whole));
        else {
            for (let at = 0; at < whole; at += FRAME) {
                const frameStartMs = endMs - durationMs(joined.length - at);
                this.speex.cancel(this.handle, joined.slice(at, at + FRAME), this.played.read(frameStartMs, FRAME), this.out);
                cleaned.push(this.out.slice());
            }
        }
        this.pending = joined.slice(whole);
        const all = concatSamples(cleaned);
        this.ready = all.slice(samples.length);
        return all.subarray(0, samples.length);
    }

    public reset(stream?: { live?: boolean }): void {
        this.live = stream?.live ?? true;
        this.pending = new Int16Array(0);
        this.ready = new Int16Array(FRAME);
        this.streamMs = 0;
        this.startMs = Number.POSITIVE_INFINITY;
        this.speex.reset(this.handle);
    }

    public dispose(): void {
        this.detach();
        this.speex.destroy(this.handle);
    }
}
