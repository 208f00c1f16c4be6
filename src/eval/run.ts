import type { RecognizerRouter, RouterResult } from "../nlu/router.ts";
import type { TraceRecord } from "../trace/trace.ts";
import type { EvalCase } from "./dataset.ts";
import { computeReport, type EvalReport, type Prediction } from "./metrics.ts";

/** Runs every case through the recognizers (handlers are not run) and scores the result. */
export async function runEval(router: Pick<RecognizerRouter, "recognize">, cases: readonly EvalCase[], onProgress?: (done: number) => void): Promise<EvalReport> {
    return computeReport(cases, await predict(router, cases, onProgress));
}

/** What the recognizers make of every case (handlers are not run), in order. */
export async function predict(router: Pick<RecognizerRouter, "recognize">, cases: readonly EvalCase[], onProgress?: (done: number) => void): Promise<Prediction[]> {
    const predictions: Prediction[] = [];
    for (const c of cases) {
        const started = performance.now();
        const routed = await router.recognize(c.text);
        const { recognition } = routed;
        predictions.push({
            intent: recognition?.intent ?? null,
            args: recognition?.args ?? {},
            latencyMs: performance.now() - started,
            engine: recognition?.source ?? null,
            ...(recognition ? { confidence: recognition.confidence } : {}),
            ...(routed.decision.verdict === "confirm" ? { asked: true } : {}),
            ...(recognition ? {} : { stoppedBy: stoppedBy(routed) })
        });
        if (onProgress && predictions.length % 500 === 0) onProgress(predictions.length);
    }
    return predictions;
}

/**
 * Which stage stopped a turn that got no action: "transcript" when the decision turned the text down before any
 * engine read it, "decision" when it turned down an engine's answer, else the last engine that answered and was
 * passed over ("llm none", "template below threshold"), else "no match".
 */
export function stoppedBy(routed: Pick<RouterResult, "attempts" | "decision">): string {
    const decisive = routed.attempts.findLast((a) => a.verdict !== "no match" && a.verdict !== "error");
    if (routed.decision.verdict === "reject" && routed.attempts.length === 0) return "transcript";
    if (decisive?.verdict === "accepted") return `decision (${decisive.engine})`;
    return decisive ? `${decisive.engine} ${decisive.verdict}` : "no match";
}

/**
 * A finished turn's trace as a prediction: the tool call it made, or the stage that stopped it ("wake" when there
 * was no turn at all, "endpoint" when no speech was found, "transcript" when no usable text came of it, else the
 * router's verdicts as {@link stoppedBy} reads them).
 */
export function predictionFromTrace(record: TraceRecord | undefined): Prediction {
    const latencyMs = record?.stages.filter((s) => s.name === "transcribe" || s.name === "recognize").reduce((ms, s) => ms + s.durationMs, 0) ?? 0;
    if (record?.toolCall) return { intent: record.toolCall.name, args: record.toolCall.arguments, latencyMs, engine: record.toolCall.engine };
    const none = (stoppedBy: string): Prediction => ({ intent: null, args: {}, latencyMs, engine: null, stoppedBy });
    if (record == null) return none("wake");
    const recognize = record.stages.find((s) => s.name === "recognize");
    if (recognize == null) {
        const endpoint = record.stages.find((s) => s.name === "endpoint")?.output as { speech?: boolean } | undefined;
        return none(endpoint?.speech === false ? "endpoint" : "transcript");
    }
    const routed = recognize.output as { attempts?: RouterResult["attempts"]; decision?: RouterResult["decision"]; intent?: string | null; args?: Record<string, unknown> | null; engine?: string | null } | undefined;
    const decision = routed?.decision ?? { verdict: "reject", reason: "" };
    if (decision.verdict === "confirm" && routed?.intent) return { intent: routed.intent, args: routed.args ?? {}, latencyMs, engine: routed.engine ?? null, asked: true };
    return none(stoppedBy({ attempts: routed?.attempts ?? [], decision }));
}
