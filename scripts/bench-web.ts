// What the web page costs `hark run`: peak memory with the page served (and used) against without it, the time from
// start until the page answers, and how fast its reads answer. From the build, as a user runs it.
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { packageRoot } from "../src/paths.ts";

const SENTENCES = ["what time is it", "set a timer for five minutes", "what is the date today", "cancel all timers", "turn the volume up"];

execFileSync("npm", ["run", "build", "--silent"], { cwd: packageRoot, stdio: ["ignore", "ignore", "inherit"] });

interface Result {
    peakMiB: number;
    pageAfterMs: number | null;
    readMs: number[];
}

/** `hark run --text` with the page on or off; with it on, the page is read and used before hark is stopped. */
async function measure(serve: boolean): Promise<Result> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hark-bench-web-"));
    const port = 20000 + Math.floor(Math.random() * 20000);
    const started = performance.now();
    const child = spawn("/usr/bin/time", ["-f", "%M", process.execPath, path.join(packageRoot, "bin", "hark.js"), "run", "--text", "--quiet", "--log-level", "warn"], {
        env: { ...process.env, HARK__PATHS__DATADIR: dir, HARK__UI__SERVE: String(serve), HARK__UI__PORT: String(port) }, stdio: ["pipe", "pipe", "pipe"]
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => { stderr += d.toString(); });
    child.stdout.resume();
    const base = `http://127.0.0.1:${port}`;
    let pageAfterMs: number | null = null;
    const readMs: number[] = [];
    if (serve) {
        while (pageAfterMs == null) {
            try {
                await fetch(`${base}/api/session`);
                pageAfterMs = performance.now() - started;
            } catch {
                await new Promise((r) => setTimeout(r, 20));
            }
        }
    }
    child.stdin.write(`${SENTENCES.join("\n")}\n`);
    await new Promise((r) => setTimeout(r, 3000));
    if (serve) {
        const { token } = (await (await fetch(`${base}/api/session`)).json()) as { token: string };
        const post = (route: string, body: unknown) => fetch(`${base}${route}`, { method: "POST", headers: { "Content-Type": "application/json", "X-Hark-Token": token, Origin: base }, body: JSON.stringify(body) });
        for (let i = 0; i < 20; i++) {
            for (const route of ["/", "/app.js", "/api/turns?count=50", "/api/intents", "/api/evals", "/api/models"]) {
                const t = performance.now();
                await (await fetch(`${base}${route}`)).arrayBuffer();
                readMs.push(performance.now() - t);
            }
        }
        await (await post("/api/try", { text: "what time is it" })).json();
        await (await post("/api/evals", { source: "examples" })).json();
    }
    // The end of its input stops hark run (and /usr/bin/time then prints its peak).
    const exited = new Promise((r) => child.once("exit", r));
    child.stdin.end();
    await exited;
    fs.rmSync(dir, { recursive: true, force: true });
    return { peakMiB: Number(stderr.trim().split("\n").at(-1)) / 1024, pageAfterMs, readMs };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const p95 = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)]!;

console.log("web page (hark run --text, built; 5 sentences, then the page's reads, a typed turn and an eval)");
const off = await measure(false);
const on = await measure(true);
console.log(`  peak RSS without the page     ${off.peakMiB.toFixed(0)} MiB`);
console.log(`  peak RSS with the page, used  ${on.peakMiB.toFixed(0)} MiB (+${(on.peakMiB - off.peakMiB).toFixed(0)} MiB)`);
console.log(`  page answers after start      ${on.pageAfterMs!.toFixed(0)} ms`);
console.log(`  reads (page, turns, intents, evals, models) p50 ${median(on.readMs).toFixed(1)} ms, p95 ${p95(on.readMs).toFixed(1)} ms`);
