import os from "node:os";
import { getLlama, LlamaLogLevel, type Llama, type LlamaContext, type LlamaModel } from "node-llama-cpp";
import type { Logger } from "pino";
import { errorMessage, LlmConfigError, ModelFileError } from "../errors.ts";
import { MIN_CONFIDENCE_KEY, readGgufHeader } from "./gguf.ts";
import type { ResolvedProfile } from "./profile.ts";

/**
 * How a model wants its prompt: "chat" — a system prompt listing the tools, then the sentence, in the model's own chat
 * template (instruct models); "hark-call" — hark's own intent model (scripts/train): `<s>` sentence `<call>`, the
 * sentence normalised as in training, no tool list (the model learned the intents).
 */
export type PromptFormat = { kind: "chat" } | { kind: "hark-call"; separatorToken: number };

/** The GGUF value that marks a model trained by `hark train`. */
export const HARK_PROMPT_FORMAT = "hark-call-v1";

/** A loaded model with its context (one sequence), ready for the recognizer. */
export interface LoadedLlm {
    profile: ResolvedProfile;
    format: PromptFormat;
    model: LlamaModel;
    context: LlamaContext;
    /** Milliseconds spent loading the model and creating the context. */
    loadMs: number;
    /**
     * The confidence its training chose for acting on an answer (`hark.min_confidence`: the lowest that kept false
     * actions on the development split within target), or null when the model does not say. An adapter's own
     * (chosen with the adapter applied) replaces the model's; with several, the highest.
     */
    minConfidence: number | null;
    dispose(): Promise<void>;
}

const runtimes = new Map<boolean, Promise<Llama>>();

/** node-llama-cpp's runtime, made once per process. Never builds llama.cpp or downloads anything: prebuilt binaries only. */
export function llamaRuntime(gpu: boolean, log: Logger): Promise<Llama> {
    let runtime = runtimes.get(gpu);
    if (runtime == null) {
        const llamaLog = log.child({ component: "llama.cpp" });
        runtime = getLlama({
            gpu: gpu ? "auto" : false,
            build: "never",
            logLevel: LlamaLogLevel.warn,
            logger: (level, message) => {
                const text = message.trim();
                if (!text) return;
                if (level === LlamaLogLevel.error || level === LlamaLogLevel.fatal) llamaLog.error(text);
                else if (level === LlamaLogLevel.warn) llamaLog.warn(text);
                else llamaLog.debug(text);
            }
        }).catch((error: unknown) => {
            runtimes.delete(gpu);
            throw new LlmConfigError(`node-llama-cpp has no prebuilt binary for ${process.platform}-${process.arch} (${errorMessage(error)}); reinstall with "npm ci" on a 64-bit OS`, { cause: error });
        });
        runtimes.set(gpu, runtime);
    }
    return runtime;
}

/**
 * Checks the model and adapter files (so a missing, foreign or truncated file is named, not "failed to load"), then
 * loads the model and a context with the profile's LoRA adapters and parameters.
 */
