import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { Transcript } from "../src/cli/transcript.ts";
import { Assistant } from "../src/pipeline/assistant.ts";
import { fakePlayerCommand, makeTaggedFlac, packageRoot, silentLogger, tempDir, testConfig, writeIntent } from "./helpers.ts";

const bin = path.join(packageRoot, "bin", "hark.js");

/** Runs the real `hark` executable with a config file in a temporary folder. */
function hark(args: string[], config: Record<string, unknown> = {}, env: NodeJS.ProcessEnv = process.env, input?: string) {
    const dir = tempDir();
    const file = path.join(dir, "config.json");
    fs.writeFileSync(file, JSON.stringify({ paths: { dataDir: path.join(dir, "data"), modelsDir: path.join(dir, "models") }, ...config }));
    const result = spawnSync(process.execPath, [bin, "--config", file, ...args], { encoding: "utf8", timeout: 60_000, env, ...(input != null ? { input } : {}) });
    return { ...result, dataDir: path.join(dir, "data") };
}

describe("hark CLI", () => {
    it("ask --dry-run runs nothing; trace --label saves a correction that eval reads, and eval --save keeps the run", () => {
        const dir = tempDir();
        const dataDir = path.join(dir, "data");
        const file = path.join(dir, "config.json");
        fs.writeFileSync(file, JSON.stringify({ paths: { dataDir, modelsDir: path.join(dir, "models") }, llm: { enabled: false } }));
        const run = (args: string[], input?: string) => spawnSync(process.execPath, [bin, "--config", file, ...args], { encoding: "utf8", timeout: 60_000, ...(input != null ? { input } : {}) });
        const dry = run(["ask", "--dry-run", "set a timer for five minutes"]);
        assert.equal(dry.status, 0, dry.stderr);
        assert.match(dry.stdout, /^set_timer\(minutes: 5\) \(template, 1\.00\)\n$/);
        assert.ok(!fs.existsSync(path.join(dataDir, "timers.json")) || JSON.parse(fs.readFileSync(path.join(dataDir, "timers.json"), "utf8")).length === 0, "no timer was set");
        assert.ok(!fs.existsSync(path.join(dataDir, "traces", "turns.jsonl")), "a dry run is not traced");

        assert.equal(run(["ask", "--quiet", "what time is it"]).status, 0);
        const labelled = run(["trace", "--label", "1"], 'get_date {}\n');
        assert.equal(labelled.status, 0, labelled.stderr);
        assert.match(labelled.stdout, /"what time is it"[\s\S]*saved to .*usage\.jsonl: "what time is it" → get_date\(\)/);
        assert.match(run(["trace", "--label", "1", "--as", "get_wether"]).stderr, /no intent called get_wether is loaded \(did you mean "get_weather"\?\)/);
        const usage = path.join(dataDir, "usage.jsonl");
        const evaluated = run(["eval", "--save", usage]);
        assert.equal(evaluated.status, 0, evaluated.stderr);
        assert.match(evaluated.stdout, /intent accuracy +0\.0%/);
        assert.match(evaluated.stderr, /saved as eval-/);
        assert.equal(fs.readdirSync(path.join(dataDir, "evals", "runs")).length, 1);
    });

    it("hark ask sets a real timer and prints the reply", () => {
        const r = hark(["ask", "--quiet", "set a timer for five minutes"]);
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.stdout, "Timer set for 5 minutes.\n");
        const timers = JSON.parse(fs.readFileSync(path.join(r.dataDir, "timers.json"), "utf8"));
        assert.equal(timers.length, 1);
        assert.equal(timers[0].durationMs, 300_000);
    });

    it("hark ask plays a song from the configured music folder", () => {
        const music = tempDir();
        makeTaggedFlac(path.join(music, "shark.flac"), { TITLE: "Baby Shark", ARTIST: "Pinkfong" });
        const log = path.join(tempDir(), "played.log");
        const player = fakePlayerCommand(log, 0);
        const r = hark(["ask", "--quiet", "play baby shark"], { music: { dir: music }, player: { wav: player, mp3: player, other: player } });
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.stdout, "Playing Baby Shark by Pinkfong.\n");
        assert.equal(fs.readFileSync(log, "utf8").trim(), path.join(music, "shark.flac"));
    });

    it("hark ask exits 2 when nothing was understood, 1 when the handler failed; --version prints the package's version", () => {
        const r = hark(["ask", "--quiet", "--no-llm", "blorp the flibbet"]);
        assert.equal(r.status, 2, r.stderr);
        assert.equal(r.stdout, "Sorry, I didn't catch that.\n");
        const failing = tempDir();
        writeIntent(failing, "broken.yaml", "name: broken_thing\ndescription: fails\nsentences: [\"break the thing\"]\naction:\n  run: { command: [\"false\"], speak: \"done\" }\n");
        assert.equal(hark(["ask", "--quiet", "--no-llm", "break the thing"], { paths: { intentsDirs: [failing] } }).status, 1);
        const version = spawnSync(process.execPath, [bin, "--version"], { encoding: "utf8" });
        assert.equal(version.stdout.trim(), JSON.parse(fs.readFileSync(path.join(packageRoot, "package.json"), "utf8")).version);
    });

    it("hark run --text stops at the end of its input, one reply per line, and says which timers are still set", () => {
        const r = hark(["run", "--text", "--quiet", "--no-llm"], { log: { level: "warn" } }, process.env, "set a timer for 5 minutes\nblorp the flibbet\n");
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.stdout, "Timer set for 5 minutes.\nSorry, I didn't catch that.\n");
        assert.match(r.stderr, /1 timer\(s\) still set; they ring when hark runs again/);
    });

    it("logs for people are one line per expected condition, without a stack trace unless --log-level debug", () => {
        const config = { log: { pretty: true }, weather: { geocodingUrl: "http://127.0.0.1:9/search", timeoutMs: 2000 } };
        const r = hark(["ask", "--quiet", "--no-llm", "what is the weather in boston"], config);
        assert.equal(r.stdout, "Sorry, I can't reach the weather service right now. Please try again later.\n");
        const lines = r.stderr.trim().split("\n");
        assert.equal(lines.length, 1, r.stderr);
        assert.match(lines[0]!, /^\[\d\d:\d\d:\d\d\] WARN: weather service unreachable: fetch failed/);
        const debug = hark(["ask", "--quiet", "--no-llm", "--log-level", "debug", "what is the weather in boston"], config);
        assert.match(debug.stderr, /^\s+at .*\(.*:\d+:\d+\)$/m, "the stack is there at debug");
    });

    it("on a terminal, hark run prints each turn as heard → call → reply", async () => {
        const assistant = await Assistant.create({ config: testConfig(), log: silentLogger() });
        try {
            const lines: string[] = [];
            const transcript = new Transcript((line) => lines.push(line));
            transcript.turn(await assistant.handleText("set a timer for 5 minutes"));
            transcript.turn(await assistant.handleText("blorp the flibbet"));
            assert.deepEqual(lines, [
                "\"set a timer for 5 minutes\" → set_timer(minutes: 5) → Timer set for 5 minutes.\n",
                "\"blorp the flibbet\" → (not understood) → Sorry, I didn't catch that.\n"
            ]);
        } finally {
            await assistant.dispose();
        }
    });

    it("hark ask --json prints the whole trace record", () => {
        const r = hark(["ask", "--quiet", "--json", "what time is it"]);
        assert.equal(r.status, 0, r.stderr);
        const record = JSON.parse(r.stdout);
        assert.equal(record.toolCall.name, "get_time");
        assert.match(record.reply, /^It's \d{1,2}:\d{2} [AP]M\.$/);
        assert.deepEqual(record.stages.map((s: { name: string }) => s.name), ["recognize", "dispatch"]);
    });

    it("hark ask writes the spoken reply to --out and explains when it cannot play it", () => {
        const out = path.join(tempDir(), "reply.wav");
        const r = hark(["ask", "--out", out, "what can you do"], { player: { wav: ["aplay", "-q", "-D", "hark_test_no_such_device", "{file}"] } });
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stdout, /^I can play music/);
        assert.match(r.stderr, /could not speak the reply: aplay could not play/);
        assert.match(r.stderr, /use --quiet/);
        assert.ok(fs.statSync(out).size > 10_000);
    });

    it("volume intents drive amixer with the configured control and step, and say the new level", () => {
        // A stand-in amixer first on PATH: records its arguments and answers like the real one.
        const bindir = tempDir();
        const calls = path.join(bindir, "calls.log");
        fs.writeFileSync(path.join(bindir, "amixer"), `#!/bin/sh\necho "$@" >> ${calls}\necho "Simple mixer control 'PCM',0"\necho "  Mono: Playback 150 [62%] [-15.00dB] [on]"\n`, { mode: 0o755 });
        const env = { ...process.env, PATH: `${bindir}:${process.env.PATH}` };
        const volume = { volume: { control: "PCM", stepPercent: 15 } };
        assert.equal(hark(["ask", "--quiet", "turn the volume up"], volume, env).stdout, "Volume 62 percent.\n");
        assert.equal(hark(["ask", "--quiet", "turn it down by 20 percent"], volume, env).stdout, "Volume 62 percent.\n");
        assert.equal(hark(["ask", "--quiet", "set the volume to forty percent"], volume, env).stdout, "Volume set to 62 percent.\n");
        assert.deepEqual(fs.readFileSync(calls, "utf8").trim().split("\n"), ["sset PCM 15%+", "sset PCM 20%-", "sset PCM 40%"]);
    });

    it("hark eval --json prints the metrics object", () => {
        const r = hark(["eval", "--json", path.join(packageRoot, "test", "fixtures", "eval-small.jsonl")]);
        assert.equal(r.status, 0, r.stderr);
        const report = JSON.parse(r.stdout);
        assert.equal(report.cases, 6);
        assert.equal(report.intentAccuracy, 0.8333);
        assert.equal(report.falseActionRate, 0.5);
        assert.equal(report.slotF1, 0.8333);
        assert.deepEqual(Object.keys(report.latencyMs).sort(), ["mean", "p50", "p95"]);
    });

    it("hark intents check names each broken file and exits non-zero", () => {
        const dir = tempDir();
        writeIntent(dir, "ok.yaml", "name: ok_intent\ndescription: fine\nsentences: [all good]\nexamples: [{ text: all good }]\naction: { speak: fine }\n");
        writeIntent(dir, "bad.yaml", "name: Bad Name\ndescription: x\nsentences: [x]\naction: { speak: x }\n");
        writeIntent(dir, "zorblax.yaml", "name: greet_zorblax\ndescription: x\nsentences: [hello zorblax]\nexamples: [{ text: hello zorblax }]\naction: { speak: hi }\n");
        const r = hark(["intents", "check", dir]);
        assert.equal(r.status, 1);
        assert.match(r.stdout, /error: .*bad\.yaml:1:7: name: must match pattern/);
        assert.match(r.stdout, /warning: .*zorblax\.yaml: intent greet_zorblax: "zorblax" has no pronunciation.*stt\.pronunciations/);
        assert.match(r.stdout, /2 intent\(s\) loaded, 1 error\(s\), 1 warning\(s\)/);
    });

    it("hark intents check finds placeholders nothing fills and type errors in TypeScript intents, each with its line", () => {
        const dir = tempDir();
        writeIntent(dir, "lamp.yaml", "name: lamp_on\ndescription: x\nargs: { type: object, properties: { room: { type: string } } }\nslots: { room: [kitchen, hall] }\nsentences: [\"lamp on in {room}\"]\nexamples: [{ text: lamp on in kitchen, args: { room: kitchen } }]\naction:\n  http:\n    url: \"http://127.0.0.1:8123/lamp/{rom}\"\n    speak: \"The {room} lamp is {json.state}, status {stat}.\"\n");
        writeIntent(dir, "fan.ts", "import { defineIntent } from \"hark\";\n\nexport default defineIntent({\n    name: \"fan_on\",\n    description: \"x\",\n    sentences: [\"fan on\"],\n    examples: [{ text: \"fan on\", args: {} }],\n    async handler({ services }) {\n        await services.timerz.list();\n        return \"ok\";\n    }\n});\n");
        const r = hark(["intents", "check", dir]);
        assert.equal(r.status, 1);
        assert.match(r.stdout, /warning: .*lamp\.yaml:9:10: \{rom\} is not an argument of this intent \(room\) \(did you mean "room"\?\); it would be left empty/);
        assert.match(r.stdout, /warning: .*lamp\.yaml:10:12: \{stat\} is not an argument \(room\) or one of status, body, json \(did you mean "status"\?\)/);
        assert.doesNotMatch(r.stdout, /json\.state/, "the answer's keys are not known before it comes");
        assert.match(r.stdout, /error: .*fan\.ts:9:24: Property 'timerz' does not exist on type 'Services'\. Did you mean 'timers'\?/);
    });

    it("an invalid config stops with one clear line and exit code 2", () => {
        const r = hark(["ask", "hello"], { nlu: { minConfidence: "high" } });
        assert.equal(r.status, 2);
        assert.match(r.stderr, /^hark: .*config\.json is invalid/);
        assert.match(r.stderr, /nlu\.minConfidence: must be number/);
    });

    it("hark config schema prints a JSON Schema editors can use", () => {
        const r = hark(["config", "schema"]);
        const schema = JSON.parse(r.stdout);
        assert.equal(schema.type, "object");
        assert.ok(schema.properties.music.properties.dir);
    });

    it("output piped into a reader that stops early (hark … | head) ends quietly", () => {
        // `true` exits at once, long before hark has started and writes: every write meets a closed pipe.
        const r = spawnSync("bash", ["-c", `"${process.execPath}" "${bin}" config schema | true; echo "hark exited \${PIPESTATUS[0]}"`], { encoding: "utf8", timeout: 60_000 });
        assert.equal(r.stdout.trim(), "hark exited 0", r.stderr);
        assert.doesNotMatch(r.stderr, /EPIPE|Error/);
    });

    it("hark config init writes every default to a new file, which then loads", () => {
        const file = path.join(tempDir(), "sub", "config.yaml");
        const init = spawnSync(process.execPath, [bin, "--config", file, "config", "init"], { encoding: "utf8", timeout: 60_000 });
        assert.equal(init.status, 0, init.stderr);
        assert.match(fs.readFileSync(file, "utf8"), /^llm:\n  # Ask the language model .*\n  enabled: true\n  # Profile in use: .*\n  profile: hark-intent$/m);
        const show = spawnSync(process.execPath, [bin, "--config", file, "config", "show"], { encoding: "utf8", timeout: 60_000 });
        assert.equal(show.status, 0, show.stderr);
        const again = spawnSync(process.execPath, [bin, "--config", file, "config", "init"], { encoding: "utf8", timeout: 60_000 });
        assert.equal(again.status, 1);
        assert.match(again.stderr, /exists; use --force/);
    });
});
