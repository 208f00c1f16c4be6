// What running a user's code intent in a worker thread costs: the dispatch stage's time per turn, in the worker and in
// hark's own thread, and the memory each intent's worker adds.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { validateConfig } from "../src/config/load.ts";
import { silentLogger } from "../src/log/logger.ts";
import { Assistant } from "../src/pipeline/assistant.ts";

const turns = Number(process.env.HARK_BENCH_TURNS ?? 500);
const workers = 5;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hark-bench-isolation-"));
for (let i = 0; i < workers; i++) {
    fs.writeFileSync(path.join(dir, `ping${i}.ts`), `import { defineIntent } from "hark";
export default defineIntent({ name: "ping_${i}", description: "answers", sentences: ["ping ${["one", "two", "three", "four", "five"][i]}"],
    async handler({ state }) { await state.set("pinged", ${i}); return "pong"; } });`);
}
const rssMiB = (): number => Math.round(process.memoryUsage().rss / 1048576 * 10) / 10;
const percentile = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) * p)]!;

console.log(`\nhandler isolation (${turns} turns of a user intent that writes state and answers)`);
for (const isolation of ["none", "worker"] as const) {
    const config = validateConfig({ paths: { dataDir: fs.mkdtempSync(path.join(dir, "data-")), intentsDirs: [dir] }, trace: { enabled: false }, dispatch: { isolation } });
    const assistant = await Assistant.create({ config, log: silentLogger(), ephemeralState: true });
    const before = rssMiB();
    const times: number[] = [];
    for (let t = 0; t < turns; t++) {
        const record = await assistant.handleText("ping one");
        if (record.reply !== "pong") throw new Error(`unexpected reply: ${record.reply}`);
        if (t > 0) times.push(record.stages.find((s) => s.name === "dispatch")!.durationMs);
    }
    for (const word of ["two", "three", "four", "five"]) await assistant.handleText(`ping ${word}`);
    const after = rssMiB();
    console.log(`  ${isolation.padEnd(7)} dispatch p50 ${percentile(times, 0.5).toFixed(2)} ms, p95 ${percentile(times, 0.95).toFixed(2)} ms; RSS ${before} → ${after} MiB with ${workers} intents run${isolation === "worker" ? ` (${((after - before) / workers).toFixed(1)} MiB a worker)` : ""}`);
    await assistant.dispose();
}
fs.rmSync(dir, { recursive: true, force: true });
