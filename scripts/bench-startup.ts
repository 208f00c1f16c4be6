// Wall time of short commands, from the JavaScript build (dist/) and from the TypeScript sources through tsx
// (HARK_FROM_SOURCE=1), in one run so the ratio holds for this machine today. Numbers, not pass/fail.
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { packageRoot } from "../src/paths.ts";

const runs = Number(process.env.HARK_BENCH_STARTUP_RUNS ?? 5);
const hark = path.join(packageRoot, "bin", "hark.js");
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "hark-bench-startup-"));
const commands: Array<[string, string[]]> = [
    ["hark --help", ["--help"]],
    ["hark ask --no-llm --quiet \"what time is it\"", ["ask", "--no-llm", "--quiet", "what time is it"]],
    ["hark ask --quiet \"what time is it\" (default profile)", ["ask", "--quiet", "what time is it"]]
];

// Built now, so that "built" measures these sources (bin/hark.js runs an older build's sources through tsx).
execFileSync("npm", ["run", "build", "--silent"], { cwd: packageRoot, stdio: "inherit" });

function medianMs(args: string[], fromSource: boolean): number {
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
        const started = performance.now();
        const run = spawnSync(process.execPath, [hark, ...args], { encoding: "utf8", env: { ...process.env, HARK__PATHS__DATADIR: dataDir, HARK_FROM_SOURCE: fromSource ? "1" : "0" } });
        if (run.status !== 0) throw new Error(`hark ${args.join(" ")} failed: ${run.stderr}`);
        times.push(performance.now() - started);
    }
    return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
}

console.log(`\nstart-up, median wall time of ${runs} runs (${os.availableParallelism()} cores)`);
console.log(`  ${"command".padEnd(52)} ${"built".padStart(8)} ${"sources".padStart(8)}  ratio`);
for (const [name, args] of commands) {
    const built = medianMs(args, false);
    const source = medianMs(args, true);
    console.log(`  ${name.padEnd(52)} ${`${(built / 1000).toFixed(2)} s`.padStart(8)} ${`${(source / 1000).toFixed(2)} s`.padStart(8)}  ${(source / built).toFixed(1)}×`);
}
fs.rmSync(dataDir, { recursive: true, force: true });
