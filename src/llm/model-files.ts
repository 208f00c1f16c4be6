import { ModelFileError } from "../errors.ts";
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

/** What a profile's files say before anything is loaded. */
export interface ModelFacts {
    metadata: ReadonlyMap<string, unknown>;
    format: PromptFormat;
    /**
     * The confidence its training chose for acting on an answer (`hark.min_confidence`: the lowest that kept false
     * actions on the development split within target), or null when the model does not say. An adapter's own
     * (chosen with the adapter applied) replaces the model's; with several, the highest.
     */
    minConfidence: number | null;
}

/**
 * Reads the headers of a profile's model and adapter files, so that a missing, foreign or truncated file, or an adapter
 * for another model, is named before llama.cpp is asked to load it (which would only say "failed to load").
 */
export function checkModelFiles(profile: ResolvedProfile): ModelFacts {
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
    return { metadata: header.metadata, format, minConfidence: adapterThresholds.length ? Math.max(...adapterThresholds) : thresholdOf(header.metadata) };
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

