import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { describe, it } from "node:test";
import type { AudioEvent, AudioSource } from "../src/audio/source.ts";
import { loadConfig } from "../src/config/load.ts";
import { Assistant } from "../src/pipeline/assistant.ts";
import { VoicePipeline } from "../src/pipeline/voice.ts";
import { SERVICE_FILES } from "../src/service/install.ts";
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
            turns: assistant, output: assistant.output, wake, vad, endpointer: { ...config.vad, endSilenceMs: 300 }, log: silentLogger(), speak: false,
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
        assert.ok(before.length >= 10, `${before.length} pings while the loop ran`);
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
            const hark = spawn(process.execPath, [path.join(packageRoot, "bin", "hark.js"), "run", "--text", "--quiet", "--no-llm"], {
                env: { ...process.env, NOTIFY_SOCKET: socketPath, WATCHDOG_USEC: "400000", HARK__PATHS__DATADIR: tempDir(), HARK__LOG__LEVEL: "warn" },
                stdio: ["pipe", "pipe", "pipe"]
            });
            let stderr = "";
            hark.stderr!.on("data", (d) => (stderr += d));
            hark.stdin!.write("what can you do\n");
            // Start-up time varies with the machine's load; the pings are counted from READY on.
            for (let i = 0; i < 300 && !receiver.messages.some((x) => x.startsWith("READY=1")); i++) await sleep(100);
            await sleep(1500);
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

/** Every path under `root` with its type, mode, owner and content hash (or link target): what "the same files" means. */
function snapshot(root: string): string[] {
    const out: string[] = [];
    const walk = (dir: string): void => {
        for (const name of fs.readdirSync(dir).sort()) {
            const file = path.join(dir, name);
            const st = fs.lstatSync(file);
            const rel = path.relative(root, file);
            if (st.isSymbolicLink()) out.push(`${rel} -> ${fs.readlinkSync(file)}`);
            else if (st.isDirectory()) {
                out.push(`${rel}/ ${(st.mode & 0o7777).toString(8)} ${st.uid}`);
                walk(file);
            } else out.push(`${rel} ${(st.mode & 0o7777).toString(8)} ${st.uid} ${createHash("sha256").update(fs.readFileSync(file)).digest("hex").slice(0, 16)}`);
        }
    };
    walk(root);
    return out;
}

function hark(args: string[], env: NodeJS.ProcessEnv = {}) {
    return spawnSync(process.execPath, [path.join(packageRoot, "bin", "hark.js"), ...args], { encoding: "utf8", timeout: 60_000, env: { ...process.env, ...env } });
}

