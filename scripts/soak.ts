// Soak: `hark run --text` answers typed sentences across every built-in intent, HARK_SOAK_TURNS of them (10,000 by
// default; HARK_SOAK_LLM=1 with the model loaded), while a `hark ask` process sets timers beside it; RSS is sampled every 500 turns. Prints RSS, the trace
// files' sizes against the rotation settings, and whether every timer set is in the file.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { readEvalFile } from "../src/eval/dataset.ts";
import { packageRoot } from "../src/paths.ts";
import { startTextDaemon } from "./text-daemon.ts";

const turns = Number(process.env.HARK_SOAK_TURNS ?? 10_000);
const every = 500;
const data = fs.mkdtempSync(path.join(os.tmpdir(), "hark-soak-"));
const traceLimits = { maxFileBytes: 2_000_000, keepFiles: 3 };
const config = path.join(data, "config.yaml");
// Weather goes to a port nobody listens on (an instant refusal, not a wait); music to an empty folder.
fs.writeFileSync(config, [
    `paths: { dataDir: ${JSON.stringify(data)} }`,
    `music: { dir: ${JSON.stringify(path.join(data, "music"))} }`,
    "weather: { geocodingUrl: 'http://127.0.0.1:9/geo', forecastUrl: 'http://127.0.0.1:9/forecast' }",
    `trace: { maxFileBytes: ${traceLimits.maxFileBytes}, keepFiles: ${traceLimits.keepFiles} }`,
    "log: { level: warn }"
].join("\n"));
const env = { ...process.env, HARK_CONFIG: config };

// Every built-in intent's examples, minus what would pile up (timers: set apart below) or play sound.
const sentences = readEvalFile(path.join(packageRoot, "test", "eval", "hark.jsonl"))
    .filter((c) => !/timer/.test(c.expect?.intent ?? "")).map((c) => c.text);
// HARK_SOAK_LLM=1: with hark's own model loaded behind the templates, as a default install runs.
const withModel = process.env.HARK_SOAK_LLM === "1";
const hark = startTextDaemon(env, withModel ? [] : ["--no-llm"]);
// No limit on a soak's answer: a slow one is a finding, not a failure.
const ask = (text: string) => hark.say(text, 2 ** 31 - 1);
const rss = (): number => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${hark.process.pid}/status`, "utf8"))?.[1] ?? 0) / 1024;

// Beside the daemon, another process sets timers the whole time (the normal case: `hark ask` while `hark run` runs).
let timersSet = 0;
let stopTimers = false;
const setter = (async () => {
    while (!stopTimers) {
        const out = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
            const child = spawn(process.execPath, [path.join(packageRoot, "bin", "hark.js"), "ask", "--quiet", "--no-llm", `set a soak timer for ${60 + (timersSet % 60)} minutes`], { env, stdio: ["ignore", "pipe", "inherit"] });
            let stdout = "";
            child.stdout!.on("data", (d) => (stdout += d));
            child.on("close", (code) => resolve({ code, stdout }));
        });
        if (out.code === 0 && /timer set/i.test(out.stdout)) timersSet++;
        else console.error(`soak: hark ask failed (${out.code}): ${out.stdout}`);
    }
})();

const samples: Array<{ turn: number; rssMiB: number }> = [];
const started = performance.now();
for (let turn = 1; turn <= turns; turn++) {
    // Timers set by the daemon too, so both processes write the file.
    if (turn % 100 === 0) {
        await ask("set a daemon timer for 90 minutes");
        timersSet++;
    } else {
        await ask(sentences[turn % sentences.length]!);
    }
    if (turn % every === 0) samples.push({ turn, rssMiB: Math.round(rss() * 10) / 10 });
}
const seconds = (performance.now() - started) / 1000;
stopTimers = true;
await setter;
await hark.close();

const timersFile = JSON.parse(fs.readFileSync(path.join(data, "timers.json"), "utf8")) as unknown[];
const traces = fs.readdirSync(path.join(data, "traces")).map((f) => ({ f, bytes: fs.statSync(path.join(data, "traces", f)).size }));
const warm = samples.find((s) => s.turn >= 2000) ?? samples[0]!;
const last = samples.at(-1)!;
console.log(`soak: ${turns} turns of hark run --text${withModel ? " (with the model)" : " (templates only)"} in ${seconds.toFixed(0)} s (${(seconds * 1000 / turns).toFixed(1)} ms a turn)`);
console.log(`  RSS every ${every} turns (MiB): ${samples.map((s) => s.rssMiB).join(" ")}`);
console.log(`  after warm-up (turn ${warm.turn}) ${warm.rssMiB} → ${last.rssMiB} MiB at the end: ${(((last.rssMiB - warm.rssMiB) / warm.rssMiB) * 100).toFixed(1)} %`);
console.log(`  trace files: ${traces.map((t) => `${t.f} ${(t.bytes / 1e6).toFixed(2)} MB`).join(", ")} (limit ${traceLimits.maxFileBytes / 1e6} MB × ${traceLimits.keepFiles + 1} files)`);
console.log(`  timers: ${timersSet} set by two processes, ${timersFile.length} in the file${timersFile.length === timersSet ? " (none lost)" : " — LOST SOME"}`);
fs.rmSync(data, { recursive: true, force: true });
