import { toSample } from "../audio/pcm.ts";
import { HarkError } from "../errors.ts";
import type { AudioFrontEnd } from "./frontend.ts";

/** RNNoise works on 10 ms frames at 48 kHz. */
const FRAME = 480;
const UP = 3;

interface RnnoiseModule {
    _rnnoise_create(model: number): number;
    _rnnoise_destroy(state: number): void;
    _rnnoise_process_frame(state: number, output: number, input: number): number;
    _malloc(bytes: number): number;
    _free(pointer: number): void;
    HEAPF32: Float32Array;
}

let loaded: Promise<RnnoiseModule> | null = null;

/** Loads RNNoise's WebAssembly build (once per process). */
function loadRnnoise(): Promise<RnnoiseModule> {
    // The build with the WebAssembly inlined (no file to locate); the package has no types.
    const specifier = "@jitsi/rnnoise-wasm/dist/rnnoise-sync.js";
    loaded ??= (import(specifier) as Promise<{ default: () => Promise<RnnoiseModule> }>)
        .then((m) => m.default())
        .catch((error: unknown) => {
            loaded = null;
            throw new HarkError("HARK_FRONTEND", `cannot load RNNoise (@jitsi/rnnoise-wasm; it needs Node.js 20.19 or newer): ${(error as Error).message}`);
        });
    return loaded;
}

/** A windowed-sinc low-pass for 48 kHz with its cut-off below 8 kHz: the filter of both the ×3 and the ÷3 step. */
function lowPass(taps: number): Float32Array {
    const cutoff = 7600 / 48000;
    const h = new Float32Array(taps);
    const mid = (taps - 1) / 2;
    let sum = 0;
    for (let i = 0; i < taps; i++) {
        const x = i - mid;
        const sinc = x === 0 ? 2 * cutoff : Math.sin(2 * Math.PI * cutoff * x) / (Math.PI * x);
        const window = 0.42 - 0.5 * Math.cos((2 * Math.PI * i) / (taps - 1)) + 0.08 * Math.cos((4 * Math.PI * i) / (taps - 1));
        h[i] = sinc * window;
        sum += h[i]!;
    }
    for (let i = 0; i < taps; i++) h[i]! /= sum;
    return h;
}

/** Filter length at 48 kHz: a multiple of 3, so each of the ×3 step's phases has TAPS / 3 of them. */
const TAPS = 48;

/**
 * RNNoise (Xiph's recurrent-network noise suppression, as WebAssembly): 16 kHz in, up to 48 kHz, denoised in 10 ms
 * frames, back down to 16 kHz. Its output is a fixed 10 ms plus the filters' delay behind its input.
 */
export class RnnoiseFrontEnd implements AudioFrontEnd {
    public readonly name = "rnnoise";
    private readonly filter = lowPass(TAPS);
    private state: number;
    /** The last TAPS / 3 input samples (16 kHz) and TAPS - 1 denoised samples (48 kHz): the filters' memory. */
    private inputTail = new Float32Array(TAPS / UP);
    private outputTail = new Float32Array(TAPS - 1);
    /** Upsampled audio not yet a whole frame, and the ÷3 step's position in the 48 kHz stream. */
    private pending = new Float32Array(0);
    private phase = 0;
    /** Denoised 16 kHz samples not yet handed out. */
    private ready = new Float32Array(0);
    private readonly input: number;
    private readonly output: number;

    private constructor(private readonly m: RnnoiseModule) {
        this.state = m._rnnoise_create(0);
        this.input = m._malloc(FRAME * 4);
        this.output = m._malloc(FRAME * 4);
    }

    public static async create(): Promise<RnnoiseFrontEnd> {
        return new RnnoiseFrontEnd(await loadRnnoise());
    }

    public process(samples: Int16Array): Int16Array {
        const frames = this.denoise(this.upsample(samples));
        const down = this.downsample(frames);
        const ready = new Float32Array(this.ready.length + down.length);
        ready.set(this.ready);
        ready.set(down, this.ready.length);
        // Fewer samples than asked only until the first frame is through: the stream starts with that much silence.
        const out = new Int16Array(samples.length);
        const n = Math.min(out.length, ready.length);
        for (let i = 0; i < n; i++) out[out.length - n + i] = toSample(ready[i]!);
        this.ready = ready.slice(n);
        return out;
    }

    /** ×3, polyphase: each output phase p is the inputs weighted by every third tap from p on (gain 3 keeps the level). */
    private upsample(samples: Int16Array): Float32Array {
        const per = TAPS / UP;
        const x = new Float32Array(per + samples.length);
        x.set(this.inputTail);
        x.set(samples, per);
        const up = new Float32Array(samples.length * UP);
        for (let n = 0; n < samples.length; n++) {
            for (let p = 0; p < UP; p++) {
                let acc = 0;
                for (let j = 0; j < per; j++) acc += x[per + n - j]! * this.filter[j * UP + p]!;
                up[n * UP + p] = acc * UP;
            }
        }
        this.inputTail = x.slice(x.length - per);
        return up;
    }

    /** Runs whole 480-sample frames through RNNoise; keeps the rest for the next chunk. */
    private denoise(up: Float32Array): Float32Array {
        const buffered = new Float32Array(this.pending.length + up.length);
        buffered.set(this.pending);
        buffered.set(up, this.pending.length);
        const whole = buffered.length - (buffered.length % FRAME);
        const out = new Float32Array(whole);
        for (let at = 0; at < whole; at += FRAME) {
            this.m.HEAPF32.set(buffered.subarray(at, at + FRAME), this.input / 4);
            this.m._rnnoise_process_frame(this.state, this.output, this.input);
            out.set(this.m.HEAPF32.subarray(this.output / 4, this.output / 4 + FRAME), at);
        }
        this.pending = buffered.slice(whole);
        return out;
    }

    /** ÷3: low-pass at every third 48 kHz sample. */
    private downsample(frames: Float32Array): Float32Array {
        const memory = TAPS - 1;
        const z = new Float32Array(memory + frames.length);
        z.set(this.outputTail);
        z.set(frames, memory);
        const out: number[] = [];
        for (let i = (UP - this.phase) % UP; i < frames.length; i += UP) {
            let acc = 0;
            for (let k = 0; k < TAPS; k++) acc += z[memory + i - k]! * this.filter[k]!;
            out.push(acc);
        }
        this.phase = (this.phase + frames.length) % UP;
        this.outputTail = z.slice(z.length - memory);
        return Float32Array.from(out);
    }

    public reset(): void {
        this.m._rnnoise_destroy(this.state);
        this.state = this.m._rnnoise_create(0);
        this.inputTail.fill(0);
        this.outputTail.fill(0);
        this.pending = new Float32Array(0);
        this.phase = 0;
        this.ready = new Float32Array(0);
    }

    public dispose(): void {
        this.m._free(this.input);
        this.m._free(this.output);
        this.m._rnnoise_destroy(this.state);
    }
}
