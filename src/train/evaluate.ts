import type { Logger } from "pino";
import type { HarkConfig } from "../config/schema.ts";
import type { EvalCase } from "../eval/dataset.ts";
import type { EvalReport } from "../eval/metrics.ts";
import { runEval } from "../eval/run.ts";
import type { LoraAdapter } from "../llm/profile.ts";
import { Assistant } from "../pipeline/assistant.ts";

/** A model file and its adapters, as a training run produced them. */
export interface ModelUnderTest {
    model: string;
    lora: LoraAdapter[];
}

/**
 * Scores a model (with adapters) on labelled sentences. `engines: "model"` asks the model alone (what training
 * changes); `"router"` asks the templates first, as hark does when it runs.
 */
export async function evaluateModel(options: { config: HarkConfig; log: Logger; subject: ModelUnderTest; cases: readonly EvalCase[]; engines: "model" | "router" }): Promise<EvalReport> {
    const { config, log, subject } = options;
    const assistant = await Assistant.create({
        config: { ...config, trace: { ...config.trace, enabled: false } }, log, ephemeralState: true,
        llm: { profile: "hark-intent", model: subject.model, lora: subject.lora }
    });
    try {
        if (options.engines === "model") await assistant.router.replace("template", null);
        return await runEval(assistant.router, options.cases);
    } finally {
        await assistant.dispose();
    }
}
