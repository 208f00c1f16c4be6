import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import * as esbuild from "esbuild";
import { CommandPlayer } from "../src/audio/player.ts";
import { loadIntentDirs, loadIntentFile } from "../src/intents/load.ts";
import { Assistant } from "../src/pipeline/assistant.ts";
import { packageRoot, silentLogger, tempDir, testConfig, waitFor, writeIntent } from "./helpers.ts";

const CODE_INTENT = `export default {
    name: "tell_time_secure",
    description: "test",
    sentences: ["what time is it"],
    handler() { return "It is noon."; }
};
`;

describe("bundled intent code", () => {
    it("is written to a private folder of this process (mode 700, this user's) and deleted once imported", () => {
        const file = writeIntent(tempDir(), "secure.ts", CODE_INTENT);
        // Loaded in a process of its own with a temporary folder of its own: other test files running at the same
        // time make folders of their own in the shared one.
        const tmp = tempDir();
        const script = `
            import fs from "node:fs";
            import path from "node:path";
            const { loadIntentFile } = await import(${JSON.stringify(path.join(packageRoot, "src", "intents", "load.ts"))});
            const intent = await loadIntentFile(process.argv[1]);
            const dirs = fs.readdirSync(process.env.TMPDIR).filter((f) => f.startsWith("hark-intents-")).map((f) => path.join(process.env.TMPDIR, f));
            console.log(JSON.stringify({ name: intent.spec.name, dirs: dirs.map((d) => ({ mode: fs.statSync(d).mode & 0o777, uid: fs.statSync(d).uid, files: fs.readdirSync(d) })) }));`;
        const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script, file], { encoding: "utf8", env: { ...process.env, TMPDIR: tmp } });
        assert.equal(r.status, 0, r.stderr);
        const { name, dirs } = JSON.parse(r.stdout) as { name: string; dirs: Array<{ mode: number; uid: number; files: string[] }> };
        assert.equal(name, "tell_time_secure");
        assert.equal(dirs.length, 1, "one folder, made for this process");
        assert.deepEqual(dirs[0], { mode: 0o700, uid: process.getuid!(), files: [] }, "private, this user's, and no bundle is left behind");
        assert.deepEqual(fs.readdirSync(tmp).filter((f) => f.startsWith("hark-intents-")), [], "removed when the process exits");
        assert.ok(!fs.existsSync(path.join(tmp, `hark-intents-${process.getuid!()}`)), "the old shared, predictable folder is not used");
    });

    it("cannot be swapped by another local user through a FIFO at the old predictable path", { skip: process.getuid?.() !== 0 ? "needs root, to play the other user (nobody)" : false }, async (t) => {
        const file = writeIntent(tempDir(), "swapped.ts", CODE_INTENT);
        // The attacker computes the name the bundle used to get (the same for every user) and waits there with a FIFO:
        // it swallows what is written and hands its own module to the import that follows.
        const built = await esbuild.build({ entryPoints: [file], bundle: true, write: false, format: "esm", platform: "node", target: "node20", logLevel: "silent" });
        const hash = createHash("sha256").update(built.outputFiles[0]!.text).digest("hex").slice(0, 16);
        const shared = path.join(os.tmpdir(), `hark-intents-${process.getuid!()}`);
        // (A folder of that name left by an older hark is this user's own: the attacker gets there first instead.)
        fs.rmSync(shared, { recursive: true, force: true });
        fs.mkdirSync(shared);
        fs.chmodSync(shared, 0o777);
        spawnSync("chown", ["nobody", shared]);
        const fifo = path.join(shared, `swapped-${hash}.mjs`);
        const evil = 'export default { name: "pwned", description: "x", sentences: ["what time is it"], handler() { return "pwned"; } };';
        const attacker = spawn("runuser", ["-u", "nobody", "--", "sh", "-c", `rm -f '${fifo}'; mkfifo -m 666 '${fifo}' && cat '${fifo}' > /dev/null && printf '%s' '${evil}' > '${fifo}'`], { stdio: "ignore", detached: true });
        t.after(() => {
            try { process.kill(-attacker.pid!, "SIGKILL"); } catch { /* already gone */ }
            fs.rmSync(fifo, { force: true });
            fs.rmSync(shared, { recursive: true, force: true });
        });
        for (let i = 0; i < 100 && !fs.existsSync(fifo); i++) await new Promise((r) => setTimeout(r, 20));
        assert.ok(fs.existsSync(fifo), "the attacker's FIFO is in place");
        const intent = await loadIntentFile(file);
        assert.equal(intent.spec.name, "tell_time_secure", "the victim's own code was loaded");
    });
});

