// `npm run bench` (LLM part): per-turn recognition latency and evaluated tokens with and without prompt-prefix reuse,
// and how many of the project's eval sentences the templates answer before the LLM is asked. Numbers, not pass/fail.
// HARK_BENCH_MODEL=/path/model.gguf adds a downloaded model (accuracy on the eval file, through templates + LLM).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { validateConfig } from "../src/config/load.ts";
import { readEvalFile } from "../src/eval/dataset.ts";
import { mean, percentile } from "../src/eval/metrics.ts";
import { runEval } from "../src/eval/run.ts";
import { loadIntentDirs } from "../src/intents/load.ts";
import { resolveProfile } from "../src/llm/profile.ts";
import { loadLlm } from "../src/llm/runtime.ts";
import { silentLogger } from "../src/log/logger.ts";
import { loadCatalog } from "../src/models/catalog.ts";
import { ModelStore } from "../src/models/store.ts";
import { LlmRecognizer, type LlmTurnDetail } from "../src/nlu/llm.ts";
import { builtinIntentsDir, packageRoot } from "../src/paths.ts";
import { Assistant } from "../src/pipeline/assistant.ts";

const shared = process.env.HARK_SHARED_DIR ?? path.resolve(packageRoot, "..", "shared");
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "hark-bench-llm-"));
const config = validateConfig({ paths: { dataDir }, trace: { enabled: false }, llm: { minConfidence: 0 } });
const store = new ModelStore(config.paths.modelsDir, loadCatalog());
const intents = (await loadIntentDirs([builtinIntentsDir])).intents.map((i) => i.spec);
const evalCases = readEvalFile(path.join(packageRoot, "test", "eval", "hark.jsonl"));
const sentences = evalCases.map((c) => c.text).slice(0, 24);

console.log("\nLLM recognition per turn (node-llama-cpp, CPU, grammar-constrained; " + `${sentences.length} eval sentences, ${os.availableParallelism()} threads)`);
console.log("These tiny test models only measure hark's own overhead (prompt handling, grammar, reuse). Real-model figures need a");
console.log("downloaded model: hark models pull qwen2.5-0.5b-instruct, then HARK_BENCH_MODEL=models/qwen2.5-0.5b-instruct-q4_k_m.gguf npm run bench");
console.log("model                       reuse  prefix tok  evaluated tok/turn  generated tok  p50 ms  p95 ms  load+prompt ms");
const models = [path.join(shared, "models", "llm", "llama-2-tiny-random.gguf"), path.join(shared, "models", "llm", "stories260K.gguf"), process.env.HARK_BENCH_MODEL]
    .filter((f): f is string => f != null && fs.existsSync(f));
for (const model of models) {
    for (const reusePrefix of [true, false]) {
        const started = performance.now();
        const llm = await loadLlm(resolveProfile(config.llm, store, { model }), { gpu: false, log: silentLogger() });
        const recognizer = new LlmRecognizer({ llm, examplesPerIntent: config.llm.examplesPerIntent, maxArgumentLength: config.llm.maxArgumentLength, log: silentLogger(), reusePrefix });
        await recognizer.setIntents(intents);
        const setupMs = performance.now() - started;
        const ms: number[] = [];
        const evaluated: number[] = [];
        const generated: number[] = [];
        for (const sentence of sentences) {
            const t = performance.now();
            const detail = (await recognizer.recognize(sentence).catch(() => null))?.detail as LlmTurnDetail | undefined;
            ms.push(performance.now() - t);
            if (detail) {
                evaluated.push(detail.evaluatedTokens);
                generated.push(detail.generatedTokens);
            }
        }
        console.log(`${path.basename(model).padEnd(27)} ${(reusePrefix ? "yes" : "no").padEnd(5)} ${String(recognizer.prefixLength).padStart(10)} ${mean(evaluated).toFixed(1).padStart(19)} ${mean(generated).toFixed(1).padStart(14)} ${percentile(ms, 0.5).toFixed(0).padStart(7)} ${percentile(ms, 0.95).toFixed(0).padStart(7)} ${setupMs.toFixed(0).padStart(15)}`);
        await recognizer.dispose();
    }
}
if (models.length === 0) console.log(`(no model found under ${shared}/models/llm: skipped)`);

// Routing: which engine answers the project's eval file.
const templatesOnly = await Assistant.create({ config, log: silentLogger(), ephemeralState: true, llm: false });
const report = await runEval(templatesOnly.router, evalCases);
await templatesOnly.dispose();
const byTemplates = report.engines.template ?? 0;
console.log(`\nrouter on test/eval/hark.jsonl: templates answer ${byTemplates} of ${report.cases} sentences (${((byTemplates / report.cases) * 100).toFixed(1)}%); the LLM is asked for the other ${report.cases - byTemplates} (${report.nullCases} of all are meant to get no action)`);
if (process.env.HARK_BENCH_MODEL) {
    const withLlm = await Assistant.create({ config, log: silentLogger(), ephemeralState: true, llm: { model: process.env.HARK_BENCH_MODEL } });
    const r = await runEval(withLlm.router, evalCases);
    await withLlm.dispose();
    console.log(`templates + ${path.basename(process.env.HARK_BENCH_MODEL)}: intent accuracy ${(r.intentAccuracy * 100).toFixed(1)}%, false actions ${(r.falseActionRate * 100).toFixed(1)}%, slot F1 ${(r.slotF1 * 100).toFixed(1)}%, answered by ${JSON.stringify(r.engines)}`);
}
fs.rmSync(dataDir, { recursive: true, force: true });
