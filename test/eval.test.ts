import assert from "node:assert/strict";
import path from "node:path";
import { describe, it } from "node:test";
import { snipsArgs, underConvention } from "../src/eval/convention.ts";
import { readEvalFile } from "../src/eval/dataset.ts";
import { computeReport } from "../src/eval/metrics.ts";
import { runEval } from "../src/eval/run.ts";
import { HarkError } from "../src/errors.ts";
import { Assistant } from "../src/pipeline/assistant.ts";
import { packageRoot, silentLogger, tempDir, testConfig, writeIntent } from "./helpers.ts";

describe("hark eval", () => {
    it("scores a small known file: accuracy, false actions, slot F1 and confusion", async () => {
        const cases = readEvalFile(path.join(packageRoot, "test", "fixtures", "eval-small.jsonl"));
        const a = await Assistant.create({ config: testConfig(), log: silentLogger(), ephemeralState: true });
        try {
            const report = await runEval(a.router, cases);
            assert.equal(report.cases, 6);
            assert.equal(report.intentAccuracy, 0.8333);
            assert.equal(report.nullCases, 2);
            assert.equal(report.falseActionRate, 0.5);
            assert.deepEqual([report.slots.all.truePositives, report.slots.all.falsePositives, report.slots.all.falseNegatives], [5, 1, 1]);
            assert.equal(report.slotF1, 0.8333);
            assert.deepEqual(report.slots.when, { precision: 1, recall: 0.5, f1: 0.6667, truePositives: 1, falsePositives: 0, falseNegatives: 1 });
            assert.deepEqual(report.confusion.none, { none: 1, play_song: 1 });
            assert.deepEqual(report.falseActionsBySource, { template: 1 });
            assert.deepEqual(report.missedBySource, {});
            assert.ok(report.latencyMs.p95 >= report.latencyMs.p50);
        } finally {
            await a.dispose();
        }
    });

    it("a missed request is reported by the stage that stopped it, and a question asked first is no false action", async () => {
        const a = await Assistant.create({ config: testConfig(), log: silentLogger(), ephemeralState: true });
        try {
            const report = await runEval(a.router, [
                { text: "cancel the pasta timmer", expect: null },
                { text: "play the movie frozen", expect: { intent: "play_song", args: {} } },
                { text: "order a pizza", expect: { intent: "play_song", args: {} } }
            ]);
            assert.equal(report.falseActionRate, 0);
            assert.equal(report.questionsOnNoAction, 1);
            assert.deepEqual(report.missedBySource, { "decision (template)": 1, "no match": 1 });
        } finally {
            await a.dispose();
        }
    });

    it("exact tool calls count a case only when the intent and every argument are right, no more and no fewer", () => {
        const cases = [
            { text: "a", expect: { intent: "set_timer", args: { minutes: 5 } } },
            { text: "b", expect: { intent: "set_timer", args: { minutes: 5 } } },
            { text: "c", expect: { intent: "set_timer", args: { minutes: 5 } } },
            { text: "d", expect: null }
        ];
        const predictions = [
            { intent: "set_timer", args: { minutes: 5 }, latencyMs: 1, engine: "template" },
            { intent: "set_timer", args: { minutes: 50 }, latencyMs: 1, engine: "llm" },
            { intent: "set_timer", args: { minutes: 5, label: "x" }, latencyMs: 1, engine: "llm" },
            { intent: null, args: {}, latencyMs: 1, engine: null }
        ];
        const report = computeReport(cases, predictions);
        assert.equal(report.intentAccuracy, 1);
        assert.equal(report.exactRate, 0.5);
    });

    it("SNIPS and SLURP labels are read under hark's argument convention", () => {
        const span = (text: string, entity?: string) => (entity ? { text, entity } : { text });
        assert.deepEqual(snipsArgs("get_weather", [span("What will the weather be in "), span("Mount Victory", "city"), span(", "), span("Delaware", "state"), span(" "), span("in 1 second", "timeRange"), span("?")]), { location: "Mount Victory, Delaware", when: "in 1 second" });
        assert.deepEqual(snipsArgs("get_weather", [span("How much snow this "), span("week", "timeRange"), span(" in "), span("Massachusetts", "state")]), { when: "this week", location: "Massachusetts" });
        assert.deepEqual(snipsArgs("get_weather", [span("weather "), span("twenty three minutes", "timeRange"), span(" from "), span("here", "current_location")]), { when: "twenty three minutes" }, "no \"in\" said: none added");
        assert.deepEqual(snipsArgs("play_song", [span("Play "), span("Magic Sam", "artist"), span(" from "), span("the thirties", "year")]), { song: "Magic Sam" }, "a bare name is a song");
        assert.deepEqual(snipsArgs("play_song", [span("play "), span("laura love", "artist"), span(" "), span("songs", "music_item")]), { artist: "laura love" });
        assert.deepEqual(snipsArgs("play_song", [span("Play "), span("Innovations", "album"), span(" by "), span("Kokia", "artist")]), { song: "Innovations", artist: "Kokia" }, "an album not called one is a song");
        assert.deepEqual(snipsArgs("play_song", [span("play the "), span("Lotus Flower", "album"), span(" album by "), span("Andy Mccoy", "artist")]), { album: "Lotus Flower", artist: "Andy Mccoy" });
        const slurp = underConvention({ text: "play michael jackson", expect: { intent: "play_song", args: { artist: "michael jackson" } }, source: "slurp-devel:music" });
        assert.deepEqual(slurp.expect, { intent: "play_song", args: { song: "michael jackson" } });
        assert.deepEqual(underConvention({ text: "play next song", expect: null, source: "slurp-devel:music" }).expect, { intent: "next_song", args: {} });
        assert.deepEqual(snipsArgs("play_song", [span("Play some "), span("Ray Williams", "artist"), span(" music from the nineties")]), { artist: "Ray Williams" }, "a name before a kind of recording is an artist");
        assert.deepEqual(snipsArgs("play_song", [span("Play a track by the "), span("aj carothers", "artist")]), { artist: "the aj carothers" }, "\"the\" said is kept");
        const the = (text: string) => underConvention({ text, expect: { intent: "play_song", args: { artist: "beatles" } }, source: "slurp-devel:music" }).expect;
        assert.deepEqual(the("play music by the beatles"), { intent: "play_song", args: { artist: "the beatles" } });
        assert.deepEqual(the("play the beatles"), { intent: "play_song", args: { song: "the beatles" } });
    });

    it("a malformed line is reported with its file and line number", () => {
        const dir = tempDir();
        const file = writeIntent(dir, "bad.jsonl", '{"text": "hi", "expect": null}\n{"text": "oops"}\n');
        assert.throws(() => readEvalFile(file), (e: unknown) => e instanceof HarkError && /bad\.jsonl:2: "expect" is missing/.test(e.message));
    });
});
