import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { describe, it } from "node:test";
import type { AudioEvent, AudioSource } from "../src/audio/source.ts";
import { Assistant } from "../src/pipeline/assistant.ts";
import { VoicePipeline } from "../src/pipeline/voice.ts";
import { SystemdNotifier, watchdogIntervalMs } from "../src/service/notify.ts";
import { Watchdog } from "../src/service/watchdog.ts";
import type { Transcriber } from "../src/stt/transcriber.ts";
import type { VoiceActivityDetector } from "../src/vad/vad.ts";
import type { WakeWordDetector } from "../src/wake/detector.ts";
import { packageRoot, silentLogger, tempDir, testConfig } from "./helpers.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** 80 ms chunks paced at 20 ms: 4 s of silence, 1 s of loud noise ("speech"), then silence until aborted. */
class PacedSource implements AudioSource {
    public readonly name = "paced";
    public async *stream(signal: AbortSignal): AsyncIterable<AudioEvent> {
        yield { type: "start", source: this.name };
        for (let i = 0; !signal.aborted; i++) {
            const loud = i >= 50 && i < 63;
            const samples = Int16Array.from({ length: 1280 }, (_, k) => (loud ? ((k * 7919) % 20000) - 10000 : 0));
            yield { type: "chunk", samples, timestampMs: i * 80 };
            await sleep(20);
        }
        yield { type: "stop", reason: "aborted" };
    }
}

/** Hears the wake word in the first chunk only. */
const wake: WakeWordDetector = {
    name: "fake", keyword: "hey_test",
    process: async (_samples, timestampMs) => (timestampMs === 0 ? [{ keyword: "hey_test", score: 1, timestampMs }] : []),
    reset: () => undefined, dispose: async () => undefined
};

/** Speech is anything loud. */
const vad: VoiceActivityDetector = {
    name: "energy", frameSamples: 512,
    probability: async (frame) => (frame.some((s) => Math.abs(s) > 1000) ? 1 : 0),
    reset: () => undefined, dispose: async () => undefined
};

/** A transcriber that hangs (until aborted): the stuck step the watchdog must notice. */
function hangingTranscriber(entered: () => void): Transcriber {
    return {
        name: "hangs", setIntents: () => undefined, dispose: async () => undefined,
        transcribe: (_samples, signal) => new Promise((_resolve, reject) => {
            entered();
            signal?.addEventListener("abort", () => reject(new Error("aborted")), { once: true });
        })
    };
}

describe("systemd watchdog", () => {
    it("pings while the voice loop runs and stops when a step hangs", async () => {
        const config = testConfig({ conversation: { feedbackSounds: false } });
        const assistant = await Assistant.create({ config, log: silentLogger(), ephemeralState: true });
        let hungAt = 0;
        const pipeline = new VoicePipeline({
            assistant, wake, vad, endpointer: { ...config.vad, endSilenceMs: 300 }, log: silentLogger(), speak: false,
            transcriber: hangingTranscriber(() => (hungAt = performance.now()))
        });
        const pings: number[] = [];
        const watchdog = new Watchdog({
            intervalMs: 100, stuckAfterMs: 600, log: silentLogger(),
            busyForMs: () => pipeline.busyForMs(), ping: async () => void pings.push(performance.now())
        });
        const controller = new AbortController();
        const running = pipeline.run(new PacedSource(), controller.signal);
        watchdog.start();
        try {
            while (hungAt === 0) await sleep(50);
            await sleep(1500);
        } finally {
            watchdog.stop();
            controller.abort();
            await running.catch(() => undefined);
            await assistant.dispose();
        }
        const before = pings.filter((t) => t <= hungAt);
        const after = pings.filter((t) => t > hungAt);
        // ~1.3 s of live loop at a ping per 50 ms; once stuck, pings go on only until the step is 600 ms old.
        assert.ok(before.length >= 20, `${before.length} pings while the loop ran`);
        assert.ok(after.length >= 5 && after.length <= 14, `${after.length} pings after the hang began`);
        assert.ok(after.at(-1)! - hungAt < 700, `last ping ${Math.round(after.at(-1)! - hungAt)} ms into the hang`);
    });

    it("reads systemd's interval only when it is meant for this process", () => {
        assert.equal(watchdogIntervalMs({ NOTIFY_SOCKET: "/run/systemd/notify", WATCHDOG_USEC: "30000000" }, 42), 30_000);
        assert.equal(watchdogIntervalMs({ NOTIFY_SOCKET: "/run/systemd/notify", WATCHDOG_USEC: "30000000", WATCHDOG_PID: "7" }, 42), null);
        assert.equal(watchdogIntervalMs({ WATCHDOG_USEC: "30000000" }, 42), null);
        assert.equal(SystemdNotifier.fromEnvironment({ log: silentLogger(), env: {} }), null);
    });
});