describe("players", () => {
    it("a player that ignores SIGTERM, and the child it started, are killed with their process group after the grace period", async () => {
        const dir = tempDir();
        const pids = path.join(dir, "pids");
        // The shell ignores SIGTERM, and so does the sleep it starts (an ignored signal stays ignored across exec).
        const stubborn = ["sh", "-c", `trap '' TERM; sleep 30 & echo $$ $! > '${pids}'; wait`, "{file}"];
        const player = new CommandPlayer({ commands: { wav: stubborn, mp3: stubborn, other: stubborn }, startupCheckMs: 100, stopGraceMs: 300, log: silentLogger() });
        const playback = await player.play(path.join(dir, "song.wav"), "music");
        await waitFor(() => fs.existsSync(pids) && fs.readFileSync(pids, "utf8").trim().split(" ").length === 2, 3000, "the player to start its child");
        const [shell, child] = fs.readFileSync(pids, "utf8").trim().split(" ").map(Number);
        assert.equal(player.stopAll(), 1);
        assert.equal(await playback.done, "stopped");
        // Running, that is: a zombie whose parent has not reaped it yet (PID 1 in a container may never) is dead.
        const alive = (pid: number): boolean => {
            try {
                return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, "utf8"));
            } catch {
                return false;
            }
        };
        await waitFor(() => !alive(shell!) && !alive(child!), 3000, "both processes to be gone");
    });
});

describe("limits", () => {
    const chatty = `import { defineIntent } from "hark";
export default defineIntent({ name: "chatty", description: "answers at length", sentences: ["talk to me"],
    handler() { return { speech: "blah ".repeat(2_000_000), data: { big: "x".repeat(1_000_000) } }; } });`;

    it("text over conversation.maxTextChars is not read, and the answer asks for less", async () => {
        const data = tempDir();
        const assistant = await Assistant.create({ config: testConfig({ paths: { dataDir: data } }), log: silentLogger() });
        try {
            const record = await assistant.handleText(`what time is it ${"and then some ".repeat(8000)}`);
            assert.equal(record.reply, "That is too long for me. Please ask in a sentence or two.");
            assert.equal(record.toolCall, null);
            assert.deepEqual(record.stages.map((s) => s.name), ["limit"]);
            assert.ok(record.input.text.length <= 501);
        } finally {
            await assistant.dispose();
        }
    });

    it("a huge reply is cut before it is spoken or traced, and the trace line stays small", async () => {
        const data = tempDir();
        const intents = tempDir();
        writeIntent(intents, "chatty.ts", chatty);
        const assistant = await Assistant.create({ config: testConfig({ paths: { dataDir: data, intentsDirs: [intents] } }), log: silentLogger() });
        try {
            const record = await assistant.handleText("talk to me");
            assert.ok(record.reply.length <= 1000 && record.reply.endsWith("…"), `reply of ${record.reply.length} characters`);
        } finally {
            await assistant.dispose();
        }
        const lines = fs.readFileSync(path.join(data, "traces", "turns.jsonl"), "utf8").trim().split("\n");
        assert.equal(lines.length, 1);
        assert.ok(Buffer.byteLength(lines[0]!) <= 65_536, `trace line of ${Buffer.byteLength(lines[0]!)} bytes`);
        assert.match(lines[0]!, /over trace\.maxRecordBytes/);
    });

    it("trace files rotate at trace.maxFileBytes, keep trace.keepFiles old ones, and only their owner can read them", async () => {
        const data = tempDir();
        const assistant = await Assistant.create({ config: testConfig({ paths: { dataDir: data }, trace: { maxFileBytes: 10_000, keepFiles: 2 } }), log: silentLogger() });
        try {
            for (let i = 0; i < 60; i++) await assistant.handleText("what time is it");
        } finally {
            await assistant.dispose();
        }
        const dir = path.join(data, "traces");
        assert.deepEqual(fs.readdirSync(dir).sort(), ["turns.jsonl", "turns.jsonl.1", "turns.jsonl.2"]);
        for (const f of fs.readdirSync(dir)) {
            assert.ok(fs.statSync(path.join(dir, f)).size <= 10_000);
            assert.equal(fs.statSync(path.join(dir, f)).mode & 0o777, 0o600, `${f} is private`);
        }
        assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
        assert.equal(fs.statSync(data).mode & 0o777, 0o700, "the data folder hark made");
    });

    it("under the service's umask (0027) traces and timers are shared with the group, never with others", () => {
        const data = tempDir();
        const script = `import { Assistant } from ${JSON.stringify(path.resolve("src/pipeline/assistant.ts"))};
import { validateConfig } from ${JSON.stringify(path.resolve("src/config/load.ts"))};
import { silentLogger } from ${JSON.stringify(path.resolve("src/log/logger.ts"))};
process.umask(0o027);
const a = await Assistant.create({ config: validateConfig({ paths: { dataDir: process.argv[1] + "/hark", intentsDirs: [${JSON.stringify(path.resolve("intents"))}] } }), log: silentLogger(), llm: false });
await a.handleText("set a timer for 5 minutes");
await a.dispose();`;
        const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script, data], { encoding: "utf8" });
        assert.equal(r.status, 0, r.stderr);
        const mode = (f: string) => fs.statSync(path.join(data, "hark", f)).mode & 0o777;
        assert.equal(mode("."), 0o750);
        assert.equal(mode("traces"), 0o750);
        assert.equal(mode("traces/turns.jsonl"), 0o640);
        assert.equal(mode("timers.json"), 0o640);
    });
});

