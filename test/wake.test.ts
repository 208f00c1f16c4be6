import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { readAudioFile } from "../src/audio/file.ts";
import { HarkError } from "../src/errors.ts";
import { OpenWakeWordDetector } from "../src/wake/openwakeword.ts";
import { PorcupineDetector } from "../src/wake/porcupine.ts";
import { sharedFile } from "./helpers.ts";

const clip = (name: string) => sharedFile(`audio/wyoming-openwakeword/${name}.wav`);
const haveClips = clip("hey_jarvis") != null;

async function detections(keyword: string, file: string) {
    const detector = await OpenWakeWordDetector.create({ keyword });
    try {
        const samples = await readAudioFile(file);
        return await detector.process(samples, 0);
    } finally {
        await detector.dispose();
    }
}

describe("openWakeWord", { skip: haveClips ? false : "../shared/audio not found (set HARK_SHARED_DIR)" }, () => {
    it("hears 'hey jarvis' in a real recording", async () => {
        const found = await detections("hey_jarvis", clip("hey_jarvis")!);
        assert.equal(found.length, 1);
        assert.ok(found[0]!.score > 0.9, `score ${found[0]!.score}`);
        assert.ok(found[0]!.timestampMs > 500 && found[0]!.timestampMs <= 2000, `at ${found[0]!.timestampMs} ms`);
    });

    it("stays quiet for other wake words", async () => {
        for (const other of ["alexa", "hey_mycroft", "computer", "okay_nabu", "snowboy"]) {
            assert.deepEqual(await detections("hey_jarvis", clip(other)!), [], other);
        }
    });

    it("the keyword is configurable: 'alexa' hears alexa", async () => {
        assert.equal((await detections("alexa", clip("alexa")!)).length, 1);
        assert.equal((await detections("alexa", clip("hey_jarvis")!)).length, 0);
    });

    it("fires once per utterance thanks to the refractory period", async () => {
        const detector = await OpenWakeWordDetector.create({ keyword: "hey_jarvis", refractoryMs: 10_000 });
        try {
            const samples = await readAudioFile(clip("hey_jarvis")!);
            const first = await detector.process(samples, 0);
            const again = await detector.process(samples, 2000);
            assert.equal(first.length + again.length, 1);
        } finally {
            await detector.dispose();
        }
    });
});

const wakeSet = (name: string) => sharedFile(`audio/wake/${name}`);

describe("openWakeWord on the wake-word benchmark clips", { skip: wakeSet("alexa") ? false : "../shared/audio/wake not found" }, () => {
    async function firing(keyword: string, set: string): Promise<{ fired: number; total: number }> {
        const detector = await OpenWakeWordDetector.create({ keyword });
        const dir = wakeSet(set)!;
        const files = fs.readdirSync(dir).filter((f) => f.endsWith(".wav"));
        let fired = 0;
        try {
            for (const f of files) {
                detector.reset();
                if ((await detector.process(await readAudioFile(path.join(dir, f)), 0)).length > 0) fired++;
            }
        } finally {
            await detector.dispose();
        }
        return { fired, total: files.length };
    }

    it("the alexa model fires on at least 90% of 60 real people saying 'alexa'", async () => {
        const { fired, total } = await firing("alexa", "alexa");
        assert.equal(total, 60);
        assert.ok(fired / total >= 0.9, `${fired}/${total}`);
    });

    it("the alexa model stays quiet on 60 clips of other words", async () => {
        assert.deepEqual(await firing("alexa", "other"), { fired: 0, total: 60 });
    });
});

describe("wake word configuration errors", () => {
    it("an unknown openWakeWord keyword names the built-in ones", async () => {
        await assert.rejects(OpenWakeWordDetector.create({ keyword: "hey_toaster" }), (e: unknown) =>
            e instanceof HarkError && e.code === "HARK_MODEL_MISSING" && /built-in keywords: .*hey_jarvis/.test(e.message));
    });

    it("Porcupine without an AccessKey says where to get one and how to stay offline", async () => {
        await assert.rejects(PorcupineDetector.create({ accessKey: "", keyword: "jarvis", sensitivity: 0.5, refractoryMs: 1000 }), /porcupineAccessKey is empty.*openwakeword/);
    });

    it("Porcupine with an unknown keyword lists its built-in keywords", async () => {
        await assert.rejects(PorcupineDetector.create({ accessKey: "x", keyword: "hey_jarvis", sensitivity: 0.5, refractoryMs: 1000 }), /not a Porcupine built-in keyword \(alexa, .*jarvis/);
    });

    it("Porcupine that cannot validate its key offline fails with a clear error, not a crash", async () => {
        await assert.rejects(PorcupineDetector.create({ accessKey: "not-a-real-key", keyword: "jarvis", sensitivity: 0.5, refractoryMs: 1000 }), (e: unknown) =>
            e instanceof HarkError && e.code === "HARK_WAKE_ENGINE_FAILED" && /validates the AccessKey online/.test(e.message));
    });
});
