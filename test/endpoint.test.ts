import assert from "node:assert/strict";
import path from "node:path";
import { describe, it } from "node:test";
import { readAudioFile } from "../src/audio/file.ts";
import { meanPower, powerDbfs } from "../src/audio/pcm.ts";
import { Endpointer, type EndpointEvent } from "../src/vad/endpointer.ts";
import { SileroVad } from "../src/vad/silero.ts";
import { packagedModelsDir } from "../src/wake/openwakeword.ts";
import { joinAudio, makeSpeech, sharedFile, tempDir } from "./helpers.ts";

const vad = await SileroVad.create({ modelPath: path.join(packagedModelsDir(), "silero_vad.onnx") });

async function endpoint(samples: Int16Array, options = {}) {
    const endpointer = new Endpointer(vad, options);
    const events: EndpointEvent[] = [];
    for (let o = 0; o < samples.length; o += 1280) events.push(...(await endpointer.push(samples.subarray(o, o + 1280))));
    events.push(...endpointer.finish());
    return events;
}

describe("endpointing with Silero VAD", () => {
    const dir = tempDir();
    const speech = makeSpeech(path.join(dir, "speech.wav"), "set a timer for five minutes");

    it("finds one utterance between silences, with pre-roll, ended by silence", async () => {
        const file = joinAudio(path.join(dir, "utt.wav"), [speech, speech], 1500);
        const events = await endpoint(await readAudioFile(file));
        const utterance = events.find((e) => e.type === "utterance");
        assert.ok(utterance && utterance.type === "utterance");
        assert.equal(utterance.reason, "silence");
        const seconds = utterance.samples.length / 16000;
        assert.ok(seconds > 1.5 && seconds < 3.5, `utterance ${seconds}s`);
        assert.equal(events.filter((e) => e.type === "utterance").length, 1, "one utterance per endpointer");
    });

    it("at a pause, hands on the utterance as it will be if the silence goes on: the very samples it then ends with", async () => {
        const file = joinAudio(path.join(dir, "pause.wav"), [speech], 1500);
        const events = await endpoint(await readAudioFile(file), { keepSilenceMs: 300, endSilenceMs: 700 });
        assert.deepEqual(events.map((e) => e.type), ["speech-start", "pause", "utterance"]);
        const [pause, utterance] = [events[1]!, events[2]!];
        assert.ok(pause.type === "pause" && utterance.type === "utterance");
        assert.equal(utterance.samples, pause.samples, "the same array: a decode of the pause is the decode of the utterance");
        // Speech that goes on after a pause makes that pause's samples stale: the utterance ends at a later one.
        const twice = await endpoint(await readAudioFile(joinAudio(path.join(dir, "two-pauses.wav"), [speech, speech], 150)), { keepSilenceMs: 300, endSilenceMs: 700 });
        const pauses = twice.filter((e) => e.type === "pause");
        const last = twice.at(-1)!;
        assert.equal(pauses.length, 2);
        assert.ok(last.type === "utterance" && last.samples === pauses[1]!.samples && last.samples !== pauses[0]!.samples);
        assert.ok(last.samples.length > pauses[0]!.samples.length);
        // Kept silence at or above the wait: no pause, the whole wait is in the utterance.
        const whole = await endpoint(await readAudioFile(file), { keepSilenceMs: 700, endSilenceMs: 700 });
        assert.deepEqual(whole.map((e) => e.type), ["speech-start", "utterance"]);
        assert.ok((whole[1] as { samples: Int16Array }).samples.length - utterance.samples.length >= 16 * 350, "400 ms more of silence, give or take a frame");
    });

    it("says 'no speech' when nobody talks before the timeout", async () => {
        const events = await endpoint(new Int16Array(16000 * 3), { noSpeechTimeoutMs: 2000 });
        assert.deepEqual(events.map((e) => e.type), ["no-speech"]);
    });

    it("cuts an utterance at the maximum length", async () => {
        const long = makeSpeech(path.join(dir, "long.wav"), "one two three four five six seven eight nine ten eleven twelve thirteen fourteen");
        const events = await endpoint(await readAudioFile(long), { maxUtteranceMs: 1500 });
        const utterance = events.find((e) => e.type === "utterance");
        assert.ok(utterance && utterance.type === "utterance");
        assert.equal(utterance.reason, "max-length");
        assert.ok(utterance.samples.length / 16000 <= 1.6);
    });

    it("ends a command said over a TV (talk 15 dB quieter) at its end, not at the maximum length", async () => {
        const command = await readAudioFile(speech);
        const talk = await readAudioFile(makeSpeech(path.join(dir, "tv.wav"), "and now the weather for the weekend, with rain spreading from the west on saturday and brighter spells on sunday afternoon, before a cold night across the north"));
        const level = (s: Int16Array) => Math.sqrt(s.reduce((sum, v) => sum + v * v, 0) / s.length);
        const gain = level(command) / level(talk) / 10 ** (15 / 20);
        const mixed = Int16Array.from({ length: Math.max(talk.length, 16000 + command.length + 16000 * 6) }, (_, i) =>
            Math.round((talk[i % talk.length]! * gain) + (i >= 16000 && i < 16000 + command.length ? command[i - 16000]! : 0)));
        // The room's level before the wake word, as the voice loop measures it: the TV alone.
        const backgroundDbfs = powerDbfs(meanPower(mixed.subarray(0, 16000)));
        const ended = (await endpoint(mixed, { maxUtteranceMs: 6000, backgroundDbfs })).find((e) => e.type === "utterance");
        assert.ok(ended && ended.type === "utterance");
        assert.equal(ended.reason, "silence");
        const seconds = ended.samples.length / 16000;
        assert.ok(seconds < command.length / 16000 + 2, `utterance ${seconds.toFixed(1)} s for a ${(command.length / 16000).toFixed(1)} s command`);
        // Without the margin the VAD hears the TV as speech and the utterance runs on.
        const runOn = (await endpoint(mixed, { maxUtteranceMs: 6000, backgroundDbfs, noiseMarginDb: 0 })).find((e) => e.type === "utterance");
        assert.ok(runOn && runOn.type === "utterance" && runOn.reason === "max-length");
    });

    it("works with the Silero v5 model too", { skip: sharedFile("models/vad/silero_vad.onnx") ? false : "../shared not found" }, async () => {
        const v5 = await SileroVad.create({ modelPath: sharedFile("models/vad/silero_vad.onnx")! });
        const endpointer = new Endpointer(v5);
        const samples = await readAudioFile(joinAudio(path.join(dir, "utt5.wav"), [speech], 1500));
        const events: EndpointEvent[] = [];
        for (let o = 0; o < samples.length; o += 1280) events.push(...(await endpointer.push(samples.subarray(o, o + 1280))));
        assert.ok(events.some((e) => e.type === "utterance"));
        await v5.dispose();
    });
});