describe("service installer", () => {
    it("installs into a root twice with the same files, a unit that systemd-analyze verifies and rates OK", () => {
        const root = tempDir("hark-root-");
        const first = hark(["service", "install", "--root", root]);
        assert.equal(first.status, 0, first.stderr);
        const files = snapshot(root);
        const second = hark(["service", "install", "--root", root]);
        assert.equal(second.status, 0, second.stderr);
        assert.deepEqual(snapshot(root), files);
        assert.doesNotMatch(second.stdout, /^wrote/m, "nothing rewritten the second time");

        const unit = fs.readFileSync(path.join(root, SERVICE_FILES.unit), "utf8");
        assert.match(unit, new RegExp(`^ExecStart=${process.execPath} ${packageRoot}/bin/hark\\.js run$`, "m"));
        assert.match(unit, /^Type=notify$/m);
        assert.match(unit, /^WatchdogSec=30s$/m);
        assert.ok(fs.readlinkSync(path.join(root, SERVICE_FILES.wants)).endsWith("/hark.service"), "enabled");
        assert.match(fs.readFileSync(path.join(root, "etc/passwd"), "utf8"), /^hark:x:\d+:\d+:hark voice assistant:\/var\/lib\/hark:\/usr\/sbin\/nologin$/m);
        assert.match(fs.readFileSync(path.join(root, "etc/group"), "utf8"), /^audio:x:\d+:hark$/m);
        const config = loadConfig({ file: path.join(root, SERVICE_FILES.config) }).config;
        assert.deepEqual(config.paths.intentsDirs, [path.join(packageRoot, "intents"), "/etc/hark/intents"]);
        assert.equal(config.paths.dataDir, "/var/lib/hark");
        assert.ok(fs.statSync(path.join(root, "etc/hark/intents")).isDirectory());

        // The installed unit with whatever drop-in this checkout needs (a checkout under /root or /home gets one).
        const verify = spawnSync("systemd-analyze", ["verify", "--man=no", "--generators=no", path.join(root, SERVICE_FILES.unit)], { encoding: "utf8" });
        assert.equal(verify.status, 0, verify.stderr);
        assert.equal(verify.stderr.trim(), "");
        const security = spawnSync("systemd-analyze", ["security", "--offline=true", `--root=${root}`, "hark.service"], { encoding: "utf8" });
        const score = /Overall exposure level for hark\.service: ([\d.]+) (\w+)/.exec(security.stdout);
        assert.ok(score, security.stdout + security.stderr);
        assert.ok(Number(score[1]) <= 2.0 && score[2] === "OK", `exposure ${score[1]} ${score[2]}`);
    });

    it("a checkout, Node.js or music under /home is mounted into the service read-only", () => {
        const root = tempDir("hark-root-");
        const r = hark(["service", "install", "--root", root, "--music-dir", "/home/pi/Music"]);
        assert.equal(r.status, 0, r.stderr);
        const dropIn = fs.readFileSync(path.join(root, SERVICE_FILES.dropIn), "utf8");
        assert.match(dropIn, /^ProtectHome=tmpfs$/m);
        assert.match(dropIn, /^BindReadOnlyPaths=\/home\/pi\/Music$/m);
        const verify = spawnSync("systemd-analyze", ["verify", "--man=no", "--generators=no", path.join(root, SERVICE_FILES.unit)], { encoding: "utf8" });
        assert.equal(verify.stderr.trim(), "");
    });

    it("the owner (sudo's caller) gets the config and intents folder and joins the hark group", () => {
        const root = tempDir("hark-root-");
        const r = hark(["service", "install", "--root", root, "--owner", "nobody"]);
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stdout, /nobody joins group hark/);
        assert.match(fs.readFileSync(path.join(root, "etc/group"), "utf8"), /^hark:x:\d+:nobody$/m);
        const nobody = Number(spawnSync("id", ["-u", "nobody"], { encoding: "utf8" }).stdout);
        assert.equal(fs.statSync(path.join(root, SERVICE_FILES.config)).uid, nobody);
        assert.equal(fs.statSync(path.join(root, "etc/hark/intents")).uid, nobody);
    });

    it("a path the unit cannot name is refused before anything is written", () => {
        const root = tempDir("hark-root-");
        const r = hark(["service", "install", "--root", root, "--music-dir", "/home/pi/my music"]);
        assert.equal(r.status, 2);
        assert.match(r.stderr, /^hark: \/home\/pi\/my music: the unit cannot name a path with spaces/m);
        assert.deepEqual(fs.readdirSync(root), []);
    });

    it("keeps the owner's config and intents on reinstall and uninstall; removes the rest; --purge removes state", () => {
        const root = tempDir("hark-root-");
        assert.equal(hark(["service", "install", "--root", root]).status, 0);
        const configFile = path.join(root, SERVICE_FILES.config);
        fs.appendFileSync(configFile, "\n# mine\n");
        const mine = fs.readFileSync(configFile, "utf8");
        fs.writeFileSync(path.join(root, "etc/hark/intents/lights.yaml"), "name: lights\n");
        fs.mkdirSync(path.join(root, "var/lib/hark/traces"), { recursive: true });
        fs.writeFileSync(path.join(root, "var/lib/hark/traces/turns.jsonl"), "{}\n");

        const again = hark(["service", "install", "--root", root]);
        assert.match(again.stdout, /kept {6}\/etc\/hark\/config\.yaml/);
        assert.equal(fs.readFileSync(configFile, "utf8"), mine);

        const removed = hark(["service", "uninstall", "--root", root]);
        assert.equal(removed.status, 0, removed.stderr);
        for (const gone of [SERVICE_FILES.unit, SERVICE_FILES.wants, SERVICE_FILES.sysusers, SERVICE_FILES.command]) {
            assert.equal(fs.lstatSync(path.join(root, gone), { throwIfNoEntry: false }), undefined, `${gone} removed`);
        }
        assert.doesNotMatch(fs.readFileSync(path.join(root, "etc/passwd"), "utf8"), /^hark:/m);
        assert.equal(fs.readFileSync(configFile, "utf8"), mine);
        assert.ok(fs.existsSync(path.join(root, "etc/hark/intents/lights.yaml")));
        assert.ok(fs.existsSync(path.join(root, "var/lib/hark/traces/turns.jsonl")));
        assert.match(removed.stdout, /kept {6}\/var\/lib\/hark/);

        assert.equal(hark(["service", "uninstall", "--root", root, "--purge"]).status, 0, "a second uninstall is fine");
        assert.equal(fs.existsSync(path.join(root, "var/lib/hark")), false);
        assert.ok(fs.existsSync(path.join(root, "etc/hark/intents/lights.yaml")));
    });

    it("the shipped unit file itself verifies", () => {
        const verify = spawnSync("systemd-analyze", ["verify", "--man=no", "--generators=no", path.join(packageRoot, "systemd", "hark.service")], { encoding: "utf8" });
        assert.equal(verify.status, 0, verify.stderr);
    });
});

describe("the installed service's config", () => {
    it("runs hark, and an intent file dropped into the owner's folder is picked up while it runs", async () => {
        const root = tempDir("hark-root-");
        assert.equal(hark(["service", "install", "--root", root]).status, 0);
        const ownIntents = path.join(root, "etc/hark/intents");
        const data = tempDir();
        // The service's own file, with its absolute folders moved into the test root.
        const child = spawn(process.execPath, [path.join(packageRoot, "bin", "hark.js"), "run", "--text", "--quiet", "--no-llm"], {
            env: {
                ...process.env, HARK_CONFIG: path.join(root, SERVICE_FILES.config), HARK__LOG__LEVEL: "warn",
                HARK__PATHS__INTENTSDIRS: JSON.stringify([path.join(packageRoot, "intents"), ownIntents]), HARK__PATHS__DATADIR: data, HARK__PATHS__MODELSDIR: data
            },
            stdio: ["pipe", "pipe", "pipe"]
        });
        const replies: string[] = [];
        readline.createInterface({ input: child.stdout! }).on("line", (line) => replies.push(line));
        let stderr = "";
        child.stderr!.on("data", (d) => (stderr += d));
        try {
            child.stdin!.write("what can you do\n");
            while (replies.length < 1) await sleep(100);
            assert.match(replies[0]!, /^I can play music/);
            fs.writeFileSync(path.join(ownIntents, "feed_cat.yaml"), "name: feed_cat\ndescription: Says the cat is fed.\nsentences:\n  - feed the cat\naction:\n  speak: The cat is fed.\n");
            for (let i = 0; i < 50 && !replies.includes("The cat is fed."); i++) {
                child.stdin!.write("feed the cat\n");
                await sleep(200);
            }
            assert.ok(replies.includes("The cat is fed."), `${replies.join(" | ")}\n${stderr}`);
        } finally {
            child.kill("SIGTERM");
            await new Promise((resolve) => child.on("close", resolve));
        }
    });
});
