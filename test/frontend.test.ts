import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { readAudioFile } from "../src/audio/file.ts";
import { NotedPlayer, PlayedAudio } from "../src/audio/played.ts";
import type { Playback, Player } from "../src/audio/player.ts";
import { EchoCancellerFrontEnd, loadSpeexEcho } from "../src/frontend/echo.ts";
import type { AudioFrontEnd } from "../src/frontend/frontend.ts";
import { RnnoiseFrontEnd } from "../src/frontend/rnnoise.ts";
import { silentLogger } from "../src/log/logger.ts";
import { makeSpeech, tempDir } from "./helpers.ts";

/** Runs `samples` through the front end in 80 ms chunks, as the voice loop does. */
function stream(frontEnd: AudioFrontEnd, samples: Int16Array): Int16Array {
    const out = new Int16Array(samples.length);
    for (let at = 0; at < samples.length; at += 1280) out.set(frontEnd.process(samples.subarray(at, at + 1280)), at);
    return out;
}

const rms = (s: ArrayLike<number>, from = 0, to = s.length): number => {
    let sum = 0;
    for (let i = from; i < to; i++) sum += s[i]! ** 2;
    return Math.sqrt(sum / Math.max(1, to - from));
};

/** The correlation of `b` with `a` at the delay that fits best (up to 50 ms), and that delay. */
function aligned(a: Int16Array, b: Int16Array): { delay: number; correlation: number } {
    let best = { delay: 0, correlation: -1 };
    for (let delay = 0; delay < 800; delay++) {
        let ab = 0, aa = 0, bb = 0;
        for (let i = 0; i + delay < b.length; i++) {
            ab += a[i]! * b[i + delay]!;
            aa += a[i]! ** 2;
            bb += b[i + delay]! ** 2;
        }
        const correlation = ab / Math.sqrt(aa * bb || 1);
        if (correlation > best.correlation) best = { delay, correlation };
    }
    return best;
}

describe("RNNoise front end", () => {
    it("keeps speech (same length, a fixed short delay, the same level) and takes most of a steady noise away", async () => {
        const speech = await readAudioFile(makeSpeech(path.join(tempDir(), "speech.wav"), "set a timer for five minutes", 500));
        const frontEnd = await RnnoiseFrontEnd.create();
        try {
            const out = stream(frontEnd, speech);
            assert.equal(out.length, speech.length);
            const { delay, correlation } = aligned(speech, out);
            assert.ok(correlation > 0.9, `speech correlates ${correlation.toFixed(3)} with what went in`);
            assert.ok(delay > 0 && delay < 480, `delay ${delay} samples`);
            assert.ok(Math.abs(20 * Math.log10(rms(out) / rms(speech))) < 2, "the speech level is kept");

            // Seeded white noise, 2 s: after the first half second RNNoise has learnt it.
            let seed = 1;
            const noise = Int16Array.from({ length: 32_000 }, () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % 4000) - 2000);
            frontEnd.reset();
            const quieter = stream(frontEnd, noise);
            const reductionDb = 20 * Math.log10(rms(noise, 8000) / Math.max(1, rms(quieter, 8000)));
            assert.ok(reductionDb > 10, `noise down by ${reductionDb.toFixed(1)} dB`);
        } finally {
            frontEnd.dispose();
        }
    });

    it("gives the same output for the same input after reset (an evaluation repeats)", async () => {
        const speech = await readAudioFile(makeSpeech(path.join(tempDir(), "again.wav"), "what time is it"));
        const frontEnd = await RnnoiseFrontEnd.create();
        try {
            const first = stream(frontEnd, speech);
            frontEnd.reset();
            assert.deepEqual(stream(frontEnd, speech), first);
        } finally {
            frontEnd.dispose();
        }
    });
});

