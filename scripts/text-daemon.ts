// `hark run --text` as the soak and the fault-injection scripts drive it: one sentence in, one reply out.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import readline from "node:readline";
import { packageRoot } from "../src/paths.ts";

/** A running `hark run --text` and a way to ask it. */
export interface TextDaemon {
    process: ChildProcess;
    /** Whether it is still running. */
    readonly alive: boolean;
    /** Sends a sentence; resolves with the reply and how long it took, or "(no answer)" after `limitMs`. */
    say(text: string, limitMs?: number): Promise<{ reply: string; ms: number }>;
    /** Closes its input and waits for it to exit. */
    close(): Promise<void>;
}

/** Starts `hark run --text --quiet` with `env` and the extra arguments (`--no-llm`). */
export function startTextDaemon(env: NodeJS.ProcessEnv, extraArgs: readonly string[]): TextDaemon {
    const hark = spawn(process.execPath, [path.join(packageRoot, "bin", "hark.js"), "run", "--text", "--quiet", ...extraArgs], { env, stdio: ["pipe", "pipe", "inherit"] });
    const waiting: Array<(reply: string) => void> = [];
    readline.createInterface({ input: hark.stdout! }).on("line", (line) => waiting.shift()?.(line));
    let alive = true;
    const exited = new Promise<void>((resolve) => hark.on("exit", () => {
        alive = false;
        resolve();
    }));
    return {
        process: hark,
        get alive() {
            return alive;
        },
        say: (text, limitMs = 20_000) => new Promise((resolve) => {
            const started = performance.now();
            const timer = setTimeout(() => resolve({ reply: "(no answer)", ms: limitMs }), limitMs);
            waiting.push((reply) => {
                clearTimeout(timer);
                resolve({ reply, ms: Math.round(performance.now() - started) });
            });
            hark.stdin!.write(`${text}\n`);
        }),
        async close() {
            hark.stdin!.end();
            await exited;
        }
    };
}
