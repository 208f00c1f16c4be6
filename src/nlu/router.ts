import { NONE_TOOL, type IntentSpec } from "../intents/types.ts";
import { resolveDates } from "../resolve/dates.ts";
import { trimNames } from "../resolve/names.ts";
import { DecisionPolicy, type Decision, type TextEvidence } from "./decision.ts";
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
    /** Why the router took or passed over this answer ("none": the engine decided that no intent fits). */
    verdict: "accepted" | "no match" | "none" | "below threshold" | "error";
    error?: string;
}

/**
 * The router's answer: what to do (the decision), the engine's answer it is about (null when nothing was
 * understood), and every attempt that led to it.
 */
export interface RouterResult {
    /** The accepted answer, or the one to confirm; null when the turn is turned down. */
    recognition: Recognition | null;
    attempts: RouterAttempt[];
    decision: Decision;
}

/** Options for one {@link RecognizerRouter.recognize}. */
export interface RecognizeOptions {
    signal?: AbortSignal;
    /** What is known of the text before it is read (how sure its transcript is). */
    evidence?: TextEvidence;
    /** When the request was made, for its dates ("tomorrow"). Defaults to now. */
    now?: Date;
}

/**
 * Asks engines in order (templates first, then the LLM) and takes the first confident answer, then decides what to do
 * with it ({@link DecisionPolicy}: act, turn down or ask first). An engine that answers {@link NONE_TOOL} has decided
 * nothing fits: the turn is refused without asking further engines.
 */
export class RecognizerRouter {
    private stages: RouterStage[];
    private intents: readonly IntentSpec[];
    private byName: ReadonlyMap<string, IntentSpec>;

    /**
     * `intents`: what the given engines were built with (engines added later by {@link replace} get them too).
     * `policy`: the decision; by default every confident answer is acted on.
     */
    public constructor(stages: readonly RouterStage[], intents: readonly IntentSpec[] = [], private readonly policy = new DecisionPolicy({ minTranscriptConfidence: 0, sureTranscriptConfidence: 0 })) {
        this.stages = [...stages];
        this.intents = intents;
        this.byName = new Map(intents.map((i) => [i.name, i]));
    }

    /**
     * Puts `stage` in place of the engine with the same name (or appends it), giving it the current intents first;
     * with `stage` null, removes engine `name`. Returns the engine replaced, for the caller to dispose.
     */
    public async replace(name: string, stage: RouterStage | null): Promise<Recognizer | null> {
        const intents = this.intents;
        if (stage) await stage.recognizer.setIntents(intents);
        const index = this.stages.findIndex((s) => s.recognizer.name === name);
        const old = index >= 0 ? this.stages[index]!.recognizer : null;
        const next = [...this.stages];
        if (index >= 0 && stage) next[index] = stage;
        else if (index >= 0) next.splice(index, 1);
        else if (stage) next.push(stage);
        this.stages = next;
        // Intents that changed while the new engine was being set up reached only the old stages.
        if (stage && this.intents !== intents) await stage.recognizer.setIntents(this.intents);
        return old;
    }

    /** Changes the confidence engine `name` must reach; the engine itself stays as it is. */
    public setMinConfidence(name: string, minConfidence: number): void {
        this.stages = this.stages.map((s) => (s.recognizer.name === name ? { ...s, minConfidence } : s));
    }

    /** Passes new intents to every engine. */
    public async setIntents(intents: readonly IntentSpec[]): Promise<void> {
        this.intents = intents;
        this.byName = new Map(intents.map((i) => [i.name, i]));
        for (const stage of this.stages) await stage.recognizer.setIntents(intents);
    }

    public async recognize(text: string, options: RecognizeOptions = {}): Promise<RouterResult> {
        const evidence = options.evidence ?? {};
        const screened = this.policy.screen(evidence);
        if (screened) return { recognition: null, attempts: [], decision: screened };
        const attempts: RouterAttempt[] = [];
        for (const { recognizer, minConfidence } of this.stages) {
            const started = performance.now();
            try {
                const result = await recognizer.recognize(text, options.signal);
                const durationMs = performance.now() - started;
                const verdict = result == null ? "no match" : result.confidence < minConfidence ? "below threshold" : result.intent === NONE_TOOL ? "none" : "accepted";
                attempts.push({ engine: recognizer.name, result, durationMs, verdict });
                if (verdict === "none") return { recognition: null, attempts, decision: { verdict: "reject", reason: `the ${recognizer.name} engine found that no intent fits` } };
                if (verdict !== "accepted") continue;
                const spec = this.byName.get(result!.intent);
                // Names and dates are settled before the decision, so it judges what the handler would get.
                const answer = spec ? await this.settleNames(result!, spec, text, recognizer, minConfidence, options) : result!;
                const decision = await this.policy.decide(answer, spec, evidence, text);
                return { recognition: decision.verdict === "reject" ? null : answer, attempts, decision };
            } catch (error) {
                attempts.push({ engine: recognizer.name, result: null, durationMs: performance.now() - started, verdict: "error", error: (error as Error).message });
            }
        }
        const unsure = attempts.filter((a) => a.verdict === "below threshold").map((a) => `${a.engine} ${a.result!.intent} at ${Math.round(a.result!.confidence * 1000) / 1000}`);
        return { recognition: null, attempts, decision: { verdict: "reject", reason: unsure.length ? `no answer was sure enough (${unsure.join(", ")})` : "no engine understood it" } };
    }

    /**
     * Takes a date said anywhere into the intent's date argument and resolves it; when the date had split or swallowed
     * a name, the sentence is read again without it (same engine, same intent) for the names. Then takes the phrases
     * their slots declare as no part of a name off the names.
     */
    private async settleNames(result: Recognition, spec: IntentSpec, text: string, recognizer: Recognizer, minConfidence: number, options: RecognizeOptions): Promise<Recognition> {
        if (!spec.dates?.length) return { ...result, args: trimNames(spec, result.args) };
        const dated = resolveDates(spec, result.args, text, options.now ?? new Date());
        let args = dated.args;
        let detail = result.detail;
        if (dated.rest) {
            const again = await recognizer.recognize(dated.rest, options.signal).catch(() => null);
            if (again?.intent === result.intent && again.confidence >= minConfidence) {
                const first = spec.dates[0]!;
                args = { ...again.args, [first]: dated.args[first] };
                detail = { ...detail, readAgainWithoutDate: dated.rest };
            }
        }
        return { ...result, args: trimNames(spec, args), resolved: dated.resolved, ...(detail ? { detail } : {}) };
    }

    public async dispose(): Promise<void> {
        for (const stage of [...this.stages].reverse()) await stage.recognizer.dispose?.();
    }
}
