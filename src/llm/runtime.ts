import os from "node:os";
import { getLlama, LlamaLogLevel, type Llama, type LlamaContext, type LlamaModel } from "node-llama-cpp";
import type { Logger } from "pino";
import { errorMessage, LlmConfigError, ModelFileError } from "../errors.ts";
import { readGgufHeader } from "./gguf.ts";
import type { ResolvedProfile } from "./profile.ts";

/** A loaded model with its context (one sequence), ready for the recognizer. */
export interface LoadedLlm {
    profile: ResolvedProfile;
    model: LlamaModel;
    context: LlamaContext;
    /** Milliseconds spent loading the model and creating the context. */
    loadMs: number;
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
    for (const adapter of profile.lora) {
        const lora = readGgufHeader(adapter.path, "LoRA adapter");
        if (lora.metadata.get("general.type") !== "adapter" || lora.metadata.get("adapter.type") !== "lora") {
            throw new ModelFileError(adapter.path, "not a LoRA adapter GGUF (general.type must be \"adapter\" and adapter.type \"lora\"); convert one with llama.cpp's convert_lora_to_gguf.py");
        }
        if (lora.metadata.get("general.architecture") !== architecture) {
            throw new ModelFileError(adapter.path, `this adapter is for a ${String(lora.metadata.get("general.architecture"))} model, but ${profile.modelFile} is ${String(architecture)}`);
        }
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
            contextSize: profile.params.contextSize,
            sequences: 1,
            threads: profile.params.threads || Math.min(4, os.availableParallelism()),
            ...(profile.lora.length ? { lora: { adapters: profile.lora.map((a) => ({ filePath: a.path, scale: a.scale })) } } : {})
        });
    } catch (error) {
        await model.dispose();
        const which = profile.lora.length ? ` with adapters ${profile.lora.map((a) => a.path).join(", ")}` : "";
        throw new LlmConfigError(`profile "${profile.name}": could not create a ${profile.params.contextSize}-token context${which}: ${errorMessage(error)} (a smaller contextSize needs less memory)`, { cause: error });
    }
    return {
        profile, model, context,
        loadMs: performance.now() - started,
        async dispose() {
            await context.dispose();
            await model.dispose();
        }
    };
}
