import type { Logger } from "pino";
import type { HarkConfig } from "../config/schema.ts";
import type { EvalCase } from "../eval/dataset.ts";
import { computeReport, type EvalReport, type Prediction } from "../eval/metrics.ts";
import { predict } from "../eval/run.ts";
import type { LoraAdapter } from "../llm/profile.ts";
import { Assistant } from "../pipeline/assistant.ts";

/** A model file and its adapters, as a training run produced them. */
export interface ModelUnderTest {
    model: string;
    lora: LoraAdapter[];
}

/** What to score, on what, and how. */
export interface ModelEvaluation {
    config: HarkConfig;
    log: Logger;
    subject: ModelUnderTest;
    cases: readonly EvalCase[];
    /** `"model"` asks the model alone (what training changes); `"router"` asks the templates first, as hark does when it runs. */
    engines: "model" | "router";
    /** The model's threshold instead of the config's (or the model's own); 0 keeps every answer. */
    minConfidence?: number;
}

/** Scores a model (with adapters) on labelled sentences. */
export async function evaluateModel(options: ModelEvaluation): Promise<EvalReport> {
    return computeReport(options.cases, await modelPredictions(options));
}

/** What a model (with adapters) makes of each labelled sentence, in order. */
export async function modelPredictions(options: ModelEvaluation): Promise<Prediction[]> {
    const { config, log, subject } = options;
    const llm = options.minConfidence == null ? config.llm : { ...config.llm, minConfidence: options.minConfidence };
    const assistant = await Assistant.create({
        config: { ...config, llm, trace: { ...config.trace, enabled: false } }, log, ephemeralState: true,
        llm: { profile: "hark-intent", model: subject.model, lora: subject.lora }
    });
    try {
        if (options.engines === "model") await assistant.router.replace("template", null);
        return await predict(assistant.router, options.cases);
    } finally {
        await assistant.dispose();
    }
}
