import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { Assistant } from "../src/pipeline/assistant.ts";
import { readTraces, turnFailed } from "../src/trace/read.ts";
import { packageRoot, silentLogger, tempDir, testConfig } from "./helpers.ts";

const bin = path.join(packageRoot, "bin", "hark.js");

describe("hark trace", () => {
    it("reads the last turns across rotated files, oldest first, filtered, skipping lines that are not records", async () => {
        const data = tempDir();
        const config = testConfig({ paths: { dataDir: data }, trace: { maxFileBytes: 10_000, keepFiles: 3 } });
        const assistant = await Assistant.create({ config, log: silentLogger() });
        const said: string[] = [];
        try {
            for (let i = 0; i < 30; i++) {
                const text = i % 3 === 0 ? `blorp number ${i}` : "what time is it";
                said.push(text);
                await assistant.handleText(text);
            }
        } finally {
            await assistant.dispose();
        }
        assert.ok(fs.existsSync(`${config.trace.file}.1`), "the trace was rotated");
        fs.appendFileSync(config.trace.file, "{\"cut short\n");
        const last = readTraces(config.trace.file, 12);
        assert.deepEqual(last.records.map((r) => r.input.text), said.slice(-12));
        assert.equal(last.unreadable, 1);
        const failed = readTraces(config.trace.file, 6, turnFailed);
        assert.deepEqual(failed.records.map((r) => r.input.text), said.filter((t) => t.startsWith("blorp")).slice(-6));
        assert.ok(failed.files.length >= 2, "older turns come from the rotated file");
    });

    it("prints turns as timelines, and --explain says why a sentence was not understood", () => {
        const dir = tempDir();
        const file = path.join(dir, "config.json");
        fs.writeFileSync(file, JSON.stringify({ paths: { dataDir: path.join(dir, "data"), modelsDir: path.join(dir, "models") }, music: { dir: tempDir() } }));
        const hark = (...args: string[]) => spawnSync(process.execPath, [bin, "--config", file, ...args], { encoding: "utf8", timeout: 60_000 });
        assert.equal(hark("ask", "--quiet", "set a timer for ten minutes").status, 0);
        assert.equal(hark("ask", "--quiet", "--no-llm", "set a tmer for ten minutes to boil the eggs").status, 2);

        const all = hark("trace");
        assert.equal(all.status, 0, all.stderr);
        assert.match(all.stdout, /^\d\d:\d\d:\d\d {2}cli {2}"set a timer for ten minutes" {2}\d+ ms$/m);
        assert.match(all.stdout, /^ {2}recognize +[\d.]+ ms {2}template accepted set_timer 1\.00 ⇒ accept$/m);
        assert.match(all.stdout, /^ {2}→ set_timer\(minutes: 10\) \(template, 1\.00\)$/m);
        assert.match(all.stdout, /^ {2}← Timer set for 10 minutes\.$/m);

        const explained = hark("trace", "--failed", "--explain");
        assert.equal(explained.status, 0, explained.stderr);
        assert.doesNotMatch(explained.stdout, /set a timer for ten minutes/, "--failed leaves out the turn that acted");
        assert.match(explained.stdout, /"set a tmer for ten minutes to boil the eggs"/);
        assert.match(explained.stdout, /why not understood:\n {4}template of set_timer: /);
        assert.match(explained.stdout, /"tmer" is not "timer"/);
        assert.match(explained.stdout, /model \(hark-intent\), top answers:\n( +[\d.]+ % {2}[a-z_ /]+\n)+/);

        const json = hark("trace", "1", "--intent", "set_timer", "--json");
        const records = json.stdout.trim().split("\n").map((l) => JSON.parse(l) as { toolCall: { name: string } });
        assert.deepEqual(records.map((r) => r.toolCall.name), ["set_timer"]);
    });
});
