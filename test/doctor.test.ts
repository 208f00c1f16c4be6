import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { acceptsConnections, builtinIntentsDir, freePort, packageRoot, sharedDir, tempDir, waitFor, writeIntent } from "./helpers.ts";

const bin = path.join(packageRoot, "bin", "hark.js");

function doctor(config: Record<string, unknown>, args: string[] = [], env: NodeJS.ProcessEnv = {}) {
    const file = path.join(tempDir(), "config.json");
    fs.writeFileSync(file, JSON.stringify(config));
    return spawnSync(process.execPath, [bin, "--config", file, "doctor", ...args], { encoding: "utf8", timeout: 120_000, env: { ...process.env, ...env } });
}

/** A stand-in arecord first on PATH: lists one USB card, and records with `script` (gets the output file as $1). */
function fakeArecord(script: string): NodeJS.ProcessEnv {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, "arecord"), `#!/bin/sh
if [ "$1" = "-l" ]; then echo "card 1: Device [USB Audio Device], device 0: USB Audio [USB Audio]"; exit 0; fi
for last; do :; done
set -- "$last"
${script}
`, { mode: 0o755 });
    return { PATH: `${dir}:${process.env.PATH}` };
}

describe("hark doctor", () => {
    it("on this machine: names the missing sound devices, checks tools, models and intents, and exits non-zero", () => {
        const data = tempDir();
        const r = doctor({ paths: { dataDir: data, modelsDir: path.join(data, "models") }, llm: { enabled: false } });
        const cards = spawnSync("arecord", ["-l"], { encoding: "utf8" }).stdout;
        if (/^card /m.test(cards)) {
            assert.match(r.stdout, /^[✔!✘] capture +.*cards: card /m);
        } else {
            assert.equal(r.status, 1, r.stdout + r.stderr);
            assert.match(r.stdout, /^✘ capture +no capture device: arecord -l finds no sound card/m);
            assert.match(r.stdout, /^ +fix: plug in a USB microphone/m);
            assert.match(r.stdout, /^! playback +no playback device/m);
            assert.match(r.stdout, /problem\(s\) stop hark run from working/);
        }
        for (const line of [/^✔ node +Node\.js v\d+/m, /^✔ arecord +\//m, /^✔ pocketsphinx_batch +\//m, /^✔ wake model +openwakeword "hey_jarvis" loads/m,
            /^✔ intents +\d+ loaded/m, /^✔ pronunciations/m, /^✔ llm +off/m, /^✔ memory +need ~\d+ MiB/m]) {
            assert.match(r.stdout, line);
        }
    });

    it("with no intent loaded, says how to get the shipped ones back", () => {
        const data = tempDir();
        const r = doctor({ paths: { dataDir: data, modelsDir: path.join(data, "models"), intentsDirs: [tempDir()] }, intents: { builtins: false }, llm: { enabled: false } });
        assert.match(r.stdout, /^✘ intents +no intents loaded from /m);
        assert.match(r.stdout, /^ +fix: set intents\.builtins: true for the intents shipped with hark/m);
    });

    it("counts a worker thread's memory for each of your code intents", () => {
        const data = tempDir();
        const intents = tempDir();
        writeIntent(intents, "zebra.ts", "import { defineIntent } from \"hark\";\nexport default defineIntent({ name: \"zebra\", description: \"x\", sentences: [\"zebra crossing\"], handler() { return \"ok\"; } });\n");
        writeIntent(intents, "hello.yaml", "name: hello\ndescription: greets\nsentences: [\"hello there\"]\naction: { speak: hi }\n");
        const r = doctor({ paths: { dataDir: data, modelsDir: path.join(data, "models"), intentsDirs: [builtinIntentsDir, intents] }, llm: { enabled: false } });
        assert.match(r.stdout, /^✔ memory +need ~\d+ MiB \(hark \d+ \+ pocketsphinx \d+ \+ 1 intent worker\(s\) 19\)/m);
    });

    it("reports a damaged model, a broken intent file, a word without a pronunciation, a filler the text keeps and an unknown profile, with fixes", () => {
        const data = tempDir();
        const models = path.join(data, "models");
        fs.mkdirSync(models);
        fs.writeFileSync(path.join(models, "qwen2.5-0.5b-instruct-q4_k_m.gguf"), "not the real model");
        const intents = tempDir();
        writeIntent(intents, "broken.yaml", "name: broken\nsentences: [\n");
        writeIntent(intents, "zorble.yaml", "name: zorble\ndescription: test\nsentences:\n  - zorbleflax the lights\naction:\n  speak: done\n");
        const r = doctor({ paths: { dataDir: data, modelsDir: models, intentsDirs: [builtinIntentsDir, intents] }, llm: { profile: "no-such-profile" }, stt: { fillersAfter: ["please", "cheers"] } }, ["--json"]);
        assert.equal(r.status, 1, r.stderr);
        const results: Array<{ name: string; status: string; detail: string; fix?: string }> = JSON.parse(r.stdout).results;
        const find = (name: string, status: string) => results.find((x) => x.name === name && x.status === status);
        assert.match(find("model qwen2.5-0.5b-instruct", "fail")?.fix ?? "", /hark models rm qwen2\.5-0\.5b-instruct && hark models pull/);
        assert.match(find("intents", "warn")?.detail ?? "", /broken\.yaml/);
        assert.match(find("pronunciations", "warn")?.detail ?? "", /zorbleflax/);
        assert.match(find("fillers", "warn")?.detail ?? "", /does not listen for cheers around requests/);
        assert.match(find("llm", "fail")?.detail ?? "", /no-such-profile/);
    });

    it("each satellite is asked who it is: one that answers is named, one that does not says how to start it", { skip: fs.existsSync(path.join(sharedDir, "vendor", "python")) ? false : "../shared/vendor/python not found" }, async () => {
        const port = await freePort();
        const satellite = spawn("python3", ["-m", "wyoming_satellite", "--name", "porch", "--uri", `tcp://127.0.0.1:${port}`, "--no-zeroconf", "--mic-command", "sleep 600"], {
            env: { ...process.env, PYTHONPATH: path.join(sharedDir, "vendor", "python") }, stdio: "ignore", detached: true
        });
        try {
            await waitFor(() => acceptsConnections(port), 30_000, "the satellite to listen");
            const data = tempDir();
            const closed = await freePort();
            const r = doctor({
                paths: { dataDir: data, modelsDir: path.join(data, "models") }, llm: { enabled: false }, audio: { device: "none" },
                satellites: [{ name: "porch", uri: `tcp://127.0.0.1:${port}` }, { name: "shed", uri: `tcp://127.0.0.1:${closed}` }]
            }, ["--json", "--quick"]);
            const results: Array<{ name: string; status: string; detail: string; fix?: string }> = JSON.parse(r.stdout).results;
            const byName = Object.fromEntries(results.map((x) => [x.name, x]));
            assert.equal(byName["satellite porch"]?.status, "ok");
            assert.match(byName["satellite porch"]?.detail ?? "", /porch answers \(wyoming-satellite 1\.4\.1\)/);
            assert.equal(byName["satellite shed"]?.status, "warn");
            assert.match(byName["satellite shed"]?.detail ?? "", /ECONNREFUSED/);
            assert.match(byName["satellite shed"]?.fix ?? "", /start wyoming-satellite in the shed room/);
            assert.equal(byName.capture?.status, "skip", "no microphone here");
        } finally {
            if (satellite.pid) process.kill(-satellite.pid, "SIGKILL");
        }
    });

    it("a microphone that records only silence is a warning about its level; a busy one names who may hold it", () => {
        const quiet = doctor({ llm: { enabled: false } }, [], fakeArecord('head -c 32000 /dev/zero > "$1"'));
        assert.match(quiet.stdout, /^! capture +default recorded only silence \(cards: card 1: Device \[USB Audio Device\]\)$/m);
        assert.match(quiet.stdout, /fix: the microphone may be muted: raise its capture level with alsamixer/);
        const busy = doctor({ llm: { enabled: false } }, [], fakeArecord('echo "arecord: main:831: audio open error: Device or resource busy" >&2; exit 1'));
        assert.match(busy.stdout, /^! capture +default is busy: another program records from it \(the hark service\?/m);
        const loud = doctor({ llm: { enabled: false } }, [], fakeArecord('head -c 32000 /dev/urandom > "$1"'));
        assert.match(loud.stdout, /^✔ capture +default: 1 s recorded, peak \d+%/m);
    });

    it("an invalid config is a failure that says which key, and the other checks still run", () => {
        const r = doctor({ audio: { sampleRateHz: "fast" } });
        assert.equal(r.status, 1);
        assert.match(r.stdout, /^✘ config +\S+ is invalid .*\n +- audio\.sampleRateHz: must be integer$/m);
        assert.match(r.stdout, /^✔ node/m);
    });
});