/** A seeded noise-like signal (what a speaker plays) of `n` samples. */
function played(n: number, seed = 1): Int16Array {
    let a = seed;
    const next = (): number => ((a = (a * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
    let low = 0;
    return Int16Array.from({ length: n }, () => Math.round((low = 0.7 * low + 0.3 * next()) * 8000));
}

describe("what the speaker played, and the echo canceller", () => {
    it("notes what plays when, adds what overlaps, and cuts what was paused or stopped", () => {
        let now = 0;
        const audio = new PlayedAudio(() => now);
        const stretch = audio.add(Int16Array.from({ length: 1600 }, () => 100), 1000);
        assert.deepEqual([...audio.read(990, 4)], [0, 0, 0, 0], "nothing before it began");
        assert.equal(audio.read(1000, 16)[0], 100);
        audio.add(Int16Array.from({ length: 160 }, () => 50), 1050);
        assert.equal(audio.read(1050, 1)[0], 150, "music under a reply: both at once");
        now = 1060;
        assert.equal(audio.active(), true);
        const rest = audio.cut(stretch, 1060);
        assert.equal(rest.length, 1600 - 960, "what was left to play");
        assert.equal(audio.read(1070, 1)[0], 0, "nothing after the cut");
        now = 1100;
        assert.equal(audio.active(), false);
        assert.equal(audio.active(100), true, "its echo may still ring");
    });

    it("a player's files are noted from the moment it started them, until they stop; only while a canceller reads them", async () => {
        const file = makeSpeech(path.join(tempDir(), "reply.wav"), "your timer is done", 0);
        const samples = await readAudioFile(file);
        let now = 5000;
        let finish: (how: "finished" | "stopped") => void = () => undefined;
        const sink: Player = {
            play: async (f, kind) => ({ file: f, kind, done: new Promise<"finished" | "stopped">((resolve) => (finish = resolve)), stop: () => finish("stopped"), pause: () => true, resume: () => true, paused: false }) as Playback,
            stopAll: () => 0, active: () => [], takeLateFailures: () => []
        };
        const audio = new PlayedAudio(() => now);
        const player = new NotedPlayer(sink, audio, silentLogger(), () => now);
        // Nobody cancels echoes (hark ask, or no binding): the file is only played, never read.
        const unread = await player.play(file, "speech");
        await new Promise((resolve) => setTimeout(resolve, 300));
        assert.equal(audio.active(), false);
        unread.stop();
        const detach = audio.attach();
        const playback = await player.play(file, "speech");
        for (let i = 0; i < 50 && !audio.active(); i++) await new Promise((resolve) => setTimeout(resolve, 20));
        assert.deepEqual([...audio.read(5000, 800)], [...samples.subarray(0, 800)]);
        now = 5100;
        playback.pause();
        assert.equal(audio.read(5100, 1)[0], 0, "paused: nothing plays");
        now = 6000;
        playback.resume();
        assert.deepEqual([...audio.read(6000, 100)], [...samples.subarray(1600, 1700)], "it goes on where it was held");
        now = 6050;
        playback.stop();
        await new Promise((resolve) => setTimeout(resolve, 10));
        assert.deepEqual([...audio.read(6050, 100)], new Array(100).fill(0));
        detach();
        assert.equal(audio.wanted, false);
    });

    it("a feedback sound is read once and noted at once each time it plays; read again when its file changes", async () => {
        const dir = tempDir();
        const file = path.join(dir, "listening.wav");
        fs.copyFileSync(makeSpeech(path.join(dir, "a.wav"), "ding", 0), file);
        const sink: Player = {
            play: async (f, kind) => ({ file: f, kind, done: new Promise<"finished" | "stopped">(() => undefined), stop: () => undefined, pause: () => true, resume: () => true, paused: false }) as Playback,
            stopAll: () => 0, active: () => [], takeLateFailures: () => []
        };
        const reads: string[] = [];
        let now = 1000;
        const audio = new PlayedAudio(() => now);
        audio.attach();
        const player = new NotedPlayer(sink, audio, silentLogger(), () => now, async (f) => {
            reads.push(f);
            return readAudioFile(f);
        });
        const settle = () => new Promise((resolve) => setTimeout(resolve, 50));
        await player.play(file, "sound");
        await settle();
        now = 20_000;
        await player.play(file, "sound");
        await settle();
        assert.equal(reads.length, 1, "the second time from memory");
        assert.notEqual(audio.read(20_000, 400).find((v) => v !== 0), undefined, "and noted all the same");
        fs.copyFileSync(makeSpeech(path.join(dir, "b.wav"), "dong dong", 0), file);
        await player.play(file, "sound");
        await player.play(path.join(dir, "a.wav"), "speech");
        await player.play(path.join(dir, "a.wav"), "speech");
        await settle();
        assert.equal(reads.length, 4, "a changed sound is read again; speech and music are read each time");
    });

    it("a feedback sound played again while it is still being read is read once, and a failed read is tried again", async () => {
        const sink: Player = {
            play: async (f, kind) => ({ file: f, kind, done: new Promise<"finished" | "stopped">(() => undefined), stop: () => undefined, pause: () => true, resume: () => true, paused: false }) as Playback,
            stopAll: () => 0, active: () => [], takeLateFailures: () => []
        };
        const dir = tempDir();
        const ding = makeSpeech(path.join(dir, "ding.wav"), "ding", 0);
        const broken = path.join(dir, "broken.wav");
        fs.writeFileSync(broken, "not a wav file");
        const reads: string[] = [];
        let release!: () => void;
        const gate = new Promise<void>((resolve) => (release = resolve));
        const audio = new PlayedAudio(() => 1000);
        audio.attach();
        const player = new NotedPlayer(sink, audio, silentLogger(), () => 1000, async (f) => {
            reads.push(f);
            await gate;
            return readAudioFile(f);
        });
        const until = async (done: () => boolean) => {
            for (let i = 0; i < 200 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
        };
        await player.play(ding, "sound");
        await until(() => reads.length === 1);
        await player.play(ding, "sound");
        await new Promise((resolve) => setTimeout(resolve, 50));
        release();
        assert.deepEqual(reads, [ding], "the second play shares the first read, still going");
        await player.play(broken, "sound");
        await until(() => reads.length === 2);
        await new Promise((resolve) => setTimeout(resolve, 50));
        await player.play(broken, "sound");
        await until(() => reads.length === 3);
        assert.deepEqual(reads, [ding, broken, broken], "a read that failed is not kept");
    });

    it("takes the played sound's echo out of the microphone's audio, and leaves audio alone while nothing plays", () => {
        const seconds = 6;
        const reference = played(seconds * 16000);
        // The echo: 40 ms late, at half the level, with one reflection; the microphone's audio reaches hark 100 ms later.
        const mic = Int16Array.from(reference, (_, i) => Math.round(0.5 * (reference[i - 640] ?? 0) + 0.2 * (reference[i - 1000] ?? 0)));
        let clock = 0;
        const audio = new PlayedAudio(() => clock);
        audio.add(reference, 1000);
        const canceller = new EchoCancellerFrontEnd(audio, { tailMs: 200, latencyMs: 60, suppressDb: 0, now: () => clock });
        const out = new Int16Array(mic.length);
        for (let at = 0; at < mic.length; at += 1280) {
            clock = 1000 + ((at + 1280) * 1000) / 16000 + 100;
            out.set(canceller.process(mic.subarray(at, at + 1280)), at);
        }
        const last = (s: Int16Array) => rms(s, (seconds - 2) * 16000, seconds * 16000);
        const reduction = 20 * Math.log10(last(mic) / Math.max(1, last(out)));
        assert.ok(reduction > 15, `the echo is ${reduction.toFixed(1)} dB lower once the filter has learnt the room`);
        // Nothing plays (and its echo has died away): the audio passes through, one 10 ms frame late.
        clock = 20_000;
        const speech = played(1280, 7);
        const first = canceller.process(speech);
        const second = canceller.process(new Int16Array(1280));
        assert.deepEqual([...first.subarray(160), ...second.subarray(0, 160)], [...speech]);
        canceller.dispose();
    });

    it("leaves audio that is not live alone (a file read at hark's pace): its place on the clock says nothing of what played", () => {
        let clock = 0;
        const audio = new PlayedAudio(() => clock);
        audio.add(played(16000), 0);
        const canceller = new EchoCancellerFrontEnd(audio, { tailMs: 200, latencyMs: 60, suppressDb: 20, now: () => clock });
        canceller.reset({ live: false });
        const speech = played(1280, 7);
        clock = 500;
        const first = canceller.process(speech);
        const second = canceller.process(new Int16Array(1280));
        assert.deepEqual([...first.subarray(160), ...second.subarray(0, 160)], [...speech], "passed through while the sound plays");
        canceller.reset();
        clock = 600;
        assert.notDeepEqual([...canceller.process(speech).subarray(160)], [...speech.subarray(0, 1120)], "live again: the canceller works on it");
        canceller.dispose();
    });

    it("a missing binding is an error that says how to build it", () => {
        assert.throws(() => loadSpeexEcho(path.join(tempDir(), "speex_echo.node")), /the echo canceller is not built .*scripts\/build-native\.sh.*audio\.echoCancellation: false/);
    });
});
