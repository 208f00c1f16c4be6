import type { RecognizerRouter } from "../nlu/router.ts";
import type { EvalCase } from "./dataset.ts";
import { computeReport, type EvalReport, type Prediction } from "./metrics.ts";

/** Runs every case through the recognizers (handlers are not run) and scores the result. */
export async function runEval(router: RecognizerRouter, cases: readonly EvalCase[], onProgress?: (done: number) => void): Promise<EvalReport> {
    const predictions: Prediction[] = [];
    for (const c of cases) {
        const started = performance.now();
        const { recognition } = await router.recognize(c.text);
        predictions.push({
            intent: recognition?.intent ?? null,
            args: recognition?.args ?? {},
            latencyMs: performance.now() - started,
            engine: recognition?.source ?? null
        });
        if (onProgress && predictions.length % 500 === 0) onProgress(predictions.length);
    }
    return computeReport(cases, predictions);
}
