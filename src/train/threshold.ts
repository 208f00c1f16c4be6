import type { EvalCase } from "../eval/dataset.ts";
import type { Prediction } from "../eval/metrics.ts";

/** A confidence threshold and what acting only above it does on the sentences it was chosen on. */
export interface ThresholdChoice {
    minConfidence: number;
    /** Share of no-action sentences that still get an action. */
    falseActionRate: number;
    /** Share of all sentences answered right (the intent, or no action). */
    intentAccuracy: number;
}

/**
 * The lowest confidence threshold at which false actions (an action on a sentence that must cause none) stay within
 * `targetFalseActionRate`, from predictions made with no threshold at all. Lower thresholds keep more right answers,
 * so the lowest that meets the target costs the least accuracy. When none meets it, the one with the fewest false
 * actions.
 */
export function chooseMinConfidence(cases: readonly EvalCase[], predictions: readonly Prediction[], targetFalseActionRate: number): ThresholdChoice {
    const candidates = [...new Set([0, ...predictions.map((p) => p.confidence ?? 0)])].sort((a, b) => a - b);
    const nullCases = cases.filter((c) => c.expect == null).length;
    let best: ThresholdChoice | null = null;
    for (const t of candidates) {
        let falseActions = 0;
        let right = 0;
        cases.forEach((c, i) => {
            const p = predictions[i]!;
            const acted = p.intent != null && (p.confidence ?? 0) >= t;
            if (c.expect == null) {
                if (acted) falseActions++;
                else right++;
            } else if (acted && p.intent === c.expect.intent) right++;
        });
        const choice = { minConfidence: t, falseActionRate: nullCases ? falseActions / nullCases : 0, intentAccuracy: cases.length ? right / cases.length : 0 };
        if (choice.falseActionRate <= targetFalseActionRate) return choice;
        if (best == null || choice.falseActionRate < best.falseActionRate) best = choice;
    }
    return best ?? { minConfidence: 0, falseActionRate: 0, intentAccuracy: 0 };
}
