import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RoomOutput, type OutputEvent } from "../src/audio/output.ts";
import type { Playback, PlaybackKind, Player } from "../src/audio/player.ts";
import type { AudioSource } from "../src/audio/source.ts";
import { VoicePipeline, type VoiceTurns } from "../src/pipeline/voice.ts";
import type { Transcriber } from "../src/stt/transcriber.ts";
import { silentLogger } from "./helpers.ts";

/** A player whose playbacks end when the test says, and which remembers what it was asked to do. */
class ScriptedPlayer implements Player {
    public readonly log: string[] = [];
    private readonly playbacks = new Map<string, { playback: Playback; end(how: "finished" | "stopped"): void }>();
    public failing = new Set<string>();

    public async play(file: string, kind: PlaybackKind): Promise<Playback> {
        if (this.failing.has(file)) throw new Error(`cannot play ${file}`);
        let end!: (how: "finished" | "stopped") => void;
        const done = new Promise<"finished" | "stopped">((resolve) => (end = resolve));
        let paused = false;
        let ended = false;
        const log = this.log;
        const playback: Playback = {
            file, kind, done,
            get paused() {
                return paused;
            },
            pause: () => (ended ? false : (paused || log.push(`pause ${file}`), (paused = true))),
            resume: () => (ended ? false : (paused && log.push(`resume ${file}`), (paused = false), true)),
            stop: () => {
                if (!ended) log.push(`stop ${file}`);
                ended = true;
                end("stopped");
            }
        };
        void done.then(() => (ended = true));
        this.playbacks.set(file, { playback, end });
        log.push(`play ${file}`);
        return playback;
    }

    public finish(file: string): void {
        this.playbacks.get(file)!.end("finished");
    }

    public stopAll(): number {
        return 0;
    }

    public active(): readonly Playback[] {
        return [];
    }

