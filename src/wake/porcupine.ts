import fs from "node:fs";
import { BuiltinKeyword, getBuiltinKeywordPath, Porcupine } from "@picovoice/porcupine-node";
import { HarkError } from "../errors.ts";
import type { WakeDetection, WakeWordDetector } from "./detector.ts";
import { FrameSplitter, Refractory } from "./frames.ts";

/** Options for {@link PorcupineDetector.create}. */
export interface PorcupineOptions {
    /** Picovoice AccessKey (console.picovoice.ai). Porcupine checks it online, so this engine needs the internet at start-up. */
    accessKey: string;
    /** A built-in keyword ("jarvis", "computer", "hey google", ...) or a path to a .ppn file. */
    keyword: string;
    /** 0..1; higher finds more and misfires more. */
    sensitivity: number;
    refractoryMs: number;
}

/** The built-in keywords Porcupine ships. */
export const PORCUPINE_KEYWORDS: readonly string[] = Object.values(BuiltinKeyword);

/** Picovoice Porcupine: an option for users with an AccessKey; hark's default stays openWakeWord, which runs offline. */
export class PorcupineDetector implements WakeWordDetector {
    public readonly name = "porcupine";
    private readonly frames: FrameSplitter;
    private readonly refractory: Refractory;

    private constructor(public readonly keyword: string, private readonly engine: Porcupine, refractoryMs: number) {
        this.frames = new FrameSplitter(engine.frameLength);
        this.refractory = new Refractory(refractoryMs);
    }

    /** Checks the configuration before touching the engine, so a mistake is named rather than reported as an engine failure. */
    public static resolveKeyword(keyword: string): string {
        if (keyword.endsWith(".ppn")) {
            if (!fs.existsSync(keyword)) throw new HarkError("HARK_MODEL_MISSING", `Porcupine keyword file ${keyword} does not exist`);
            return keyword;
        }
        const builtin = keyword.replaceAll("_", " ").toLowerCase();
        if (!PORCUPINE_KEYWORDS.includes(builtin)) {
            throw new HarkError("HARK_CONFIG_INVALID", `"${keyword}" is not a Porcupine built-in keyword (${PORCUPINE_KEYWORDS.join(", ")}); give one of those or a .ppn path in wake.keyword`);
        }
        return getBuiltinKeywordPath(builtin as BuiltinKeyword);
    }

    public static async create(options: PorcupineOptions): Promise<PorcupineDetector> {
        if (!options.accessKey.trim()) {
            throw new HarkError("HARK_CONFIG_INVALID", "wake.engine is porcupine but wake.porcupineAccessKey is empty; get a key at console.picovoice.ai, or use wake.engine: openwakeword (offline, the default)");
        }
        if (options.sensitivity < 0 || options.sensitivity > 1) throw new HarkError("HARK_CONFIG_INVALID", "wake.thresholdScore must be between 0 and 1 for Porcupine's sensitivity");
        const keywordPath = PorcupineDetector.resolveKeyword(options.keyword);
        let engine: Porcupine;
        try {
            engine = new Porcupine(options.accessKey, [keywordPath], [options.sensitivity]);
        } catch (error) {
            throw new HarkError("HARK_WAKE_ENGINE_FAILED", `Porcupine could not start (${(error as Error).message.split("\n")[0]}); it validates the AccessKey online: check the key and the network, or use wake.engine: openwakeword`);
        }
        return new PorcupineDetector(options.keyword, engine, options.refractoryMs);
    }

    public async process(samples: Int16Array, timestampMs: number): Promise<WakeDetection[]> {
        const detections: WakeDetection[] = [];
        for (const { frame, endMs } of this.frames.split(samples, timestampMs)) {
            if (this.engine.process(frame) >= 0 && this.refractory.accept(endMs)) detections.push({ keyword: this.keyword, score: 1, timestampMs: endMs });
        }
        return detections;
    }

    public reset(): void {
        this.refractory.reset();
        this.frames.reset();
    }

    public async dispose(): Promise<void> {
        this.engine.release();
    }
}
