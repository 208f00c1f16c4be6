import path from "node:path";
import type { HarkConfig, LlmProfile } from "../config/schema.ts";
import { LlmConfigError } from "../errors.ts";
import type { ModelStore } from "../models/store.ts";
import { expandHome, packageRoot } from "../paths.ts";
import { suggest } from "../util/schema-errors.ts";
import { mergeParams, type LlmParams } from "./params.ts";

/** hark's own intent model (scripts/train, models/hark-intent-v5.md): shipped in the repository, no download. */
export const HARK_INTENT_MODEL = path.join(packageRoot, "models", "hark-intent-v5.q8_0.gguf");

/** Profiles every config has; one of the same name in llm.profiles replaces it. */
export const BUILTIN_PROFILES: Readonly<Record<string, LlmProfile>> = {
    "hark-intent": {
        description: "hark's own 2 M-parameter intent model, trained on the built-in intents; LoRA-tunable with hark train lora",
        model: HARK_INTENT_MODEL,
        lora: [],
        // Its small context and single thread come from the model itself (see loadLlm), so --model with another
        // model under this profile gets that model's usual settings.
        params: {}
    }
};

/** A LoRA adapter and how strongly it applies. */
export interface LoraAdapter {
    path: string;
    scale: number;
}

/** What the command line changes on top of the config (`--profile`, `--model`, `--lora`, `--param`). */
export interface LlmOverrides {
    profile?: string;
    model?: string;
    /** Replaces the profile's adapters. */
    lora?: LoraAdapter[];
    params?: Partial<LlmParams>;
}

/** A profile with everything resolved: files, adapters and the final parameters. */
export interface ResolvedProfile {
    name: string;
    /** As written: a catalog name or a path. */
    model: string;
    modelFile: string;
    /** The catalog name when the model came from the catalog (for "hark models pull NAME" hints). */
    catalogName: string | null;
    lora: LoraAdapter[];
    params: LlmParams;
    /** True when the person asked for this model on the command line: a missing file is then an error, not a skip. */
    explicit: boolean;
}

/**
 * Picks the profile (command line, then `llm.profile`), which is one of `llm.profiles` or a catalog LLM by name, and
 * layers parameters: defaults, `llm.params`, the profile's, then `--param`.
 */
export function resolveProfile(llm: HarkConfig["llm"], store: ModelStore, overrides: LlmOverrides = {}): ResolvedProfile {
    const name = overrides.profile ?? llm.profile;
    const catalogLlms = store.catalog.filter((m) => m.role === "llm").map((m) => m.name);
    const profile = llm.profiles[name] ?? BUILTIN_PROFILES[name] ?? (catalogLlms.includes(name) ? { model: name, lora: [], params: {} } : null);
    if (profile == null) {
        const known = [...new Set([...Object.keys(llm.profiles), ...Object.keys(BUILTIN_PROFILES), ...catalogLlms])];
        throw new LlmConfigError(`no LLM profile called "${name}"${suggest(name, known)}; profiles: ${known.join(", ")} (define your own under llm.profiles)`);
    }
    const model = overrides.model ?? profile.model;
    const resolved = store.resolve(model);
    if (resolved.catalogName != null && !catalogLlms.includes(resolved.catalogName)) {
        throw new LlmConfigError(`"${model}" is a speech-to-text model, not a language model; LLMs in the catalog: ${catalogLlms.join(", ")}`);
    }
    let params: LlmParams;
    try {
        params = mergeParams(llm.params, profile.params, overrides.params);
    } catch (error) {
        throw new LlmConfigError(`profile "${name}": ${(error as Error).message}`, { cause: error });
    }
    return {
        name,
        model,
        modelFile: resolved.file,
        catalogName: resolved.catalogName,
        lora: (overrides.lora ?? profile.lora).map((a) => ({ path: path.resolve(expandHome(a.path)), scale: a.scale })),
        params,
        explicit: overrides.profile != null || overrides.model != null
    };
}

/** How to get a profile's model that is not on disk: the pull to run for a catalog model, else where to look. */
export function howToGetModel(profile: ResolvedProfile): string {
    return profile.catalogName ? `run "hark models pull ${profile.catalogName}"` : `check the path of profile ${profile.name}'s model`;
}

/** Parses `--lora adapter.gguf` or `--lora adapter.gguf:0.5`. */
export function parseLoraOption(value: string): LoraAdapter {
    const match = /^(.*?)(?::(-?\d+(?:\.\d+)?))?$/.exec(value);
    const file = match?.[1] ?? "";
    if (file === "") throw new LlmConfigError(`--lora "${value}": give the adapter file, optionally with a scale: --lora adapter.gguf:0.5`);
    const scale = match?.[2] != null ? Number(match[2]) : 1;
    if (Math.abs(scale) > 10) throw new LlmConfigError(`--lora "${value}": scale ${scale} is out of range (-10 to 10)`);
    return { path: file, scale };
}