describe("the data folder", () => {
    it("one that cannot be a folder gets a sentence saying what to set, not a stack", () => {
        const file = path.join(tempDir(), "a-file");
        fs.writeFileSync(file, "");
        const r = spawnSync(process.execPath, [path.resolve("bin/hark.js"), "ask", "what time is it"], { encoding: "utf8", env: { ...process.env, HARK__PATHS__DATADIR: path.join(file, "data") } });
        assert.equal(r.status, 2);
        assert.match(r.stderr, /^hark: cannot use .*a-file\/data as the data folder \(part of that path is a file, not a folder\); set paths\.dataDir/);
        assert.doesNotMatch(r.stderr, /\n\s+at /);
    });
});

describe("catch-all templates", () => {
    it("hark intents check warns about a template that matches nearly anything", () => {
        const dir = tempDir();
        writeIntent(dir, "anything.yaml", "name: anything\ndescription: takes it all\nargs: { type: object, properties: { anything: { type: string } } }\nsentences: [\"{anything}\"]\nslots: { anything: { wildcard: true } }\naction: { speak: ok }\n");
        writeIntent(dir, "hello.yaml", "name: hello\ndescription: greets\nsentences: [\"hello [there]\"]\naction: { speak: hi }\n");
        const r = spawnSync(process.execPath, [path.resolve("bin/hark.js"), "intents", "check", dir], { encoding: "utf8" });
        assert.equal(r.status, 1);
        assert.match(r.stdout, /warning: .*anything\.yaml: intent anything: the template "\{anything\}" matches nearly anything \(16 of 16 unrelated sentences/);
        assert.doesNotMatch(r.stdout, /intent hello: the template/);
    });
});

describe("the music library", () => {
    /** Scans `dir` in a new process (as `user` when given) and returns the titles found and the warnings logged. */
    function scanAs(dir: string, user?: string): { titles: string[]; warnings: string[] } {
        const script = `import { MusicService } from ${JSON.stringify(path.resolve("src/services/music.ts"))};
const warnings = [];
const log = { warn: (_o, m) => warnings.push(m), error: (_o, m) => warnings.push(m), info() {}, debug() {} };
const music = new MusicService({ dir: process.argv[1], extensions: [".mp3"], cacheFile: null, player: null, log });
const titles = (await music.scan()).map((t) => t.title).sort();
console.log(JSON.stringify({ titles, warnings }));`;
        const argv = [process.execPath, "--import", "tsx", "--input-type=module", "-e", script, dir];
        const r = user ? spawnSync("runuser", ["-u", user, "--", ...argv], { encoding: "utf8" }) : spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8" });
        assert.equal(r.status, 0, r.stderr);
        return JSON.parse(r.stdout) as { titles: string[]; warnings: string[] };
    }

    it("an unreadable folder is skipped with a warning naming it, and the rest of the music still plays", () => {
        const root = process.getuid?.() === 0;
        // Root reads every folder: the scan then runs as nobody, in a folder nobody may enter except one.
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hark-music-"));
        fs.chmodSync(dir, 0o755);
        fs.mkdirSync(path.join(dir, "songs"));
        fs.writeFileSync(path.join(dir, "songs", "Queen - Bohemian Rhapsody.mp3"), "");
        fs.mkdirSync(path.join(dir, "lost+found"), { mode: 0o700 });
        fs.chmodSync(path.join(dir, "lost+found"), 0o000);
        try {
            const { titles, warnings } = scanAs(dir, root ? "nobody" : undefined);
            assert.deepEqual(titles, ["Bohemian Rhapsody"]);
            assert.equal(warnings.length, 1);
            assert.match(warnings[0]!, /some of the music folder could not be read and is left out: .*lost\+found \(EACCES\)/);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("linked files and folders are followed, a link loop ends, and a broken link is named", () => {
        const dir = tempDir("hark-music-");
        const elsewhere = tempDir("hark-elsewhere-");
        fs.writeFileSync(path.join(dir, "Queen - Bohemian Rhapsody.mp3"), "");
        fs.writeFileSync(path.join(elsewhere, "Raffi - Baby Beluga.mp3"), "");
        fs.mkdirSync(path.join(elsewhere, "more"));
        fs.writeFileSync(path.join(elsewhere, "more", "Pinkfong - Baby Shark.mp3"), "");
        fs.symlinkSync(path.join(elsewhere, "Raffi - Baby Beluga.mp3"), path.join(dir, "beluga.mp3"));
        fs.symlinkSync(path.join(elsewhere, "more"), path.join(dir, "more"));
        fs.symlinkSync(dir, path.join(dir, "loop"));
        fs.symlinkSync(path.join(elsewhere, "gone.mp3"), path.join(dir, "gone.mp3"));
        const { titles, warnings } = scanAs(dir);
        assert.deepEqual(titles, ["Baby Shark", "Bohemian Rhapsody", "beluga"]);
        assert.equal(warnings.length, 1);
        assert.match(warnings[0]!, /gone\.mp3 \(a link to nothing usable: ENOENT\)/);
    });
});

describe("root and other users' files", { skip: process.getuid?.() !== 0 ? "needs root" : false }, () => {
    const nobody = Number(spawnSync("id", ["-u", "nobody"], { encoding: "utf8" }).stdout);

    it("as root, a config another user owns is refused with what to do, unless HARK_ALLOW_OTHER_OWNERS=1", () => {
        const config = path.join(tempDir(), "config.yaml");
        fs.writeFileSync(config, "player:\n  wav: [sh, -c, 'id > /tmp/owned']\n");
        fs.chownSync(config, nobody, nobody);
        const run = (env: NodeJS.ProcessEnv) => spawnSync(process.execPath, [path.resolve("bin/hark.js"), "config", "show"], { encoding: "utf8", env: { ...process.env, HARK_CONFIG: config, ...env } });
        const refused = run({});
        assert.equal(refused.status, 2);
        assert.match(refused.stderr, /will not read the config: .*config\.yaml belongs to nobody \(uid \d+\), not root: .*HARK_ALLOW_OTHER_OWNERS=1/);
        assert.equal(run({ HARK_ALLOW_OTHER_OWNERS: "1" }).status, 0);
    });

    it("as root, intent files another user owns are not loaded; hark's own and root's are", async () => {
        const dir = tempDir();
        writeIntent(dir, "mine.yaml", "name: mine\ndescription: root's\nsentences: [\"mine\"]\naction: { speak: ok }\n");
        fs.chownSync(writeIntent(dir, "theirs.yaml", "name: theirs\ndescription: nobody's\nsentences: [\"theirs\"]\naction: { speak: ok }\n"), nobody, nobody);
        const set = await loadIntentDirs([dir]);
        assert.deepEqual(set.intents.map((i) => i.spec.name), ["mine"]);
        assert.match(set.problems[0]!.message, /theirs\.yaml: not loaded: .* belongs to nobody/);
        fs.chownSync(dir, nobody, nobody);
        const folder = await loadIntentDirs([dir]);
        assert.deepEqual(folder.intents, []);
        assert.match(folder.problems[0]!.message, /not loaded: .* belongs to nobody/);
    });
});

describe("intent code failing outside its turn", () => {
    // With dispatch.isolation none (in a worker, the worker ends instead: see below).
    it("a throw from a handler's own timer and an unawaited rejection are logged against the intent, and hark run keeps answering", async () => {
        const intents = tempDir();
        writeIntent(intents, "late-throw.ts", `import { defineIntent } from "hark";
export default defineIntent({ name: "late_throw", description: "fails after answering", sentences: ["fail later"],
    handler() {
        setTimeout(() => { throw new Error("late boom"); }, 50);
        Promise.reject(new Error("nobody awaits this"));
        return "answered";
    } });`);
        const hark = spawn(process.execPath, [path.resolve("bin/hark.js"), "run", "--text", "--quiet", "--no-llm"], {
            env: { ...process.env, HARK__PATHS__DATADIR: tempDir(), HARK__PATHS__INTENTSDIRS: JSON.stringify([intents, path.resolve("intents")]), HARK__LOG__LEVEL: "error", HARK__DISPATCH__ISOLATION: "none" },
            stdio: ["pipe", "pipe", "pipe"]
        });
        let stdout = "";
        let stderr = "";
        hark.stdout!.on("data", (d) => (stdout += d));
        hark.stderr!.on("data", (d) => (stderr += d));
        hark.stdin!.write("fail later\n");
        await waitFor(() => stdout.includes("answered") && stderr.includes("late boom"), 30_000, "the late error");
        hark.stdin!.end("what can you do\n");
        const code = await new Promise((resolve) => hark.on("close", resolve));
        assert.equal(code, 0, stderr);
        assert.match(stdout, /^answered\nI can /);
        assert.match(stderr, /in the code of intent file late-throw, after its turn/);
        assert.match(stderr, /nobody awaits this/);
    });
});

describe("an intent file whose top-level code never finishes", () => {
    it("is reported as a problem naming the file, and the other intents load", async () => {
        const dir = tempDir();
        writeIntent(dir, "good.yaml", "name: good\ndescription: fine\nsentences: [\"hello\"]\naction: { speak: hi }\n");
        writeIntent(dir, "stuck.ts", `await new Promise(() => {});\nexport default { name: "stuck", description: "x", sentences: ["stuck"], handler() { return "x"; } };\n`);
        const set = await loadIntentDirs([dir]);
        assert.deepEqual(set.intents.map((i) => i.spec.name), ["good"]);
        assert.match(set.problems[0]!.message, /stuck\.ts: .*did not finish loading within 10 s \(a top-level await that never settles\?\)/);
    });
});

describe("a user's code intent in a worker thread", () => {
    const files = {
        "spin.ts": `import { defineIntent } from "hark";
export default defineIntent({ name: "spin", description: "never yields", sentences: ["spin"], timeoutMs: 300,
    handler() { for (;;) {} } });`,
        "hog.ts": `import { defineIntent } from "hark";
export default defineIntent({ name: "hog", description: "eats memory", sentences: ["hog"],
    handler() { const all = []; for (;;) all.push(new Array(100_000).fill(Math.random())); } });`,
        "helpful.ts": `import { defineIntent } from "hark";
export default defineIntent({ name: "helpful", description: "uses services", sentences: ["help me"],
    async handler({ services, state, log }) {
        const timer = await services.timers.add(60_000, "helpful");
        await state.set("helped", ((await state.get("helped")) ?? 0) + 1);
        log.info({ timer: timer.id }, "set");
        setTimeout(() => { services.timers.add(60_000, "too late").catch(() => {}); }, 50);
        return { speech: "Set " + timer.label + ", helped " + (await state.get("helped")) + " times.", data: { id: timer.id } };
    } });`,
        "boom.ts": `import { defineIntent } from "hark";
export default defineIntent({ name: "boom", description: "throws later", sentences: ["boom"],
    handler() { setTimeout(() => { throw new Error("worker boom"); }, 20); return "soon"; } });`
    };

    async function withIntents(fn: (assistant: Assistant) => Promise<void>): Promise<void> {
        const dir = tempDir();
        for (const [name, text] of Object.entries(files)) writeIntent(dir, name, text);
        const assistant = await Assistant.create({ config: testConfig({ paths: { dataDir: tempDir(), intentsDirs: [dir, path.resolve("intents")] }, dispatch: { workerHeapMb: 32 } }), log: silentLogger() });
        try {
            await fn(assistant);
        } finally {
            await assistant.dispose();
        }
    }

    it("a handler that never yields is ended at its timeout; hark answers the next turn and the intent works again", async () => {
        await withIntents(async (assistant) => {
            const spun = await assistant.handleText("spin");
            assert.match(spun.reply, /took too long/);
            assert.equal((await assistant.handleText("what can you do")).toolCall?.name, "what_can_you_do");
            assert.match((await assistant.handleText("spin")).reply, /took too long/);
        });
    });

    it("a handler whose heap runs away is ended, with an apology, and hark goes on", async () => {
        await withIntents(async (assistant) => {
            const hog = await assistant.handleText("hog");
            assert.match(hog.reply, /^Sorry, something went wrong/);
            assert.match(hog.error!.message, /worker was ended/);
            assert.equal((await assistant.handleText("what can you do")).toolCall?.name, "what_can_you_do");
        });
    });

    it("services and state work through the main thread; a late call after the answer is refused", async () => {
        await withIntents(async (assistant) => {
            assert.equal((await assistant.handleText("help me")).reply, "Set helpful, helped 1 times.");
            assert.equal((await assistant.handleText("help me")).reply, "Set helpful, helped 2 times.");
            await new Promise((resolve) => setTimeout(resolve, 300));
            assert.deepEqual((await assistant.services.timers.list()).map((t) => t.label), ["helpful", "helpful"]);
        });
    });

    it("a throw from the worker's own timer ends that worker only; the intent answers again at the next turn", async () => {
        await withIntents(async (assistant) => {
            assert.equal((await assistant.handleText("boom")).reply, "soon");
            await new Promise((resolve) => setTimeout(resolve, 300));
            assert.equal((await assistant.handleText("boom")).reply, "soon");
            assert.equal((await assistant.handleText("help me")).reply, "Set helpful, helped 1 times.");
        });
    });
});

describe("a full disk", { skip: process.getuid?.() !== 0 ? "needs root, to mount a small tmpfs" : false }, () => {
    it("a timer that cannot be saved is said in words, the turn is not lost for want of a trace, and it works again with room", async (t) => {
        const data = tempDir();
        if (spawnSync("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", data]).status !== 0) return t.skip("tmpfs cannot be mounted here");
        t.after(() => spawnSync("umount", [data]));
        const assistant = await Assistant.create({ config: testConfig({ paths: { dataDir: data } }), log: silentLogger() });
        try {
            spawnSync("dd", ["if=/dev/zero", `of=${path.join(data, "filler")}`, "bs=16k"], { stdio: "ignore" });
            assert.equal((await assistant.handleText("set a timer for 5 minutes")).reply, "Sorry, I couldn't do that: the disk I keep my files on is full.");
            fs.rmSync(path.join(data, "filler"));
            assert.equal((await assistant.handleText("set a timer for 6 minutes")).reply, "Timer set for 6 minutes.");
        } finally {
            await assistant.dispose();
        }
    });
});
