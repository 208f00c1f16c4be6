import os from "node:os";
import { getLlama, LlamaLogLevel, type Llama, type LlamaContext, type LlamaModel } from "node-llama-cpp";
import type { Logger } from "pino";
import { errorMessage, LlmConfigError, ModelFileError } from "../errors.ts";
import { checkModelFiles, type ModelFacts, type PromptFormat } from "./model-files.ts";
import type { ResolvedProfile } from "./profile.ts";

/** A loaded model with its context (one sequence), ready for the recognizer. */
export interface LoadedLlm {
    profile: ResolvedProfile;
    format: PromptFormat;
    model: LlamaModel;
    context: LlamaContext;
    /** Milliseconds spent loading the model and creating the context. */
    loadMs: number;
    /** The threshold its training chose: {@link ModelFacts.minConfidence}. */
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
    const { metadata, format, minConfidence } = checkModelFiles(profile);
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
            contextSize: contextSizeFor(profile, format, metadata),
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
        minConfidence,
        async dispose() {
            await context.dispose();
            await model.dispose();
        }
    };
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
