import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { CommandPlayer } from "../src/audio/player.ts";
import { PlaybackError } from "../src/errors.ts";
import { Assistant } from "../src/pipeline/assistant.ts";
import { EspeakSpeaker } from "../src/tts/espeak.ts";
import { silentLogger, tempDir, testConfig } from "./helpers.ts";

describe("speech output", () => {
    it("espeak-ng writes the reply as a WAV file", async () => {
        const out = path.join(tempDir(), "reply.wav");
        await new EspeakSpeaker().synthesize("Timer set for 5 minutes.", out);
        const header = fs.readFileSync(out).subarray(0, 12).toString("latin1");
        assert.equal(header.slice(0, 4), "RIFF");
        assert.equal(header.slice(8, 12), "WAVE");
        assert.ok(fs.statSync(out).size > 10_000);
    });

    it("text that looks like options is spoken, not parsed", async () => {
        const out = path.join(tempDir(), "dash.wav");
        await new EspeakSpeaker().synthesize("--help -w /etc/passwd \"quoted\"", out);
        assert.ok(fs.statSync(out).size > 10_000);
    });

    it("playing on a device that does not exist fails with aplay's own message", async () => {
        const wav = path.join(tempDir(), "x.wav");
        await new EspeakSpeaker().synthesize("hello", wav);
        const player = new CommandPlayer({ commands: { wav: ["aplay", "-q", "-D", "hark_test_no_such_device", "{file}"], mp3: ["false"], other: ["false"] }, log: silentLogger() });
        await assert.rejects(player.play(wav, "speech"), (error: unknown) => {
            assert.ok(error instanceof PlaybackError);
            assert.match(error.message, /^aplay could not play x\.wav \(exit 1\): aplay: .*audio open error/);
            return true;
        });
        assert.equal(player.active().length, 0);
    });

    it("a player program that is not installed is named, with how to install it", async () => {
        const player = new CommandPlayer({ commands: { wav: ["mpg123-not-installed", "{file}"], mp3: ["x"], other: ["x"] }, log: silentLogger() });
        await assert.rejects(player.play("/tmp/x.wav", "speech"), /mpg123-not-installed not found; install it/);
    });

    it("a turn whose reply cannot be played still answers, and the trace says why", async () => {
        const out = path.join(tempDir(), "turn.wav");
        const config = testConfig({ player: { wav: ["aplay", "-q", "-D", "hark_test_no_such_device", "{file}"] } });
        const a = await Assistant.create({ config, log: silentLogger(), ephemeralState: true });
        try {
            const record = await a.handleText("what can you do", { speak: true, replyWav: out });
            assert.match(record.reply, /^I can play music/);
            const speak = record.stages.find((s) => s.name === "speak");
            assert.equal(speak?.error?.code, "HARK_PLAYBACK_FAILED");
            assert.ok(fs.statSync(out).size > 10_000, "the WAV was still written");
        } finally {
            await a.dispose();
        }
    });
});
