// `npm run bench`: prints speed and memory figures for the text loop. Numbers, not pass/fail.
import fs from "node:fs";
import path from "node:path";
import { validateConfig } from "../src/config/load.ts";
import { readEvalFile, type EvalCase } from "../src/eval/dataset.ts";
import { runEval } from "../src/eval/run.ts";
import { loadIntentDirs } from "../src/intents/load.ts";
import { silentLogger } from "../src/log/logger.ts";
import { builtinIntentsDir, packageRoot } from "../src/paths.ts";
import { Assistant } from "../src/pipeline/assistant.ts";

const sharedData = path.join(process.env.HARK_SHARED_DIR ?? path.resolve(packageRoot, "..", "shared"), "data");
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

let started = performance.now();
const set = await loadIntentDirs([builtinIntentsDir]);
console.log(`intent loading: ${set.intents.length} intents in ${(performance.now() - started).toFixed(0)} ms (first load, esbuild warm-up included)`);

const config = validateConfig({ paths: { dataDir: fs.mkdtempSync(path.join("/tmp", "hark-bench-")) }, trace: { enabled: false } });
started = performance.now();
const assistant = await Assistant.create({ config, log: silentLogger(), ephemeralState: true, llm: false });
console.log(`assistant start-up: ${(performance.now() - started).toFixed(0)} ms`);

const files: Array<[string, EvalCase[]]> = [["test/eval/hark.jsonl", readEvalFile(path.join(packageRoot, "test", "eval", "hark.jsonl"))]];
for (const name of ["slurp_devel.jsonl", "snips_train.jsonl"]) {
    const file = path.join(sharedData, name);
    if (fs.existsSync(file)) files.push([name, readEvalFile(file)]);
    else console.log(`(${file} not found: skipped)`);
}

console.log("\nrecognition latency per sentence (template engine; exact pass, then fuzzy when nothing matches exactly)");
console.log("file                     cases   p50 ms   p95 ms  mean ms  sentences/s  accuracy  false actions  slot F1");
for (const [name, cases] of files) {
    await runEval(assistant.router, cases.slice(0, 200)); // warm-up
    started = performance.now();
    const r = await runEval(assistant.router, cases);
    const seconds = (performance.now() - started) / 1000;
    console.log(`${name.padEnd(24)} ${String(r.cases).padStart(5)} ${r.latencyMs.p50.toFixed(2).padStart(8)} ${r.latencyMs.p95.toFixed(2).padStart(8)} ${r.latencyMs.mean.toFixed(2).padStart(8)} ${(r.cases / seconds).toFixed(0).padStart(12)} ${(r.intentAccuracy * 100).toFixed(1).padStart(8)}% ${(r.falseActionRate * 100).toFixed(1).padStart(12)}% ${(r.slotF1 * 100).toFixed(1).padStart(7)}%`);
}

started = performance.now();
const turns = 50;
for (let i = 0; i < turns; i++) await assistant.handleText("set a timer for five minutes");
console.log(`\nfull text turn (recognize + dispatch set_timer + state write): ${((performance.now() - started) / turns).toFixed(2)} ms mean over ${turns}`);
await assistant.dispose();

const memory = process.memoryUsage();
console.log(`memory after the runs: rss ${mb(memory.rss)}, heap used ${mb(memory.heapUsed)}`);