    public takeLateFailures(): string[] {
        return [];
    }
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("a room's output", () => {
    it("plays one thing at a time: a reply waits for the announcement playing, and goes before one still waiting", async () => {
        const player = new ScriptedPlayer();
        const output = new RoomOutput(player);
        const first = output.play("timer1.wav", "announcement");
        await first;
        const second = output.play("timer2.wav", "announcement");
        const reply = output.play("reply.wav", "speech");
        await settle();
        assert.deepEqual(player.log, ["play timer1.wav"]);
        player.finish("timer1.wav");
        await reply;
        assert.deepEqual(player.log, ["play timer1.wav", "play reply.wav"]);
        player.finish("reply.wav");
        await second;
        assert.deepEqual(player.log, ["play timer1.wav", "play reply.wav", "play timer2.wav"]);
    });

    it("holds announcements back while someone talks to hark, but not the turn's own speech and sounds", async () => {
        const player = new ScriptedPlayer();
        const output = new RoomOutput(player);
        const release = output.hold();
        const announcement = output.play("timer.wav", "announcement");
        (await output.play("wake.wav", "sound")).stop();
        await settle();
        (await output.play("reply.wav", "speech")).stop();
        await settle();
        assert.deepEqual(player.log, ["play wake.wav", "stop wake.wav", "play reply.wav", "stop reply.wav"]);
        release();
        release(); // twice is once
        await announcement;
        assert.deepEqual(player.log.slice(4), ["play timer.wav"]);
    });

    it("pauses the music while anything else plays or someone talks to hark, and lets it go on afterwards", async () => {
        const player = new ScriptedPlayer();
        const output = new RoomOutput(player);
        const music = await output.play("song.flac", "music");
        await output.play("timer.wav", "announcement");
        assert.deepEqual(player.log, ["play song.flac", "pause song.flac", "play timer.wav"]);
        assert.equal(music.paused, false, "held by the room, not paused by the user");
        player.finish("timer.wav");
        await settle();
        assert.deepEqual(player.log.slice(3), ["resume song.flac"]);
        const release = output.hold();
        assert.deepEqual(player.log.slice(4), ["pause song.flac"]);
        // The user's "resume" while the room is held waits for the room; their "pause" outlasts it.
        assert.equal(music.resume(), true);
        assert.deepEqual(player.log.slice(5), []);
        release();
        assert.deepEqual(player.log.slice(5), ["resume song.flac"]);
        music.pause();
        const hold = output.hold();
        hold();
        assert.deepEqual(player.log.slice(6), ["pause song.flac"]);
        assert.equal(music.paused, true);
    });

    it("music started while the room is busy starts held", async () => {
        const player = new ScriptedPlayer();
        const output = new RoomOutput(player);
        const release = output.hold();
        await output.play("song.flac", "music");
        assert.deepEqual(player.log, ["play song.flac", "pause song.flac"]);
        release();
        assert.deepEqual(player.log.slice(2), ["resume song.flac"]);
    });

    it("stops and drops what it is asked to, and leaves the rest", async () => {
        const player = new ScriptedPlayer();
        const output = new RoomOutput(player);
        await output.play("song.flac", "music");
        await output.play("reply.wav", "speech");
        const waiting = output.play("timer.wav", "announcement");
        assert.equal(output.stopAll(["speech", "announcement"]), 2);
        assert.equal(await (await waiting).done, "stopped", "a dropped announcement never plays");
        await settle();
        assert.deepEqual(player.log, ["play song.flac", "pause song.flac", "play reply.wav", "stop reply.wav", "resume song.flac"]);
        assert.deepEqual(output.active().map((p) => p.kind), ["music"]);
    });

    it("tells each start and end, and a player that fails fails its own item only", async () => {
        const player = new ScriptedPlayer();
        player.failing.add("broken.wav");
        const output = new RoomOutput(player);
        const events: OutputEvent[] = [];
        const stop = output.onEvent((e) => events.push(e));
        const broken = output.play("broken.wav", "speech");
        const next = output.play("timer.wav", "announcement");
        await assert.rejects(broken, /cannot play broken\.wav/);
        const playback = await next;
        player.finish("timer.wav");
        await playback.done;
        await settle();
        stop();
        (await output.play("reply.wav", "speech")).stop();
        assert.deepEqual(events, [
            { type: "started", kind: "announcement", file: "timer.wav" },
            { type: "ended", kind: "announcement", file: "timer.wav", how: "finished" }
        ]);
    });
});

describe("the voice loop holds its room", () => {
    it("a timer that rings while a request is spoken is announced once the turn is over, not recorded into it", async () => {
        const player = new ScriptedPlayer();
        const output = new RoomOutput(player);
        const order: string[] = [];
        output.onEvent((e) => e.type === "started" && order.push(`started ${e.file}`));
        let announcement: Promise<Playback> | null = null;
        const turns: VoiceTurns = {
            handleText: async (text) => {
                order.push(`turn "${text}"`);
                return { id: "t", time: "", input: { text, source: "voice" }, stages: [], toolCall: null, result: null, reply: "", error: null, totalMs: 0 };
            },
            record: () => undefined, say: async () => undefined, dropPending: () => undefined
        };
        const transcriber: Transcriber = {
            name: "fake", setIntents: () => undefined, dispose: async () => undefined,
            // The timer rings while the request is being transcribed.
            transcribe: async () => {
                announcement = output.play("timer.wav", "announcement");
                await settle();
                return { text: "what time is it", engine: "fake" };
            }
        };
        const pipeline = new VoicePipeline({
            turns, output, transcriber, log: silentLogger(), speak: false, endpointer: { endSilenceMs: 300, minSpeechMs: 100 },
            wake: { name: "fake", keyword: "hey_test", process: async (_s, at) => (at === 0 ? [{ keyword: "hey_test", score: 1, timestampMs: at }] : []), reset: () => undefined, dispose: async () => undefined },
            vad: { name: "energy", frameSamples: 512, probability: async (frame) => (frame.some((s) => Math.abs(s) > 1000) ? 1 : 0), reset: () => undefined, dispose: async () => undefined }
        });
        pipeline.onState((state) => state === "listening" && order.push("listening"));
        const source: AudioSource = {
            name: "memory",
            async *stream() {
                yield { type: "start", source: "memory" };
                for (let i = 0; i < 40; i++) {
                    const loud = i >= 3 && i < 10;
                    yield { type: "chunk", samples: Int16Array.from({ length: 1280 }, (_, k) => (loud ? ((k * 7919) % 20000) - 10000 : 0)), timestampMs: i * 80 };
                }
                yield { type: "stop", reason: "end" };
            }
        };
        await pipeline.run(source, new AbortController().signal);
        assert.ok(announcement, "the transcriber was asked");
        await announcement;
        assert.deepEqual(order, ["listening", 'turn "what time is it"', "listening", "started timer.wav"]);
    });
});

describe("the voice loop's measure of the room", () => {
    it("is taken while it listens only: a follow-up after a long request is not measured against the request", async () => {
        const answers: Array<Record<string, unknown> | undefined> = [];
        const turns: VoiceTurns = {
            handleText: async (text, options) => {
                answers.push(options?.audioStages?.find((s) => s.name === "follow-up")?.output as Record<string, unknown> | undefined);
                const reply = answers.length === 1 ? "Which one?" : "Done.";
                return { id: "t", time: "", input: { text, source: "voice" }, stages: [], toolCall: null, result: null, reply, error: null, totalMs: 0 };
            },
            record: () => undefined, say: async () => undefined, dropPending: () => undefined
        };
        const pipeline = new VoicePipeline({
            turns, output: new RoomOutput(new ScriptedPlayer()), log: silentLogger(), speak: false, endpointer: { endSilenceMs: 300, minSpeechMs: 100 },
            transcriber: { name: "fake", setIntents: () => undefined, dispose: async () => undefined, transcribe: async () => ({ text: "cancel the timer", engine: "fake" }) },
            wake: { name: "fake", keyword: "hey_test", process: async (_s, at) => (at === 18 * 80 ? [{ keyword: "hey_test", score: 1, timestampMs: at }] : []), reset: () => undefined, dispose: async () => undefined },
            vad: { name: "energy", frameSamples: 512, probability: async (frame) => (frame.some((s) => Math.abs(s) > 1000) ? 1 : 0), reset: () => undefined, dispose: async () => undefined }
        });
        // 1.5 s of a quiet room (about -55 dBFS), the wake word, a 3.5 s request (about -15 dBFS), a pause, then the answer.
        const loud = new Set([...Array.from({ length: 44 }, (_, i) => 19 + i), ...Array.from({ length: 8 }, (_, i) => 80 + i)]);
        const source: AudioSource = {
            name: "memory",
            async *stream() {
                yield { type: "start", source: "memory" };
                for (let i = 0; i < 110; i++) {
                    yield { type: "chunk", samples: Int16Array.from({ length: 1280 }, (_, k) => (loud.has(i) ? ((k * 7919) % 20000) - 10000 : ((k * 7919) % 200) - 100)), timestampMs: i * 80 };
                }
                yield { type: "stop", reason: "end" };
            }
        };
        await pipeline.run(source, new AbortController().signal);
        assert.equal(answers.length, 2, "the request and the answer to its question");
        const background = answers[1]?.backgroundDbfs;
        assert.ok(typeof background === "number" && background < -45, `the follow-up measured the room at ${String(background)} dBFS`);
    });
});
