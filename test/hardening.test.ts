import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import * as esbuild from "esbuild";
import { CommandPlayer } from "../src/audio/player.ts";
import { loadIntentFile } from "../src/intents/load.ts";
import { silentLogger, tempDir, waitFor, writeIntent } from "./helpers.ts";

const CODE_INTENT = `export default {
    name: "tell_time_secure",
    description: "test",
    sentences: ["what time is it"],
    handler() { return "It is noon."; }
};
`;

/** Folders this process bundled code intents into. */
function ownBundleDirs(): string[] {
    return fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith("hark-intents-")).map((f) => path.join(os.tmpdir(), f))
        .filter((d) => fs.lstatSync(d).isDirectory() && fs.lstatSync(d).uid === process.getuid!());
}

describe("bundled intent code", () => {
    it("is written to a private folder of this process (mode 700, this user's) and deleted once imported", async () => {
        const file = writeIntent(tempDir(), "secure.ts", CODE_INTENT);
        const before = new Set(ownBundleDirs());
        const intent = await loadIntentFile(file);
        assert.equal(intent.spec.name, "tell_time_secure");
        const dirs = ownBundleDirs().filter((d) => !before.has(d));
        assert.equal(dirs.length, 1, "one folder, made for this process");
        for (const dir of dirs) {
            assert.equal(fs.statSync(dir).mode & 0o777, 0o700, `${dir} is private`);
            assert.deepEqual(fs.readdirSync(dir), [], "no bundle is left behind");
        }
        assert.ok(!fs.existsSync(path.join(os.tmpdir(), `hark-intents-${process.getuid!()}`)) || !fs.readdirSync(path.join(os.tmpdir(), `hark-intents-${process.getuid!()}`)).some((f) => f.startsWith("secure-")), "the old shared, predictable folder is not used");
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
