// `npm run bench` (part): hark's own intent model on the development split of real phrasings — accuracy, false
// actions, slot F1 and per-turn time, alone and behind the templates — then a LoRA adapter for a new intent, with its
// accuracy before and after and the time per training step. Numbers, not pass/fail.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { validateConfig } from "../src/config/load.ts";
import { loadIntentDirs } from "../src/intents/load.ts";
import { HARK_INTENT_MODEL } from "../src/llm/profile.ts";
import { silentLogger } from "../src/log/logger.ts";
import { builtinIntentsDir } from "../src/paths.ts";
import { evaluateModel } from "../src/train/evaluate.ts";
import { developmentSplit, sharedDataFiles, trainLora } from "../src/train/train.ts";

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const log = silentLogger();
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "hark-bench-model-"));
const config = validateConfig({ paths: { dataDir }, trace: { enabled: false }, llm: { enabled: true } });
const set = await loadIntentDirs([builtinIntentsDir]);
const real = sharedDataFiles();
const dev = developmentSplit(set.intents.map((i) => i.spec));
const groups: Array<[string, typeof dev]> = [
    ["all development sentences", dev],
    ...[...new Set(dev.map((c) => (c.source ?? "").split(":")[0]!))].map((s): [string, typeof dev] => [`  ${s}`, dev.filter((c) => (c.source ?? "").split(":")[0] === s)])
];
console.log(`hark-intent model ${path.basename(HARK_INTENT_MODEL)} (${(fs.statSync(HARK_INTENT_MODEL).size / 1e6).toFixed(1)} MB) on the development split${real.length ? "" : " (no shared data found: hand-written sentences only)"}`);
console.log("sentences                         engines      cases  accuracy  false actions  slot F1  p50 ms  p95 ms");
for (const engines of ["model", "router"] as const) {
    for (const [name, cases] of groups) {
        if (cases.length === 0) continue;
        const r = await evaluateModel({ config, log, subject: { model: HARK_INTENT_MODEL, lora: [] }, cases, engines });
        console.log(`${name.padEnd(33)} ${(engines === "model" ? "model" : "templates+m").padEnd(11)} ${String(r.cases).padStart(6)} ${pct(r.intentAccuracy).padStart(9)} ${pct(r.falseActionRate).padStart(14)} ${pct(r.slotF1).padStart(8)} ${r.latencyMs.p50.toFixed(1).padStart(7)} ${r.latencyMs.p95.toFixed(1).padStart(7)}`);
    }
}

// A new intent taught with LoRA (the same one as the test, at the command's default settings).
const intents = fs.mkdtempSync(path.join(os.tmpdir(), "hark-bench-intents-"));
fs.copyFileSync(path.join(import.meta.dirname, "..", "test", "fixtures", "turn_on_lights.yaml"), path.join(intents, "turn_on_lights.yaml"));
const loraConfig = validateConfig({ paths: { dataDir, intentsDirs: [builtinIntentsDir, intents] }, trace: { enabled: false } });
const started = performance.now();
const steps = 600;
const result = await trainLora({ config: loraConfig, log }, { baseModel: HARK_INTENT_MODEL, out: path.join(dataDir, "lights.gguf"), steps, rank: 8, replay: 3000, seed: 1, realFiles: real });
console.log(`\nLoRA for a new intent (turn_on_lights): ${steps} steps, ${result.run.msPerStep.toFixed(0)} ms/step, ${((performance.now() - started) / 1000).toFixed(0)} s with data and evaluation`);
for (const [name, after] of Object.entries(result.after)) {
    const before = result.before[name]!;
    console.log(`  ${name.padEnd(34)} ${String(after.cases).padStart(5)}  accuracy ${pct(before.intentAccuracy)} → ${pct(after.intentAccuracy)}  slot F1 ${pct(before.slotF1)} → ${pct(after.slotF1)}  false actions ${pct(before.falseActionRate)} → ${pct(after.falseActionRate)}`);
}
fs.rmSync(dataDir, { recursive: true, force: true });
fs.rmSync(intents, { recursive: true, force: true });
