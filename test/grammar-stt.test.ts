import assert from "node:assert/strict";
import path from "node:path";
import { describe, it } from "node:test";
import { readAudioFile } from "../src/audio/file.ts";
import { loadIntentDirs } from "../src/intents/load.ts";
import type { IntentSpec } from "../src/intents/types.ts";
import { TemplateRecognizer } from "../src/nlu/templates.ts";
import { GrammarTranscriber } from "../src/stt/grammar.ts";
import { builtinIntentsDir, makeSpeech, silentLogger, tempDir } from "./helpers.ts";

const builtins = (await loadIntentDirs([builtinIntentsDir])).intents.map((i) => i.spec);

function spec(name: string, sentences: string[], slots: IntentSpec["slots"] = {}, examples: IntentSpec["examples"] = []): IntentSpec {
    return { name, description: "", args: { type: "object" }, sentences: [{ sentences, args: {} }], slots, rules: {}, textOnlyRules: [], examples };
}

describe("grammar transcriber (pocketsphinx + JSGF from the intents)", () => {
    it("the built-in intents compile with no pronunciation gaps", async () => {
        const t = await GrammarTranscriber.create({ log: silentLogger() });
        t.setIntents(builtins, { song: ["baby shark"] });
        assert.deepEqual(t.grammarProblems.filter((p) => p.kind === "missing-pronunciation").map((p) => p.subject), []);
        await t.dispose();
    });

    it("a word without a pronunciation is reported with its intent, and a supplied pronunciation fixes it", async () => {
        const intents = [spec("greet_zorblax", ["hello zorblax"]), spec("say_hi", ["hello there"])];
        const without = await GrammarTranscriber.create({ log: silentLogger() });
        without.setIntents(intents);
        assert.deepEqual(without.grammarProblems.map((p) => [p.intent, p.kind, p.subject]), [["greet_zorblax", "missing-pronunciation", "zorblax"]]);
        assert.match(without.grammarProblems[0]!.message, /stt\.pronunciations/);
        await without.dispose();
        const fixed = await GrammarTranscriber.create({ log: silentLogger(), pronunciations: { zorblax: "Z AO R B L AE K S" } });
        fixed.setIntents(intents);
        assert.deepEqual(fixed.grammarProblems, []);
        await fixed.dispose();
    });

    it("a wildcard slot with no known values is reported, not a silent failure", async () => {
        const t = await GrammarTranscriber.create({ log: silentLogger() });
        t.setIntents([spec("find_thing", ["find {thing}"], { thing: { kind: "wildcard" } }), spec("say_hi", ["hello there"])]);
        assert.deepEqual(t.grammarProblems.map((p) => [p.kind, p.subject]), [["wildcard-without-values", "thing"]]);
        await t.dispose();
    });

    it("a decoder that dies during an utterance is reported and the utterance decoded again by a new one", async () => {
        const t = await GrammarTranscriber.create({ log: silentLogger() });
        t.setIntents(builtins);
        try {
            const samples = await readAudioFile(makeSpeech(path.join(tempDir(), "cmd.wav"), "what time is it", 300));
            const pending = t.transcribe(samples);
            await new Promise((resolve) => setTimeout(resolve, 100));
            const decoder = (t as unknown as { decoder: { child: import("node:child_process").ChildProcess } | null }).decoder;
            assert.ok(decoder, "a decoder is running");
            decoder.child.kill("SIGKILL");
            const started = Date.now();
            assert.equal((await pending).text, "what time is it");
            assert.ok(Date.now() - started < 10_000, "no wait for a result the dead process cannot give");
        } finally {
            await t.dispose();
        }
    });

    it("a new grammar while an utterance is being decoded: the utterance is decoded by the new decoder", async () => {
        const t = await GrammarTranscriber.create({ log: silentLogger() });
        t.setIntents(builtins);
        try {
            const samples = await readAudioFile(makeSpeech(path.join(tempDir(), "cmd.wav"), "what time is it", 300));
            const pending = t.transcribe(samples);
            await new Promise((resolve) => setTimeout(resolve, 100));
            t.setIntents(builtins);
            const started = Date.now();
            assert.equal((await pending).text, "what time is it");
            assert.ok(Date.now() - started < 10_000, "no wait for a result the stopped decoder cannot give");
        } finally {
            await t.dispose();
        }
    });

    it("a new decoder that never answers is replaced and the utterance decoded again", async () => {
        const t = await GrammarTranscriber.create({ log: silentLogger() });
        t.setIntents(builtins);
        try {
            const samples = await readAudioFile(makeSpeech(path.join(tempDir(), "cmd.wav"), "what time is it", 300));
            const pending = t.transcribe(samples);
            await new Promise((resolve) => setTimeout(resolve, 50));
            const decoder = (t as unknown as { decoder: { child: import("node:child_process").ChildProcess } | null }).decoder;
            assert.ok(decoder, "a decoder is running");
            decoder.child.kill("SIGSTOP"); // frozen: alive, silent
            assert.equal((await pending).text, "what time is it");
            assert.equal(decoder.child.signalCode, "SIGKILL", "the frozen decoder was killed");
        } finally {
            await t.dispose();
        }
    });

    it("transcribes spoken commands, and a song title from the music folder becomes recognisable", async () => {
        const t = await GrammarTranscriber.create({ log: silentLogger() });
        t.setIntents(builtins, { song: ["baby shark"], location: ["boston"] });
        const recognizer = new TemplateRecognizer(builtins);
        const dir = tempDir();
        try {
            for (const text of ["what time is it", "delete all timers", "stop the timer"]) {
                const samples = await readAudioFile(makeSpeech(path.join(dir, "cmd.wav"), text, 300));
                assert.equal((await t.transcribe(samples)).text, text);
            }
            // The grammar allows "play [me] ...": pocketsphinx may hear the optional word; what matters is the request.
            const heard = (await t.transcribe(await readAudioFile(makeSpeech(path.join(dir, "song.wav"), "play baby shark", 300)))).text;
            const understood = recognizer.recognizeSync(heard);
            assert.deepEqual([understood?.intent, understood?.args], ["play_song", { song: "baby shark" }], heard);
        } finally {
            await t.dispose();
        }
    });

    it("a missing acoustic model is a clear error that says how to install it", async () => {
        await assert.rejects(GrammarTranscriber.create({ log: silentLogger(), hmmDir: "/nonexistent/en-us" }), /apt-get install pocketsphinx-en-us/);
    });
});
