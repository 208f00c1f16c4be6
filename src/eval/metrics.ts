import { normalizedText } from "../template/index.ts";
import type { EvalCase } from "./dataset.ts";

/** What the recognizer chose for one case (`intent: null` for no action) and how long it took. */
export interface Prediction {
    intent: string | null;
    args: Record<string, unknown>;
    latencyMs: number;
    /** The engine that chose the action; null when there was none. */
    engine: string | null;
    /** hark asked before acting (the intent is the one it would run on "yes"): not an action, but not silence either. */
    asked?: boolean;
    /** How sure the engine that chose the intent was. */
    confidence?: number;
    /**
     * With no action: the stage that stopped the turn ("transcript" for speech rejected before any engine saw it,
     * an engine's name when it refused or fell below its threshold, "no match" when no engine answered).
     */
    stoppedBy?: string;
}

/** Precision, recall and F1 with the counts behind them. */
export interface Score {
    precision: number;
    recall: number;
    f1: number;
    truePositives: number;
    falsePositives: number;
    falseNegatives: number;
}

/** The numbers `hark eval` reports. */
export interface EvalReport {
    cases: number;
    intentAccuracy: number;
    /** Share of cases whose whole outcome was right: the intent (or no action) and every argument, no more, no fewer. */
    exactRate: number;
    /** Share of `expect: null` cases where an action was chosen anyway (a question asked first is not counted). */
    falseActionRate: number;
    nullCases: number;
    /** `expect: null` cases where hark asked whether to act (a confirmation question). */
    questionsOnNoAction: number;
    /** Micro-averaged over every slot. */
    slotF1: number;
    slots: Record<string, Score> & { all: Score };
    /** expected intent (or "none") → predicted intent (or "none") → count. */
    confusion: Record<string, Record<string, number>>;
    /** Which engine answered, by count (none included). */
    engines: Record<string, number>;
    /** False actions (an action on a no-action case), by the engine that chose them: where a regression comes from. */
    falseActionsBySource: Record<string, number>;
    /** Cases that should have caused an action but caused none, by the stage that stopped them. */
    missedBySource: Record<string, number>;
    latencyMs: { p50: number; p95: number; mean: number };
    /** The cases that went wrong, for reading. */
    errors: Array<{ text: string; expect: EvalCase["expect"]; got: { intent: string | null; args: Record<string, unknown> } }>;
}

/** Compares slot values the way a listener would: case, punctuation and number spelling do not matter. */
export function normalizeSlotValue(value: unknown): string {
    return normalizedText(String(value));
}

/** Arguments in the form they are compared in: keys sorted, each value through {@link normalizeSlotValue}. */
export function normalizeArgs(args: Record<string, unknown>): Record<string, string> {
    return Object.fromEntries(Object.entries(args).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, normalizeSlotValue(v)]));
}

/** Whether two argument objects say the same thing, as {@link normalizeArgs} compares them. */
export function sameArgs(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
    return JSON.stringify(normalizeArgs(a)) === JSON.stringify(normalizeArgs(b));
}

function score(tp: number, fp: number, fn: number): Score {
    const precision = tp + fp === 0 ? 1 : tp / (tp + fp);
    const recall = tp + fn === 0 ? 1 : tp / (tp + fn);
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    return { precision: round(precision), recall: round(recall), f1: round(f1), truePositives: tp, falsePositives: fp, falseNegatives: fn };
}

/** Scores predictions against their cases (same order). */
export function computeReport(cases: readonly EvalCase[], predictions: readonly Prediction[]): EvalReport {
    let correct = 0;
    let exact = 0;
    let nullCases = 0;
    let falseActions = 0;
    let questions = 0;
    const counts = new Map<string, { tp: number; fp: number; fn: number }>();
    const count = (slot: string) => counts.get(slot) ?? counts.set(slot, { tp: 0, fp: 0, fn: 0 }).get(slot)!;
    const confusion: EvalReport["confusion"] = {};
    const engines: Record<string, number> = {};
    const falseActionsBySource: Record<string, number> = {};
    const missedBySource: Record<string, number> = {};
    const tally = (into: Record<string, number>, key: string): void => void (into[key] = (into[key] ?? 0) + 1);
    const errors: EvalReport["errors"] = [];

    cases.forEach((c, i) => {
        const p = predictions[i]!;
        const expected = c.expect?.intent ?? null;
        const ok = expected === p.intent;
        if (ok) correct++;
        if (expected === null) {
            nullCases++;
            if (p.intent !== null && p.asked) questions++;
            else if (p.intent !== null) {
                falseActions++;
                tally(falseActionsBySource, p.engine ?? "unknown");
            }
        } else if (p.intent === null) {
            tally(missedBySource, p.stoppedBy ?? "no match");
        }
        const row = (confusion[expected ?? "none"] ??= {});
        row[p.intent ?? "none"] = (row[p.intent ?? "none"] ?? 0) + 1;
        engines[p.engine ?? "none"] = (engines[p.engine ?? "none"] ?? 0) + 1;

        const want = new Map(Object.entries(c.expect?.args ?? {}).map(([k, v]) => [k, normalizeSlotValue(v)]));
        const got = new Map(p.intent === null ? [] : Object.entries(p.args).map(([k, v]) => [k, normalizeSlotValue(v)]));
        let slotsOk = true;
        for (const [slot, value] of got) {
            if (want.get(slot) === value) count(slot).tp++;
            else {
                count(slot).fp++;
                slotsOk = false;
            }
        }
        for (const [slot, value] of want) {
            if (got.get(slot) !== value) {
                count(slot).fn++;
                slotsOk = false;
            }
        }
        if (ok && slotsOk) exact++;
        else errors.push({ text: c.text, expect: c.expect, got: { intent: p.intent, args: p.args } });
    });

    const slots: Record<string, Score> = {};
    let tp = 0, fp = 0, fn = 0;
    for (const [slot, c] of [...counts].sort(([a], [b]) => a.localeCompare(b))) {
        slots[slot] = score(c.tp, c.fp, c.fn);
        tp += c.tp;
        fp += c.fp;
        fn += c.fn;
    }
    const all = score(tp, fp, fn);
    const latencies = predictions.map((p) => p.latencyMs);
    return {
        cases: cases.length,
        intentAccuracy: round(cases.length ? correct / cases.length : 0),
        exactRate: round(cases.length ? exact / cases.length : 0),
        falseActionRate: round(nullCases ? falseActions / nullCases : 0),
        nullCases,
        questionsOnNoAction: questions,
        slotF1: all.f1,
        slots: { ...slots, all },
        confusion,
        engines,
        falseActionsBySource,
        missedBySource,
        latencyMs: { p50: round(percentile(latencies, 0.5)), p95: round(percentile(latencies, 0.95)), mean: round(mean(latencies)) },
        errors
    };
}

/** The nearest-rank `q` quantile (0..1) of `values` (any order); 0 for none. */
export function percentile(values: readonly number[], q: number): number {
    if (values.length === 0) return 0;
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** The arithmetic mean; 0 for none. */
export function mean(values: readonly number[]): number {
    return values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
}

function round(n: number): number {
    return Math.round(n * 10000) / 10000;
}