/** Starts the stand-in notification socket; resolves once it listens. */
async function notifyReceiver(socketPath: string): Promise<{ child: ChildProcess; messages: string[] }> {
    const child = spawn("python3", [path.join(packageRoot, "test", "fixtures", "notify-receiver.py"), socketPath], { stdio: ["ignore", "pipe", "inherit"] });
    const messages: string[] = [];
    const lines = readline.createInterface({ input: child.stdout! });
    await new Promise<void>((resolve, reject) => {
        child.once("error", reject);
        lines.on("line", (line) => (line === "listening" ? resolve() : messages.push(line)));
    });
    return { child, messages };
}

describe("systemd notifications", () => {
    it("hark run as a notify service: READY with a status, watchdog pings, STOPPING, through systemd-notify", async () => {
        const socketPath = path.join(tempDir(), "notify.sock");
        const receiver = await notifyReceiver(socketPath);
        try {
            const hark = spawn(process.execPath, [path.join(packageRoot, "bin", "hark.js"), "run", "--text", "--quiet", "--exit-on-eof", "--no-llm"], {
                env: { ...process.env, NOTIFY_SOCKET: socketPath, WATCHDOG_USEC: "400000", HARK__PATHS__DATADIR: tempDir(), HARK__LOG__LEVEL: "warn" },
                stdio: ["pipe", "pipe", "pipe"]
            });
            let stderr = "";
            hark.stderr!.on("data", (d) => (stderr += d));
            hark.stdin!.write("what can you do\n");
            await sleep(2000);
            hark.stdin!.end();
            const code = await new Promise((resolve) => hark.on("close", resolve));
            assert.equal(code, 0, stderr);
        } finally {
            await sleep(100);
            receiver.child.kill();
        }
        const m = receiver.messages;
        assert.ok(m.includes("READY=1|STATUS=reading sentences from stdin"), m.join("\n"));
        assert.ok(m.filter((x) => x === "WATCHDOG=1").length >= 4, m.join("\n"));
        assert.equal(m.filter((x) => x.startsWith("STOPPING=1")).length, 1, m.join("\n"));
        assert.ok(m.lastIndexOf("WATCHDOG=1") < m.findIndex((x) => x.startsWith("STOPPING=1")), "no ping after STOPPING");
    });

    it("a notifier that cannot deliver logs a warning once and does not throw", async () => {
        const warnings: string[] = [];
        const log = silentLogger();
        log.warn = ((...args: unknown[]) => void warnings.push(String(args.at(-1)))) as typeof log.warn;
        const notifier = SystemdNotifier.fromEnvironment({ log, env: { NOTIFY_SOCKET: path.join(tempDir(), "nobody-listens.sock") } })!;
        await notifier.watchdog();
        await notifier.watchdog();
        assert.equal(warnings.length, 1);
        assert.match(warnings[0]!, /cannot notify systemd/);
        assert.ok(fs.existsSync("/usr/bin/systemd-notify") || fs.existsSync("/bin/systemd-notify"));
    });
});
