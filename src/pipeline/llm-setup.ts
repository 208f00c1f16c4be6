import fs from "node:fs";
import type { Logger } from "pino";
import type { HarkConfig } from "../config/schema.ts";
import { ModelFileError } from "../errors.ts";
import { howToGetModel, resolveProfile, type LlmOverrides, type ResolvedProfile } from "../llm/profile.ts";
import { loadCatalog } from "../models/catalog.ts";
import { ModelStore } from "../models/store.ts";
import type { IntentSpec } from "../intents/types.ts";
import { checkModelFiles } from "../llm/model-files.ts";
import type { LlmRecognizer } from "../nlu/llm.ts";
import type { Recognition, Recognizer } from "../nlu/recognizer.ts";

/** The model store for a config: its models folder and the shipped catalog. */
export function modelStore(config: HarkConfig, log?: Logger): ModelStore {
    return new ModelStore(config.paths.modelsDir, loadCatalog(), log);
}

/** Which profile a config and command line select, or null when the LLM is switched off. */
export function selectedProfile(config: HarkConfig, overrides: LlmOverrides | false): ResolvedProfile | null {
    if (overrides === false || (!config.llm.enabled && overrides.profile == null && overrides.model == null)) return null;
    return resolveProfile(config.llm, modelStore(config), overrides);
}

/** The language-model engine as the assistant holds it: a recognizer with the threshold its training chose. */
export type LanguageModelEngine = Recognizer & { readonly suggestedMinConfidence: number | null };

/**
 * Loads the selected profile's model into an LLM recognizer. A model that is not on disk switches the LLM off with a
 * warning saying how to get it — unless the person asked for it on the command line, which makes it an error.
 * `whenFirstAsked`: check the files now, load the model only when a sentence reaches it (`hark ask` answered by a
 * template never waits for it).
 */
export async function createLlmRecognizer(profile: ResolvedProfile, config: HarkConfig, log: Logger, options: { whenFirstAsked?: boolean } = {}): Promise<LanguageModelEngine | null> {
    if (!fs.existsSync(profile.modelFile)) {
        const how = howToGetModel(profile);
        if (profile.explicit) throw new ModelFileError(profile.modelFile, `the model of profile "${profile.name}" is not on disk; ${how}`);
        log.info({ profile: profile.name, file: profile.modelFile }, `LLM off: the profile's model is not downloaded; ${how} (only templates answer until then)`);
        return null;
    }
    const load = (): Promise<LlmRecognizer> => loadLlmRecognizer(profile, config, log);
    return options.whenFirstAsked ? new LlmOnFirstUse(load, checkModelFiles(profile).minConfidence) : await load();
}

/** Loads the profile's model (which must be on disk) into an LLM recognizer that has no intents yet. */
export async function loadLlmRecognizer(profile: ResolvedProfile, config: HarkConfig, log: Logger): Promise<LlmRecognizer> {
    // Imported here: node-llama-cpp adds ~30 MiB to the peak RSS of hark run (measured) and ~0.6 s to a start,
    // which templates-only set-ups should not pay.
    const [{ loadLlm }, { LlmRecognizer }] = await Promise.all([import("../llm/runtime.ts"), import("../nlu/llm.ts")]);
    const llm = await loadLlm(profile, { gpu: config.llm.gpu, log });
    log.info({ profile: profile.name, model: profile.modelFile, lora: profile.lora, loadMs: Math.round(llm.loadMs) }, "LLM loaded");
    return new LlmRecognizer({ llm, examplesPerIntent: config.llm.examplesPerIntent, maxArgumentLength: config.llm.maxArgumentLength, log });
}

/** The LLM recognizer, loaded when the first sentence reaches it; until then it only keeps the intents it is given. */
class LlmOnFirstUse implements Recognizer {
    public readonly name = "llm";
    private intents: readonly IntentSpec[] = [];
    private loading: Promise<LlmRecognizer> | null = null;

    public constructor(private readonly load: () => Promise<LlmRecognizer>, public readonly suggestedMinConfidence: number | null) {}

    public async setIntents(intents: readonly IntentSpec[]): Promise<void> {
        this.intents = intents;
        // A model that failed to load says so on the next sentence that reaches it, not on an intent reload.
        await (await this.loading?.catch(() => null))?.setIntents(intents);
    }

    public async recognize(text: string, signal?: AbortSignal): Promise<Recognition | null> {
        this.loading ??= this.load().then(async (recognizer) => {
            await recognizer.setIntents(this.intents);
            return recognizer;
        });
        return (await this.loading).recognize(text, signal);
    }

    public async dispose(): Promise<void> {
        await (await this.loading?.catch(() => null))?.dispose();
    }
}
