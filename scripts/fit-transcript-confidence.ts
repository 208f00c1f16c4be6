// Fits the grammar engine's transcript confidence (src/stt/grammar.ts, CONFIDENCE_WEIGHTS) on labelled speech: the
// rows the speech benchmark writes when every transcript is acted on, so each row says what the turn would do.
//
//   HARK_BENCH_STT='{"minConfidence":0,"askBelowConfidence":0}' HARK_BENCH_PACED=0 HARK_BENCH_ROWS=rows.jsonl node --import tsx scripts/bench-voice.ts
//   node --import tsx scripts/fit-transcript-confidence.ts rows.jsonl
//
// A logistic regression over the two decodings' comparison (GrammarFit): a row is positive when the transcript led
// to the intent the speaker meant. The groups that are hold-outs (HARK_FIT_HOLDOUT, a regex on the group's name) are
// left out. 0.5 is put where RIGHT_TURNED_DOWN of the training rows' right answers fall below; the confidences below
// which RIGHT_REJECTED and RIGHT_ASKED of them fall are printed for stt.minConfidence and stt.askBelowConfidence.
import fs from "node:fs";
import type { GrammarFit } from "../src/stt/grammar.ts";

// HARK_FIT_FEATURES=a,b picks other fields of GrammarFit to fit on.
const FIT_FIELDS = ["scorePerFrame", "acousticPerFrame", "worstWordPerFrame", "words", "speechShare"] as const satisfies ReadonlyArray<keyof GrammarFit>;
const FEATURES = (process.env.HARK_FIT_FEATURES ?? "scorePerFrame,worstWordPerFrame").split(",").map((f) => {
    if (!(FIT_FIELDS as readonly string[]).includes(f)) throw new Error(`HARK_FIT_FEATURES: ${f} is not one of ${FIT_FIELDS.join(", ")}`);
    return f as keyof GrammarFit;
});
const RIGHT_TURNED_DOWN = 0.03;
const RIGHT_REJECTED = 0.02;
const RIGHT_ASKED = 0.2;
const L2 = 0.01;
const STEPS = 3000;
const RATE = 0.5;

interface Row {
    group: string;
    expect: { intent: string } | null;
    heard: { fit?: GrammarFit } | null;
    prediction: { intent: string | null; asked?: boolean };
}

const file = process.argv[2];
if (!file) {
    console.error("usage: fit-transcript-confidence.ts ROWS.jsonl (from scripts/bench-voice.ts with HARK_BENCH_ROWS)");
    process.exit(2);
}
const holdout = new RegExp(process.env.HARK_FIT_HOLDOUT ?? "fourth hold-out|fifth hold-out|sixth hold-out|seventh hold-out|eighth hold-out|ninth hold-out|tenth hold-out|in scope, hold-out|in scope, second hold-out|in scope, third hold-out|in scope, fourth hold-out");
const rows = fs.readFileSync(file, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as Row)
    .filter((r) => r.heard?.fit && !holdout.test(r.group));
const x = rows.map((r) => FEATURES.map((f) => r.heard!.fit![f]));
const y = rows.map((r) => (r.expect != null && r.prediction.intent === r.expect.intent ? 1 : 0));

const mean = FEATURES.map((_, j) => x.reduce((a, row) => a + row[j]!, 0) / x.length);
const sd = FEATURES.map((_, j) => Math.sqrt(x.reduce((a, row) => a + (row[j]! - mean[j]!) ** 2, 0) / x.length) || 1);
const z = x.map((row) => row.map((v, j) => (v - mean[j]!) / sd[j]!));
const sigmoid = (t: number) => 1 / (1 + Math.exp(-t));
let w = FEATURES.map(() => 0);
let b = 0;
for (let step = 0; step < STEPS; step++) {
    const gradient = FEATURES.map(() => 0);
    let gradientB = 0;
    z.forEach((row, i) => {
        const error = sigmoid(row.reduce((a, v, j) => a + v * w[j]!, b)) - y[i]!;
        row.forEach((v, j) => (gradient[j]! += error * v));
        gradientB += error;
    });
    w = w.map((wj, j) => wj - RATE * (gradient[j]! / z.length + L2 * wj));
    b -= (RATE * gradientB) / z.length;
}

// Back to the features' own units, with 0.5 moved to the chosen threshold.
const raw = w.map((wj, j) => wj / sd[j]!);
const intercept = b - w.reduce((a, wj, j) => a + (wj * mean[j]!) / sd[j]!, 0);
const scores = x.map((row) => row.reduce((a, v, j) => a + v * raw[j]!, intercept));
const right = scores.filter((_, i) => y[i] === 1).sort((p, q) => p - q);
const threshold = right[Math.floor(RIGHT_TURNED_DOWN * right.length)]!;
const bias = intercept - threshold;
const positives = scores.filter((_, i) => y[i] === 1);
const negatives = scores.filter((_, i) => y[i] === 0);
const auc = positives.reduce((a, p) => a + negatives.reduce((c, n) => c + (p > n ? 1 : p === n ? 0.5 : 0), 0), 0) / (positives.length * negatives.length);
const sure = right.filter((s) => sigmoid(s - threshold) < 0.9).length;

console.log(`${rows.length} rows (${positives.length} right answers), hold-outs left out: ${holdout.source}`);
console.log(`area under the ROC curve ${auc.toFixed(3)}; right answers below 0.5: ${Math.floor(RIGHT_TURNED_DOWN * right.length)}, below 0.9: ${sure}`);
console.log(`CONFIDENCE_WEIGHTS = { features: { ${FEATURES.map((f, j) => `${f}: ${raw[j]!.toFixed(5)}`).join(", ")} }, bias: ${bias.toFixed(4)} }`);
const at = (share: number) => sigmoid(right[Math.floor(share * right.length)]! - threshold);
const minConfidence = at(RIGHT_REJECTED);
const askBelow = at(RIGHT_ASKED);
console.log(`right answers: ${RIGHT_REJECTED * 100} % below ${minConfidence.toFixed(3)} (stt.minConfidence), ${RIGHT_ASKED * 100} % below ${askBelow.toFixed(3)} (stt.askBelowConfidence)`);

// What the training rows would come to at those thresholds: turned down below the first, asked below the second (or
// when the turn asked anyway, as a heard change of state does), acted on above.
const outcome = { commands: { acted: 0, asked: 0, down: 0 }, noAction: { acted: 0, asked: 0, down: 0 } };
rows.forEach((r, i) => {
    const confidence = sigmoid(scores[i]! - threshold);
    const tally = r.expect ? outcome.commands : outcome.noAction;
    if (r.prediction.intent == null || confidence < minConfidence) tally.down++;
    else if (r.prediction.asked || confidence < askBelow) tally.asked++;
    else tally.acted++;
});
const line = (t: typeof outcome.commands) => `${t.acted} acted on, ${t.asked} asked about, ${t.down} turned down`;
console.log(`at these thresholds, training rows: commands ${line(outcome.commands)}; requests that expect no action ${line(outcome.noAction)}`);
