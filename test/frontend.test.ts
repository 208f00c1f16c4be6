import assert from "node:assert/strict";
import path from "node:path";
import { describe, it } from "node:test";
import { readAudioFile } from "../src/audio/file.ts";
import { RnnoiseFrontEnd } from "../src/frontend/rnnoise.ts";
import { makeSpeech, tempDir } from "./helpers.ts";

/** Runs `samples` through the front end in 80 ms chunks, as the voice loop does. */
function stream(frontEnd: RnnoiseFrontEnd, samples: Int16Array): Int16Array {
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
