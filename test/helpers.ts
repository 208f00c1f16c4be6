import { execFileSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { validateConfig } from "../src/config/load.ts";
import type { HarkConfig } from "../src/config/schema.ts";
import { silentLogger } from "../src/log/logger.ts";
import { builtinIntentsDir, packageRoot } from "../src/paths.ts";

export { silentLogger, builtinIntentsDir, packageRoot };

/** ../shared, or $HARK_SHARED_DIR. */
export const sharedDir = process.env.HARK_SHARED_DIR ?? path.resolve(packageRoot, "..", "shared");

const tempDirs: string[] = [];
process.on("exit", () => tempDirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/** A fresh temporary folder, removed when the process exits. */
export function tempDir(prefix = "hark-test-"): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    tempDirs.push(dir);
    return dir;
}

/**
 * A validated config whose state lives in a temporary folder; `raw` is merged over it. Its intents are exactly those
 * of `paths.intentsDirs` (the built-in folder unless `raw` says otherwise): intents.builtins is off.
 */
export function testConfig(raw: Record<string, unknown> = {}): HarkConfig {
    const dataDir = tempDir();
    // The LLM is off unless a test turns it on: a model someone pulled into models/ must not change other tests. The
    // music folder is an empty one, not ~/Music: its titles go into the speech grammar and play_song's answers.
    const base = {
        paths: { dataDir, intentsDirs: [builtinIntentsDir], modelsDir: path.join(dataDir, "models") }, intents: { builtins: false }, log: { level: "silent" }, llm: { enabled: false },
        music: { dir: tempDir() }
    };
    return validateConfig(deepMerge(base, raw));
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = { ...a };
    for (const [k, v] of Object.entries(b)) {
        const prev = out[k];
        out[k] = v && typeof v === "object" && !Array.isArray(v) && prev && typeof prev === "object" && !Array.isArray(prev)
            ? deepMerge(prev as Record<string, unknown>, v as Record<string, unknown>)
            : v;
    }
    return out;
}

/** The fake player: records each file it is asked to play in `log`, then plays for `seconds` (or until killed). */
export function fakePlayerCommand(log: string, seconds = 0): string[] {
    return [process.execPath, path.join(packageRoot, "test", "fixtures", "fake-player.mjs"), log, String(seconds), "{file}"];
}

/** Makes a tagged FLAC file with sox (a real tag block that music-metadata reads). */
export function makeTaggedFlac(file: string, tags: Record<string, string>): void {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const comments = Object.entries(tags).flatMap(([k, v], i) => [i === 0 ? "--comment" : "--add-comment", `${k}=${v}`]);
    execFileSync("sox", ["-n", "-r", "16000", "-c", "1", ...comments, file, "synth", "0.2", "sine", "440"]);
}

/** Writes an intent file into `dir`. */
export function writeIntent(dir: string, name: string, text: string): string {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
}

/** Polls `check` until it is true or `timeoutMs` passes. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 5000, what = "condition"): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!(await check())) {
        if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 25));
    }
}

/**
 * Speaks `text` with espeak-ng into a 16 kHz mono WAV, with `padMs` of silence after it. sox runs with -R (repeatable):
 * otherwise its resampling dither is random, every run hears slightly different audio, and a recognizer on the edge
 * of a decision fails one run in many ("set a timer for five minutes" → "queue top five record by queen", 1 in 40).
 */
export function makeSpeech(file: string, text: string, padMs = 0): string {
    const raw = `${file}.raw.wav`;
    execFileSync("espeak-ng", ["-v", "en-us", "-s", "150", "-w", raw, text]);
    execFileSync("sox", ["-R", raw, "-r", "16000", "-c", "1", "-b", "16", file, "pad", "0", String(padMs / 1000)]);
    fs.rmSync(raw);
    return file;
}

/** Joins audio files (any format sox reads) into one 16 kHz mono WAV, with `gapMs` of silence between them (repeatably). */
export function joinAudio(out: string, files: string[], gapMs = 300): string {
    const parts = files.map((f, i) => {
        const p = `${out}.part${i}.wav`;
        execFileSync("sox", ["-R", f, "-r", "16000", "-c", "1", "-b", "16", p, "pad", "0", String(gapMs / 1000)]);
        return p;
    });
    execFileSync("sox", ["-R", ...parts, out]);
    parts.forEach((p) => fs.rmSync(p));
    return out;
}

/** A file under ../shared (or $HARK_SHARED_DIR), or `null` when it is not there. */
export function sharedFile(relative: string): string | null {
    const file = path.join(sharedDir, relative);
    return fs.existsSync(file) ? file : null;
}

/** A TCP port on loopback that nothing listens on now. */
export async function freePort(): Promise<number> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return port;
}

/** Whether something accepts connections on `port` on loopback. */
export function acceptsConnections(port: number): Promise<boolean> {
    return new Promise((resolve) => {
        const socket = net.connect(port, "127.0.0.1");
        socket.once("connect", () => {
            socket.destroy();
            resolve(true);
        });
        socket.once("error", () => resolve(false));
    });
}
