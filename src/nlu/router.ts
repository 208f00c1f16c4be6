import type { IntentSpec } from "../intents/types.ts";
import type { Recognition, Recognizer } from "./recognizer.ts";

/** One engine and the confidence it must reach for its answer to be taken. */
export interface RouterStage {
    recognizer: Recognizer;
    minConfidence: number;
}

/** What one engine said during routing, for the trace. */
export interface RouterAttempt {
    engine: string;
    result: Recognition | null;
    durationMs: number;
    /** Why the router took or passed over this answer. */
    verdict: "accepted" | "no match" | "below threshold" | "error";
    error?: string;
}

/** The router's answer: the accepted recognition (or null) and every attempt that led to it. */
export interface RouterResult {
    recognition: Recognition | null;
    attempts: RouterAttempt[];
}

/** Asks engines in order (templates first, the LLM later) and takes the first confident answer. */
export class RecognizerRouter {
    public constructor(private readonly stages: readonly RouterStage[]) {}

    /** Passes new intents to every engine. */
    public async setIntents(intents: readonly IntentSpec[]): Promise<void> {
        for (const stage of this.stages) await stage.recognizer.setIntents(intents);
    }

    public async recognize(text: string, signal?: AbortSignal): Promise<RouterResult> {
        const attempts: RouterAttempt[] = [];
        for (const { recognizer, minConfidence } of this.stages) {
            const started = performance.now();
            try {
                const result = await recognizer.recognize(text, signal);
                const durationMs = performance.now() - started;
                const verdict = result == null ? "no match" : result.confidence >= minConfidence ? "accepted" : "below threshold";
                attempts.push({ engine: recognizer.name, result, durationMs, verdict });
                if (verdict === "accepted") return { recognition: result, attempts };
            } catch (error) {
                attempts.push({ engine: recognizer.name, result: null, durationMs: performance.now() - started, verdict: "error", error: (error as Error).message });
            }
        }
        return { recognition: null, attempts };
    }

    public async dispose(): Promise<void> {
        for (const stage of [...this.stages].reverse()) await stage.recognizer.dispose?.();
    }
}
