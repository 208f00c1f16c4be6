import fs from "node:fs";
import { createRequire } from "node:module";
import type { Logger } from "pino";
import { HarkError } from "../errors.ts";
import type { TemplateIntent } from "../template/index.ts";
import type { Transcriber, Transcript } from "./transcriber.ts";
import { inspectWhisperModel, type WhisperFileInfo } from "./whisper-ggml.ts";

/** The part of @fugood/whisper.node hark uses. The package ships TypeScript sources without declarations that
 *  type-check under this project's settings, so it is loaded through require with these types. */
interface WhisperContext {
    transcribeData(audio: ArrayBuffer, options: { language?: string; maxThreads?: number; temperature?: number; prompt?: string }):
        { stop(): Promise<void>; promise: Promise<{ result: string; segments: Array<{ text: string; t0: number; t1: number }>; isAborted: boolean }> };
    release(): Promise<void>;
}
interface WhisperModule {
    initWhisper(options: { filePath: string; useGpu?: boolean }): Promise<WhisperContext>;
    toggleNativeLog(enable: boolean): Promise<void>;
    addNativeLogListener(listener: (level: string, text: string) => void): { remove(): void };
}
const { initWhisper, toggleNativeLog, addNativeLogListener } = createRequire(import.meta.url)("@fugood/whisper.node") as WhisperModule;

/** Options for {@link WhisperTranscriber.create}. */
export interface WhisperOptions {
    /** whisper.cpp ggml model file (e.g. ggml-base.en-q5_1.bin). */
    modelPath: string;
    /** Spoken language code. Defaults to "en". */
    language?: string;
    /** CPU threads. Defaults to 2. */
    threads?: number;
    log: Logger;
}

/** What Whisper famously "hears" in silence or noise; a transcript that is only this is treated as nothing. */
const HALLUCINATIONS = new Set([
    "you", "thank you", "thanks", "thank you very much", "thanks for watching", "thank you for watching", "thank you so much",
    "bye", "bye bye", "okay", "ok", "so", "the end", "please subscribe", "subtitles by the amaraorg community", "i", "um", "uh", "hmm", "oh"
]);

/** Removes Whisper's non-speech annotations ("[BLANK_AUDIO]", "(music)", "*laughs*") and known hallucinations. */
export function cleanWhisperText(text: string): string {
    const stripped = text.replace(/\[[^\]]*\]|\([^)]*\)|\*[^*]*\*|♪/g, " ").replace(/\s+/g, " ").trim();
    const bare = stripped.toLowerCase().replace(/[^a-z0-9 ]/g, "").trim();
    return HALLUCINATIONS.has(bare) ? "" : stripped;
}

/** An initial prompt that steers Whisper towards the words hark's intents use: example sentences and slot values. */
export function buildPrompt(intents: readonly TemplateIntent[], slotValues: Readonly<Record<string, readonly string[]>> = {}, maxChars = 600): string {
    const phrases = [...intents.flatMap((i) => i.examples.map((e) => e.text)), ...Object.values(slotValues).flat()];
    let prompt = "";
    for (const p of new Set(phrases)) {
        if (prompt.length + p.length + 2 > maxChars) break;
        prompt += (prompt ? ", " : "") + p;
    }
    return prompt ? `${prompt}.` : "";
}

/** whisper.cpp through @fugood/whisper.node: open vocabulary, for wildcard slots a closed grammar cannot hear. */
export class WhisperTranscriber implements Transcriber {
    public readonly name = "whisper";
    private prompt = "";

    private constructor(private readonly context: WhisperContext, private readonly options: WhisperOptions) {}

    public static async create(options: WhisperOptions): Promise<WhisperTranscriber> {
        const file = options.modelPath;
        if (!fs.existsSync(file)) {
            throw new HarkError("HARK_MODEL_MISSING", `whisper model not found at ${file}; put a whisper.cpp ggml model there (stt.whisperModel), or use stt.engine: grammar`);
        }
        let info: WhisperFileInfo;
        try {
            info = inspectWhisperModel(file);
        } catch (error) {
            throw new HarkError("HARK_MODEL_INVALID", `${file} is not a usable whisper.cpp ggml model: ${(error as Error).message}; download the model again`);
        }
        if (info.missing.length > 0) {
            throw new HarkError("HARK_MODEL_INVALID", `${file} is truncated or corrupt: ${info.missing.length} of its tensors are missing (first: ${info.missing[0]}); download the model again`);
        }
        // whisper.cpp logs to stderr on its own; route it through pino instead.
        await toggleNativeLog(true);
        const listener = addNativeLogListener((level, text) => options.log.debug({ level }, text.trim()));
        try {
            const context = await initWhisper({ filePath: file, useGpu: false });
            return new WhisperTranscriber(context, options);
        } catch (error) {
            throw new HarkError("HARK_MODEL_INVALID", `whisper could not load ${file}: ${(error as Error).message}; download it again`);
        } finally {
            listener.remove();
            // The native log hook holds a thread-safe callback that keeps the process alive; release it.
            await toggleNativeLog(false);
        }
    }

    /** Rebuilds the initial prompt from the intents' examples and known slot values. */
    public setIntents(intents: readonly TemplateIntent[], slotValues: Readonly<Record<string, readonly string[]>> = {}): void {
        this.prompt = buildPrompt(intents, slotValues);
    }

    public async transcribe(samples: Int16Array, signal?: AbortSignal): Promise<Transcript> {
        const audio = samples.buffer.slice(samples.byteOffset, samples.byteOffset + samples.byteLength) as ArrayBuffer;
        const job = this.context.transcribeData(audio, {
            language: this.options.language ?? "en", maxThreads: this.options.threads ?? 2, temperature: 0, ...(this.prompt ? { prompt: this.prompt } : {})
        });
        const onAbort = (): void => void job.stop();
        signal?.addEventListener("abort", onAbort, { once: true });
        try {
            const result = await job.promise;
            const raw = result.result.trim();
            return { text: cleanWhisperText(raw), engine: this.name, detail: { raw, segments: result.segments.length } };
        } finally {
            signal?.removeEventListener("abort", onAbort);
        }
    }

    public async dispose(): Promise<void> {
        await this.context.release();
    }
}
