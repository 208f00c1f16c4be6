import fs from "node:fs";
import type { Logger } from "pino";
import type { HarkConfig } from "../config/schema.ts";
import { ModelFileError } from "../errors.ts";
import { resolveProfile, type LlmOverrides, type ResolvedProfile } from "../llm/profile.ts";
import { loadCatalog } from "../models/catalog.ts";
import { ModelStore } from "../models/store.ts";
import type { LlmRecognizer } from "../nlu/llm.ts";

/** The model store for a config: its models folder and the shipped catalog. */
export function modelStore(config: HarkConfig, log?: Logger): ModelStore {
    return new ModelStore(config.paths.modelsDir, loadCatalog(), log);
}

/** Which profile a config and command line select, or null when the LLM is switched off. */
export function selectedProfile(config: HarkConfig, overrides: LlmOverrides | false): ResolvedProfile | null {
    if (overrides === false || (!config.llm.enabled && overrides.profile == null && overrides.model == null)) return null;
    return resolveProfile(config.llm, modelStore(config), overrides);
}

/**
 * Loads the selected profile's model into an LLM recognizer. A model that is not on disk switches the LLM off with a
 * warning saying how to get it — unless the person asked for it on the command line, which makes it an error.
 */
export async function createLlmRecognizer(profile: ResolvedProfile, config: HarkConfig, log: Logger): Promise<LlmRecognizer | null> {
    if (!fs.existsSync(profile.modelFile)) {
        const how = profile.catalogName ? `run "hark models pull ${profile.catalogName}"` : "check the path in the profile";
        if (profile.explicit) throw new ModelFileError(profile.modelFile, `the model of profile "${profile.name}" is not on disk; ${how}`);
        log.info({ profile: profile.name, file: profile.modelFile }, `LLM off: the profile's model is not downloaded; ${how} (only templates answer until then)`);
        return null;
    }
    // Loaded on first use: importing node-llama-cpp adds ~30 MiB to the peak RSS of hark run (measured), which
    // templates-only set-ups should not pay.
    const [{ loadLlm }, { LlmRecognizer }] = await Promise.all([import("../llm/runtime.ts"), import("../nlu/llm.ts")]);
    const llm = await loadLlm(profile, { gpu: config.llm.gpu, log });
    log.info({ profile: profile.name, model: profile.modelFile, lora: profile.lora, loadMs: Math.round(llm.loadMs) }, "LLM loaded");
    return new LlmRecognizer({ llm, examplesPerIntent: config.llm.examplesPerIntent, maxArgumentLength: config.llm.maxArgumentLength, log });
}
