import fs from "node:fs";
import type { HarkConfig } from "../config/schema.ts";
import { errorMessage } from "../errors.ts";
import { loadIntentDirs } from "../intents/load.ts";
import { howToGetModel } from "../llm/profile.ts";
import type { Logger } from "../log/logger.ts";
import type { LlmRecognizer } from "../nlu/llm.ts";
import { TemplateRecognizer } from "../nlu/templates.ts";
import { loadLlmRecognizer, selectedProfile } from "./llm-setup.ts";

/** Why a sentence was or was not understood: the templates nearest to it, and what the language model weighed. */
export interface Explanation {
    text: string;
    /** Nearest first; empty when no template shares a word with the sentence. */
    templates: ReturnType<TemplateRecognizer["nearest"]>;
    /** The model's likeliest intents, or why it was not asked. */
    model: { profile: string; answers: Array<{ intents: string[]; probability: number }> } | { profile: string | null; unavailable: string };
}

/**
 * Explains sentences with the intents and LLM profile of `config`. Loads the intents once, and the model on the first
 * sentence; `dispose` frees the model.
 */
export class Explainer {
    private prepared: Promise<{ templates: TemplateRecognizer; llm: LlmRecognizer | null; profile: string | null; unavailable: string }> | null = null;

    public constructor(private readonly config: HarkConfig, private readonly log: Logger) {}

    public async explain(text: string): Promise<Explanation> {
        this.prepared ??= this.prepare();
        const { templates, llm, profile, unavailable } = await this.prepared;
        const nearest = templates.nearest(text);
        if (llm == null) return { text, templates: nearest, model: { profile, unavailable } };
        return { text, templates: nearest, model: { profile: llm.profile, answers: await llm.topAnswers(text) } };
    }

    public async dispose(): Promise<void> {
        await (await this.prepared?.catch(() => null))?.llm?.dispose();
    }

    private async prepare(): Promise<{ templates: TemplateRecognizer; llm: LlmRecognizer | null; profile: string | null; unavailable: string }> {
        const { config } = this;
        const specs = (await loadIntentDirs(config.paths.intentsDirs)).intents.map((i) => i.spec);
        const templates = new TemplateRecognizer(specs, { fillerWords: config.nlu.fillerWords, leadingPhrases: config.nlu.leadingPhrases });
        let profile: string | null = null;
        try {
            const selected = selectedProfile(config, {});
            if (selected == null) return { templates, llm: null, profile, unavailable: "the LLM is off (llm.enabled: false)" };
            profile = selected.name;
            if (!fs.existsSync(selected.modelFile)) return { templates, llm: null, profile, unavailable: `its model ${selected.modelFile} is not on disk; ${howToGetModel(selected)}` };
            const llm = await loadLlmRecognizer(selected, config, this.log);
            await llm.setIntents(specs);
            return { templates, llm, profile, unavailable: "" };
        } catch (error) {
            return { templates, llm: null, profile, unavailable: errorMessage(error) };
        }
    }
}
