import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { before, describe, it } from "node:test";
import { readAudioFile } from "../src/audio/file.ts";
import { HarkError } from "../src/errors.ts";
import { chooseTranscriber } from "../src/pipeline/voice-setup.ts";
import { whisperTensorShapes, TINY_RANDOM_HPARAMS, writeRandomWhisperModel } from "../src/stt/whisper-ggml.ts";
import { buildPrompt, cleanWhisperText, WhisperTranscriber } from "../src/stt/whisper.ts";
import { makeSpeech, packageRoot, silentLogger, tempDir, testConfig } from "./helpers.ts";

const dir = tempDir("hark-whisper-");
const model = path.join(dir, "ggml-tiny-random.bin");

describe("whisper engine on a generated random-weight model", { timeout: 120_000 }, () => {
    before(() => writeRandomWhisperModel(model));

    it("the generated file has whisper.cpp's layout: magic, hparams and every named tensor", () => {
        const head = fs.readFileSync(model).subarray(0, 48);
        assert.equal(head.readUInt32LE(0), 0x67676d6c);
        assert.equal(head.readInt32LE(4), TINY_RANDOM_HPARAMS.nVocab);
        assert.equal(whisperTensorShapes(TINY_RANDOM_HPARAMS).length, 11 + 15 + 24);
    });

    it("loads, runs on real speech and returns a transcript object", async () => {
        const whisper = await WhisperTranscriber.create({ modelPath: model, log: silentLogger() });
        try {
            whisper.setIntents([], { song: ["baby shark"] });
            const samples = await readAudioFile(makeSpeech(path.join(dir, "speech.wav"), "play baby shark", 300));
            const transcript = await whisper.transcribe(samples);
            assert.equal(transcript.engine, "whisper");
            assert.equal(typeof transcript.text, "string");
            assert.equal(typeof transcript.detail?.raw, "string");
        } finally {
            await whisper.dispose();
        }
    });

    it("a missing model file says where it looked and what to do", async () => {
        await assert.rejects(WhisperTranscriber.create({ modelPath: path.join(dir, "nope.bin"), log: silentLogger() }), (e: unknown) =>
            e instanceof HarkError && e.code === "HARK_MODEL_MISSING" && /stt\.whisperModel.*stt\.engine: grammar/.test(e.message));
    });

    it("a file that is not a whisper model is rejected before loading", async () => {
        const bogus = path.join(dir, "bogus.bin");
        fs.writeFileSync(bogus, "this is not a model");
        await assert.rejects(WhisperTranscriber.create({ modelPath: bogus, log: silentLogger() }), /not a usable whisper\.cpp ggml model: wrong magic number/);
    });

    it("a model cut off anywhere is a clear error, not a crash or an empty model", async () => {
        // whisper.cpp itself would accept a file cut inside its header as an "empty model for testing".
        for (const bytes of [40, 70_000, 500_000, 1_500_000, 4_000_000]) {
            const truncated = path.join(dir, `truncated-${bytes}.bin`);
            fs.writeFileSync(truncated, fs.readFileSync(model).subarray(0, bytes));
            await assert.rejects(WhisperTranscriber.create({ modelPath: truncated, log: silentLogger() }), (e: unknown) =>
                e instanceof HarkError && e.code === "HARK_MODEL_INVALID" && /truncated|cut off|ends at byte/.test(e.message), `cut at ${bytes}`);
        }
    });

    it("hark transcribe --engine whisper runs the model from the config", () => {
        const wav = makeSpeech(path.join(dir, "cli.wav"), "what time is it", 300);
        const r = spawnSync(process.execPath, [path.join(packageRoot, "bin", "hark.js"), "transcribe", "--engine", "whisper", "--json", wav], {
            encoding: "utf8", timeout: 60_000, env: { ...process.env, HARK__STT__WHISPERMODEL: model, HARK__PATHS__DATADIR: tempDir() }
        });
        assert.equal(r.status, 0, r.stderr);
        assert.equal(JSON.parse(r.stdout).engine, "whisper");
    });
});

describe("whisper text handling", () => {
    it("drops the well-known hallucinations on silence and non-speech annotations", () => {
        assert.equal(cleanWhisperText(" Thank you."), "");
        assert.equal(cleanWhisperText("you"), "");
        assert.equal(cleanWhisperText("[BLANK_AUDIO]"), "");
        assert.equal(cleanWhisperText("(music) Play baby shark."), "Play baby shark.");
        assert.equal(cleanWhisperText("Thank you, set a timer"), "Thank you, set a timer");
    });

    it("the initial prompt carries the intents' example sentences and slot values", () => {
        const prompt = buildPrompt([{ name: "x", sentences: [], slots: {}, rules: {}, textOnlyRules: [], examples: [{ text: "play baby shark", args: {} }] }], { artist: ["pinkfong"] });
        assert.equal(prompt, "play baby shark, pinkfong.");
    });

    it("engine 'auto' picks whisper only when its model file exists", () => {
        assert.equal(chooseTranscriber(testConfig()), "grammar");
        assert.equal(chooseTranscriber(testConfig({ stt: { whisperModel: "/nonexistent.bin" } })), "grammar");
        assert.equal(chooseTranscriber(testConfig({ stt: { whisperModel: model } })), fs.existsSync(model) ? "whisper" : "grammar");
        assert.equal(chooseTranscriber(testConfig({ stt: { engine: "grammar", whisperModel: model } })), "grammar");
    });
});