export async function loadLlm(profile: ResolvedProfile, options: { gpu: boolean; log: Logger }): Promise<LoadedLlm> {
    const started = performance.now();
    const header = readGgufHeader(profile.modelFile, "language model");
    if (header.metadata.get("general.type") === "adapter") {
        throw new ModelFileError(profile.modelFile, "this is a LoRA adapter, not a model; list it under the profile's lora: (or pass --lora) with its base model as model:");
    }
    const architecture = header.metadata.get("general.architecture");
    const format = promptFormat(header.metadata, profile.modelFile);
    const adapterThresholds: number[] = [];
    for (const adapter of profile.lora) {
        const lora = readGgufHeader(adapter.path, "LoRA adapter");
        if (lora.metadata.get("general.type") !== "adapter" || lora.metadata.get("adapter.type") !== "lora") {
            throw new ModelFileError(adapter.path, "not a LoRA adapter GGUF (general.type must be \"adapter\" and adapter.type \"lora\"); convert one with llama.cpp's convert_lora_to_gguf.py");
        }
        if (lora.metadata.get("general.architecture") !== architecture) {
            throw new ModelFileError(adapter.path, `this adapter is for a ${String(lora.metadata.get("general.architecture"))} model, but ${profile.modelFile} is ${String(architecture)}`);
        }
        const threshold = thresholdOf(lora.metadata);
        if (threshold != null) adapterThresholds.push(threshold);
    }
    const llama = await llamaRuntime(options.gpu, options.log);
    let model: LlamaModel;
    try {
        model = await llama.loadModel({ modelPath: profile.modelFile, ...(options.gpu ? {} : { gpuLayers: 0 }) });
    } catch (error) {
        throw new ModelFileError(profile.modelFile, `llama.cpp could not load this model: ${errorMessage(error)}`, { cause: error });
    }
    let context: LlamaContext;
    try {
        context = await model.createContext({
            contextSize: contextSizeFor(profile, format, header.metadata),
            sequences: 1,
            threads: profile.params.threads || autoThreads(format),
            ...(profile.lora.length ? { lora: { adapters: profile.lora.map((a) => ({ filePath: a.path, scale: a.scale })) } } : {})
        });
    } catch (error) {
        await model.dispose();
        const which = profile.lora.length ? ` with adapters ${profile.lora.map((a) => a.path).join(", ")}` : "";
        throw new LlmConfigError(`profile "${profile.name}": could not create a ${profile.params.contextSize}-token context${which}: ${errorMessage(error)} (a smaller contextSize needs less memory)`, { cause: error });
    }
    return {
        profile, model, context, format,
        loadMs: performance.now() - started,
        minConfidence: adapterThresholds.length ? Math.max(...adapterThresholds) : thresholdOf(header.metadata),
        async dispose() {
            await context.dispose();
            await model.dispose();
        }
    };
}

/** A file's `hark.min_confidence`, or null when it has none (or one outside 0..1). */
function thresholdOf(metadata: ReadonlyMap<string, unknown>): number | null {
    const chosen = Number(metadata.get(MIN_CONFIDENCE_KEY));
    return metadata.has(MIN_CONFIDENCE_KEY) && Number.isFinite(chosen) && chosen >= 0 && chosen <= 1 ? chosen : null;
}

/** Reads which prompt format a model was trained for from its metadata. */
export function promptFormat(metadata: ReadonlyMap<string, unknown>, file: string): PromptFormat {
    const kind = metadata.get("hark.prompt_format");
    if (kind == null) return { kind: "chat" };
    const separator = metadata.get("hark.separator_token_id");
    if (kind !== HARK_PROMPT_FORMAT || typeof separator !== "number") {
        throw new ModelFileError(file, `made by a different hark version (prompt format ${String(kind)}, this hark reads ${HARK_PROMPT_FORMAT}); retrain it with "hark train base" or update hark`);
    }
    return { kind: "hark-call", separatorToken: separator };
}

/**
 * Threads when the profile says 0 (auto): one for hark's own model — for a model this small, handing each token to a
 * second thread costs more than it saves (measured on 2 cores: ~0.5 ms per token on one thread, 2–15 ms on two) —
 * else as many as there are cores, at most 4.
 */
function autoThreads(format: PromptFormat): number {
    return format.kind === "hark-call" ? 1 : Math.min(4, os.availableParallelism());
}

/** hark's own model sees one sentence a turn: its context is capped at what it was trained with (256 tokens). */
function contextSizeFor(profile: ResolvedProfile, format: PromptFormat, metadata: ReadonlyMap<string, unknown>): number {
    const trained = Number(metadata.get("llama.context_length"));
    return format.kind === "hark-call" && Number.isFinite(trained) && trained > 0 ? Math.min(profile.params.contextSize, trained) : profile.params.contextSize;
}
