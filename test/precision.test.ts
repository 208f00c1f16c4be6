import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { FileSource } from "../src/audio/file.ts";
import { HARK_INTENT_MODEL } from "../src/llm/profile.ts";
import type { IntentSpec } from "../src/intents/types.ts";
import { DecisionPolicy } from "../src/nlu/decision.ts";
import type { Recognition, Recognizer } from "../src/nlu/recognizer.ts";
import { Assistant } from "../src/pipeline/assistant.ts";
import { createVoiceEngines, createVoicePipeline } from "../src/pipeline/voice-setup.ts";
import type { TraceRecord } from "../src/trace/trace.ts";
import { fakePlayerCommand, joinAudio, makeSpeech, makeTaggedFlac, sharedFile, silentLogger, tempDir, testConfig, writeIntent } from "./helpers.ts";

const NOT_UNDERSTOOD = "Sorry, I didn't catch that.";
const heyJarvis = sharedFile("audio/wyoming-openwakeword/hey_jarvis.wav");

/** The router's decision in a turn's trace. */
function decision(record: TraceRecord): { verdict: string; reason?: string; question?: string } {
    return (record.stages.find((s) => s.name === "recognize")!.output as { decision: { verdict: string; reason?: string } }).decision;
}

/** Asserts a turn was turned down: the short apology, no tool call, no handler run. */
function assertNotUnderstood(record: TraceRecord): void {
    assert.equal(record.reply, NOT_UNDERSTOOD);
    assert.equal(record.toolCall, null);
    assert.equal(record.stages.some((s) => s.name === "dispatch"), false, "no handler ran");
}

/** Two timers of 10 minutes, named "pizza" and `second`, in a fresh data folder. */
function withTimers(second = "tea"): string {
    const data = tempDir();
    const timer = (id: string, label: string) => ({ id, label, durationMs: 600_000, createdAt: Date.now(), endsAt: Date.now() + 600_000 });
    fs.writeFileSync(path.join(data, "timers.json"), JSON.stringify([timer("t1", "pizza"), timer("t2", second)]));
    return data;
}

async function voiceTurns(file: string, raw: Record<string, unknown> = {}): Promise<TraceRecord[]> {
    const config = testConfig(raw);
    const assistant = await Assistant.create({ config, log: silentLogger(), ephemeralState: true });
    const engines = await createVoiceEngines(config, assistant, silentLogger());
    try {
        const pipeline = createVoicePipeline(config, assistant, assistant.output, engines, silentLogger(), { speak: false, muteWhilePlaying: false });
        return await pipeline.run(new FileSource(file), new AbortController().signal);
    } finally {
        await engines.dispose();
        await assistant.dispose();
    }
}

describe("acting only on what was understood: every stage can turn a request down", () => {
    it("speech: a request that is no sentence of the grammar has a low transcript confidence and runs nothing", { skip: heyJarvis ? false : "../shared/audio not found" }, async () => {
        const dir = tempDir();
        const file = joinAudio(path.join(dir, "pizza.wav"), [heyJarvis!, makeSpeech(path.join(dir, "cmd.wav"), "order a large pepperoni pizza")], 400);
        const [record] = await voiceTurns(file);
        assertNotUnderstood(record!);
        const transcript = record!.stages.find((s) => s.name === "transcribe")!.output as { text: string; confidence: number };
        const min = testConfig().stt.minConfidence;
        assert.ok(transcript.text && transcript.confidence < min, `"${transcript.text}" at ${transcript.confidence}`);
        assert.match(decision(record!).reason!, new RegExp(`transcript confidence .* is below ${min}`));
        assert.deepEqual((record!.stages.find((s) => s.name === "recognize")!.output as { attempts: unknown[] }).attempts, [], "no engine was asked");
    });

    it("speech: a request about another kind of thing is heard as said and turned down, not forced into a name", { skip: heyJarvis ? false : "../shared/audio not found" }, async () => {
        const dir = tempDir();
        const file = joinAudio(path.join(dir, "film.wav"), [heyJarvis!, makeSpeech(path.join(dir, "cmd.wav"), "what's the weather like in the film")], 400);
        const [record] = await voiceTurns(file);
        assertNotUnderstood(record!);
        assert.equal((record!.stages.find((s) => s.name === "transcribe")!.output as { text: string }).text, "what's the weather like in the film");
        assert.match(decision(record!).reason!, /names another kind of thing \("film"\)/);
    });

    it("speech too short to be a request that is not understood gets no answer at all", { skip: heyJarvis ? false : "../shared/audio not found" }, async () => {
        const dir = tempDir();
        const file = joinAudio(path.join(dir, "pizza.wav"), [heyJarvis!, makeSpeech(path.join(dir, "cmd.wav"), "order a large pepperoni pizza")], 400);
        const [record] = await voiceTurns(file, { conversation: { quietBelowSpeechMs: 5000 } });
        assert.equal(record!.reply, "");
        assert.equal(record!.toolCall, null);
        assert.match((record!.stages.find((s) => s.name === "quiet")!.output as { reason: string }).reason, /too short to be a request/);
    });

    it("templates: a changed verb is no fuzzy match, and a wildcard may not name another kind of thing", async () => {
        const assistant = await Assistant.create({ config: testConfig(), log: silentLogger(), ephemeralState: true });
        try {
            // hark cannot snooze a timer: this is no "tea timer for five minutes" named "snooze the pasta".
            const snooze = await assistant.handleText("snooze the pasta timer for five minutes");
            assertNotUnderstood(snooze);
            assert.deepEqual(await assistant.services.timers.list(), []);
            for (const [text, word] of [["play the movie frozen", "movie"], ["what's the temperature in the living room", "room"], ["put on the next episode of the crown", "episode"], ["play it on the bedroom speaker", "speaker"], ["what's the weather like in the game", "game"], ["what's the weather like in the bath", "the bath"], ["play my voicemail", "voicemail"], ["play scrabble with me", "scrabble"], ["put on the kettle please", "kettle"], ["play back my last voice note", "voice note"], ["what's the temperature in the sauna", "sauna"], ["play the wii", "wii"], ["play the school assembly livestream", "livestream"]] as const) {
                const record = await assistant.handleText(text);
                assertNotUnderstood(record);
                assert.equal(decision(record).verdict, "reject");
                assert.match(decision(record).reason!, new RegExp(`names another kind of thing \\("${word}"\\)`), text);
            }
            // A word in use is not read as a near spelling of another: the oven is not "is it over", whatever follows.
            const oven = await assistant.handleText("how hot is the oven right now");
            assertNotUnderstood(oven);
            assert.equal((oven.stages.find((s) => s.name === "recognize")!.output as { attempts: Array<{ verdict: string }> }).attempts[0]!.verdict, "no match");
            const city = await assistant.router.recognize("is it going to rain in bath tomorrow");
            assert.deepEqual([city.recognition?.args, city.decision?.verdict], [{ location: "bath", when: "tomorrow" }, "accept"], "Bath the city is a place");
        } finally {
            await assistant.dispose();
        }
    });

    it("templates: a name or place WordNet knows as another kind of thing is turned down; proper names and real places are not judged", async () => {
        const assistant = await Assistant.create({ config: testConfig(), log: silentLogger(), ephemeralState: true });
        try {
            // Words in no exclusion list: WordNet knows a food processor as an appliance, mahjong as a game, a lecture hall as no place.
            // A tent is a shelter: that a tent caterpillar's web is filed with natural objects is a meaning nobody uses.
            for (const [text, why] of [
                ["play the food processor", /"food processor" is a kind of appliance/], ["play mahjong with grandma", /"mahjong" is a kind of game/],
                ["what's the weather like in the lecture hall", /"hall" is no location or object/], ["what's the temperature in the tent", /"tent" is no location or object \(it is artifact\)/],
                ["play the kids' spelling practice", /"practice" is a kind of training/], ["play the stand up routine", /"routine" is a kind of performance/],
                ["play the puppet show for the little one", /"puppet show" is a kind of show/]
            ] as const) {
                const record = await assistant.handleText(text);
                assertNotUnderstood(record);
                assert.match(decision(record).reason!, why, text);
            }
            // Music named after things (a band is not a door), places said with "the" that are places, a bare name WordNet knows as a
            // building, and a song with whom it is for after it.
            for (const [text, args] of [["play the doors", { song: "the doors" }], ["play hotel california", { song: "hotel california" }], ["what's the weather like in the alps", { location: "the alps" }], ["what's the weather like at the beach", { location: "the beach" }], ["how's the weather in castle", { location: "castle" }], ["play baby shark for the kids", { song: "baby shark" }]] as const) {
                const heard = await assistant.router.recognize(text);
                assert.deepEqual([heard.recognition?.args, heard.decision?.verdict], [args, "accept"], text);
            }
        } finally {
            await assistant.dispose();
        }
    });

    it("templates: a name in the music folder is a name, whatever its words", async () => {
        const music = tempDir();
        makeTaggedFlac(path.join(music, "video.flac"), { TITLE: "Video Killed the Radio Star", ARTIST: "The Buggles" });
        const played = path.join(tempDir(), "played.log");
        const player = fakePlayerCommand(played, 0);
        const assistant = await Assistant.create({ config: testConfig({ music: { dir: music }, player: { wav: player, mp3: player, other: player, startupCheckMs: 0 } }), log: silentLogger(), ephemeralState: true });
        try {
            const record = await assistant.handleText("play video killed the radio star");
            assert.equal(record.toolCall?.name, "play_song");
            assert.equal(record.reply, "Playing Video Killed the Radio Star by The Buggles.");
        } finally {
            await assistant.dispose();
        }
    });

    it("model: an answer below the model's threshold runs nothing", async () => {
        const config = testConfig({ llm: { enabled: true, minConfidence: 1 } });
        const assistant = await Assistant.create({ config, log: silentLogger(), ephemeralState: true, llm: { model: HARK_INTENT_MODEL } });
        try {
            const record = await assistant.handleText("could i get the forecast for lisbon please mate");
            assertNotUnderstood(record);
            assert.deepEqual((record.stages[0]!.output as { attempts: Array<{ engine: string; verdict: string }> }).attempts.map((a) => [a.engine, a.verdict]), [["template", "no match"], ["llm", "below threshold"]]);
            assert.match(decision(record).reason!, /no answer was sure enough \(llm get_weather at/);
        } finally {
            await assistant.dispose();
        }
    });

    it("model: a number the sentence does not say is made up, and runs nothing", async () => {
        const assistant = await Assistant.create({ config: testConfig(), log: silentLogger(), ephemeralState: true, llm: false });
        try {
            // As hark-intent-v2 read "1 1/2 hours" before fractions were templates: an 11-hour timer named "1".
            const madeUp: Recognizer = { name: "llm", setIntents() {}, recognize: async () => ({ intent: "set_timer", args: { hours: 11, label: "1" }, confidence: 0.99, source: "llm" }) };
            await assistant.router.replace("template", null);
            await assistant.router.replace("llm", { recognizer: madeUp, minConfidence: 0.5 });
            const record = await assistant.handleText("set a timer for one and a half hours please");
            assertNotUnderstood(record);
            assert.match(decision(record).reason!, /^hours 11 is not a number the sentence says: the llm engine made it up$/);
            assert.deepEqual(await assistant.services.timers.list(), []);
        } finally {
            await assistant.dispose();
        }
    });

    it("model: an intent none of whose own words were said runs nothing; one of them is enough", async () => {
        const assistant = await Assistant.create({ config: testConfig(), log: silentLogger(), ephemeralState: true, llm: false });
        try {
            // As hark-intent-v4 read a question about restaurants (SLURP): the weather in benton.
            const guess: Recognizer = { name: "llm", setIntents() {}, recognize: async () => ({ intent: "get_weather", args: { location: "benton ar" }, confidence: 0.99, source: "llm" }) };
            await assistant.router.replace("template", null);
            await assistant.router.replace("llm", { recognizer: guess, minConfidence: 0.5 });
            const record = await assistant.handleText("is there any chinese places in benton ar");
            assertNotUnderstood(record);
            assert.match(decision(record).reason!, /^the sentence says none of get_weather's own words: the llm engine's answer has nothing to stand on$/);
            // "chilly" is one of the weather's words; "tomorrow" one of its listed values.
            for (const text of ["is it chilly up in benton ar", "in benton ar tomorrow"]) {
                const sure = await assistant.handleText(text);
                assert.equal(sure.toolCall?.name, "get_weather", text);
            }
        } finally {
            await assistant.dispose();
        }
    });

    it("templates: a name that only points at something (\"us\", \"the other one\") is no name, unless the music folder has it", async () => {
        const music = tempDir();
        makeTaggedFlac(path.join(music, "us.flac"), { TITLE: "Us", ARTIST: "Regina Spektor" });
        makeTaggedFlac(path.join(music, "last.flac"), { TITLE: "At Last", ARTIST: "Etta James" });
        const played = path.join(tempDir(), "played.log");
        const player = fakePlayerCommand(played, 0);
        const assistant = await Assistant.create({ config: testConfig({ music: { dir: music }, player: { wav: player, mp3: player, other: player, startupCheckMs: 0 } }), log: silentLogger(), ephemeralState: true });
        try {
            for (const text of ["play the other one", "play him some music", "play the one before this"]) {
                const record = await assistant.handleText(text);
                assertNotUnderstood(record);
                assert.match(decision(record).reason!, /points at something instead of naming it/, text);
            }
            assert.equal((await assistant.handleText("play us")).reply, "Playing Us by Regina Spektor.");
            // Places in an order point only beside "one".
            assert.equal((await assistant.handleText("play at last")).reply, "Playing At Last by Etta James.");
        } finally {
            await assistant.dispose();
        }
    });

    it("decision: a name made only of numbers and measures names nothing", async () => {
        const policy = new DecisionPolicy({ minTranscriptConfidence: 0, sureTranscriptConfidence: 0 });
        const weather = { name: "get_weather", sentences: [{ sentences: ["set [the] temperature"] }], rules: {}, slots: { location: { kind: "wildcard" } }, confirm: undefined } as unknown as IntentSpec;
        const call = (location: string) => ({ intent: "get_weather", args: { location }, confidence: 0.99, source: "llm" }) as Recognition;
        // As hark-intent-v4 read a thermostat request: the weather for "degrees".
        const decided = await policy.decide(call("21 degrees"), weather, {}, "set the temperature to 21 degrees");
        assert.deepEqual(decided, { verdict: "reject", reason: 'location "21 degrees" is a measure, not a name' });
        assert.equal((await policy.decide(call("the twenty one"), weather, {}, "set the temperature at the twenty one")).verdict, "accept", "a name may hold a number");
    });

    it("decision: a model's answer without arguments explains every word that is not a function word, or finds it where a name could begin", async () => {
        const policy = new DecisionPolicy({ minTranscriptConfidence: 0, sureTranscriptConfidence: 0 });
        const louder = { name: "volume_up", args: { type: "object", properties: {} }, sentences: [{ sentences: ["(turn|crank) [it|the (music|volume)] up", "louder"] }], rules: {}, slots: {}, confirm: undefined } as unknown as IntentSpec;
        const call = (source: string) => ({ intent: "volume_up", args: {}, confidence: 0.99, source }) as Recognition;
        assert.deepEqual(await policy.decide(call("llm"), louder, {}, "turn up the tv"), { verdict: "reject", reason: '"tv" is none of volume_up\'s words, and volume_up takes no name it could be: the llm engine\'s answer leaves it unexplained' });
        assert.equal((await policy.decide(call("llm"), louder, {}, "could you turn the music up a bit please")).verdict, "reject", "a word the sentences lack is stray, however harmless");
        assert.equal((await policy.decide(call("llm"), louder, {}, "please turn it up")).verdict, "accept");
        assert.equal((await policy.decide(call("template"), louder, {}, "turn up the tv")).verdict, "accept", "a template's words are its own");
        const songs = { ...louder, name: "play_song", sentences: [{ sentences: ["(play|put on) {song}", "play [some] music"] }], slots: { song: { kind: "wildcard", trim: ["on spotify"] } } } as unknown as IntentSpec;
        const song = (text: string) => policy.decide({ ...call("llm"), intent: "play_song" }, songs, {}, text);
        assert.equal((await song("put on the greatest hits")).verdict, "accept", "an intent that takes names may have been said with one, where a name begins");
        assert.equal((await song("play some music on spotify")).verdict, "accept", "a trim phrase's words are no name");
        assert.deepEqual(await song("sing me some music"), { verdict: "reject", reason: '"sing" is none of play_song\'s words and stands where none of its names begins: the llm engine\'s answer leaves it unexplained' });
    });

    it("decision: a model's name must stand where the intent's sentences put one", async () => {
        const policy = new DecisionPolicy({ minTranscriptConfidence: 0, sureTranscriptConfidence: 0 });
        const weather = {
            name: "get_weather", dates: ["when"],
            sentences: [{ sentences: ["[what is] [the] weather (in|near) {location} [on {when}]", "[how is] [the] {location} weather"] }],
            rules: {}, slots: { location: { kind: "wildcard", trim: ["(in|of|close by)", "please"] }, when: { kind: "values", values: [{ in: "noon", out: "noon" }] } }, confirm: undefined
        } as unknown as IntentSpec;
        const call = (args: Record<string, unknown>, source = "llm") => ({ intent: "get_weather", args, confidence: 0.99, source }) as Recognition;
        // As hark-intent-v5 read two questions that are no forecast.
        assert.deepEqual(await policy.decide(call({ location: "tide", when: "noon" }), weather, {}, "how high is the tide at noon"),
            { verdict: "reject", reason: 'location "tide" stands where no sentence of get_weather puts one ("is … at"): the llm engine\'s answer reads a name into other words' });
        assert.equal((await policy.decide(call({ location: "old" }), weather, {}, "how old will i be in 2030")).verdict, "reject");
        assert.equal((await policy.decide(call({ location: "old" }, "template"), weather, {}, "how old will i be in 2030")).verdict, "accept", "a template's names stand where its sentence puts them");
        for (const [text, location] of [
            ["what is the weather in the dominican republic", "dominican republic"],
            ["boston weather please", "boston"],
            ["weather close by lake tahoe today", "lake tahoe"],
            ["give me the weather of pine city tomorrow", "pine city"],
            ["how is the weather near oslo please", "oslo"],
            ["weather oslo", "oslo"]
        ] as const) assert.equal((await policy.decide(call({ location }), weather, {}, text)).verdict, "accept", text);
        assert.equal((await policy.decide(call({ location: "weather" }), weather, {}, "what is the weather")).verdict, "reject", "led into by nothing, and no word of the sentences follows it");
        assert.equal((await policy.decide(call({ location: "mars" }), weather, {}, "what is the weather on mars")).verdict, "reject", "\"on\" leads into no name of this intent");
        assert.equal((await policy.decide(call({ location: "oslo" }), weather, {}, "weather oslo is nice")).verdict, "reject", "with its \"in\" left out, a name is followed as one after \"in\" is");
    });

    it("decision: a model's value of a listed slot must be on the list and said, a date only said; a place it names without the sentence's article is judged with it", async () => {
        const policy = new DecisionPolicy({ minTranscriptConfidence: 0, sureTranscriptConfidence: 0 });
        const song = { name: "play_song", sentences: [{ sentences: ["play {genre}", "put {genre} on"] }], rules: {}, slots: { genre: { kind: "values", values: [{ in: "big beat", out: "big beat" }, { in: "r and b", out: "r and b" }, { in: "rnb", out: "r and b" }] } }, confirm: undefined } as unknown as IntentSpec;
        const call = (intent: string, args: Record<string, unknown>, source = "llm") => ({ intent, args, confidence: 0.99, source }) as Recognition;
        // As hark-intent-v5 read a request to switch on a towel rail.
        assert.deepEqual(await policy.decide(call("play_song", { genre: "big beat" }), song, {}, "put the towel rail on"), { verdict: "reject", reason: 'genre "big beat" is not said in the sentence: the llm engine made it up' });
        assert.equal((await policy.decide(call("play_song", { genre: "r and b" }), song, {}, "put some rnb on")).verdict, "accept", "said as another phrase of the same value");
        // As hark-intent-v5 read a request to switch on a steam cleaner: words of the sentence, and no genre on the list.
        assert.deepEqual(await policy.decide(call("play_song", { genre: "steamer" }), song, {}, "put the steamer on"), { verdict: "reject", reason: 'genre "steamer" is none of the values its list allows: the llm engine made it up' });
        // A date may be any the sentence says: it is resolved from the words, not looked up in the list.
        const weatherOn = { name: "get_weather", sentences: [{ sentences: ["will it rain {when}"] }], rules: {}, dates: ["when"], slots: { when: { kind: "values", values: [{ in: "tomorrow", out: "tomorrow" }] } }, confirm: undefined } as unknown as IntentSpec;
        assert.equal((await policy.decide(call("get_weather", { when: "in a week" }), weatherOn, {}, "will it rain in a week")).verdict, "accept", "a date the list lacks");
        const weather = { name: "get_weather", sentences: [{ sentences: ["how windy is it (on|at|in) {location}"] }], rules: {}, slots: { location: { kind: "wildcard", kinds: ["location", "object"] } }, confirm: undefined } as unknown as IntentSpec;
        assert.equal((await policy.decide(call("get_weather", { location: "balcony" }), weather, {}, "how windy is it on the balcony")).verdict, "reject", "the sentence says \"the balcony\"");
        assert.equal((await policy.decide(call("get_weather", { location: "balcony" }), weather, {}, "how windy is it on balcony")).verdict, "accept", "a bare name may be a proper one");
    });

    it("decision: a model's numbers must be said (a and an count one of what follows, half and quarter count), durations with a unit of time; a template's are read from the sentence", async () => {
        const policy = new DecisionPolicy({ minTranscriptConfidence: 0, sureTranscriptConfidence: 0 });
        const timer = { name: "set_timer", sentences: [{ sentences: ["(set|wake) [me] timer"] }], rules: {}, slots: {}, confirm: undefined } as unknown as IntentSpec;
        const call = (source: string, args: Record<string, unknown>) => ({ intent: "set_timer", args, confidence: 0.99, source }) as Recognition;
        assert.equal((await policy.decide(call("llm", { hours: 2, minutes: 30 }), timer, {}, "set a timer for two and a half hours")).verdict, "accept");
        assert.equal((await policy.decide(call("llm", { hours: 1 }), timer, {}, "wake me in an hour")).verdict, "accept");
        assert.equal((await policy.decide(call("llm", { minutes: 5 }), timer, {}, "set a timer for half a minute")).verdict, "reject");
        assert.equal((await policy.decide(call("llm", { hours: 11 }), timer, {}, "set a timer for 1 1/2 hours")).verdict, "reject");
        assert.equal((await policy.decide(call("template", { minutes: 30 }), timer, {}, "set a timer for half an hour")).verdict, "accept");
        assert.equal((await policy.decide(call("llm", { minutes: 1, seconds: 30 }), timer, {}, "set a timer for a minute and a half")).verdict, "accept");
        assert.equal((await policy.decide(call("llm", { minutes: 1 }), timer, {}, "how many minutes in a day")).verdict, "reject", "\"a\" says one day, not one minute");
        assert.equal((await policy.decide(call("llm", { hours: 1, seconds: 1 }), timer, {}, "how many seconds are in an hour")).verdict, "reject");
        assert.equal((await policy.decide(call("llm", { seconds: 10 }), timer, {}, "count to ten")).verdict, "reject", "a number said with no unit of time");
        assert.equal((await policy.decide(call("llm", { minutes: 30 }), timer, {}, "wake me in half an hour")).verdict, "accept", "any unit of time backs a fraction");
    });

    it("model: the threshold its training chose is the one used when the config names none", async () => {
        const config = testConfig({ llm: { enabled: true } });
        const assistant = await Assistant.create({ config, log: silentLogger(), ephemeralState: true, llm: { model: HARK_INTENT_MODEL } });
        try {
            const stage = (assistant.router as unknown as { stages: Array<{ recognizer: { name: string; suggestedMinConfidence?: number | null }; minConfidence: number }> }).stages.find((s) => s.recognizer.name === "llm")!;
            assert.equal(typeof stage.recognizer.suggestedMinConfidence, "number", "the shipped model names its threshold");
            assert.equal(stage.minConfidence, stage.recognizer.suggestedMinConfidence);
        } finally {
            await assistant.dispose();
        }
    });
});

describe("intents that change what is set up ask before acting on a request that was not matched exactly", () => {
    it("a question asked in one room is answered in that room only: a 'yes' from another room confirms nothing", async () => {
        const assistant = await Assistant.create({ config: testConfig({ paths: { dataDir: withTimers() } }), log: silentLogger(), ephemeralState: true });
        try {
            assert.equal((await assistant.handleText("cancel the pizza timmer", { room: "kitchen" })).reply, "Cancel the pizza timer?");
            assert.equal(assistant.pendingQuestion("kitchen"), "Cancel the pizza timer?");
            assert.equal(assistant.pendingQuestion(), null);
            assert.equal((await assistant.handleText("yes", { room: "nursery" })).reply, NOT_UNDERSTOOD);
            assert.equal((await assistant.services.timers.list()).length, 2, "nothing was cancelled");
            assert.equal((await assistant.handleText("yes", { room: "kitchen" })).reply, "Cancelled the pizza timer.");
        } finally {
            await assistant.dispose();
        }
    });

    it("a timer's change or pause asks too (it would ring at another time, or never); typed exactly, it acts", async () => {
        const assistant = await Assistant.create({ config: testConfig({ paths: { dataDir: withTimers() } }), log: silentLogger(), ephemeralState: true });
        try {
            const left = async () => Math.round((await assistant.services.timers.list()).find((t) => t.label === "pizza")!.endsAt - Date.now()) / 60_000;
            assert.equal((await assistant.handleText("add two minutes to the pizza timmer")).reply, "Add 2 minutes to the pizza timer?");
            assert.ok(Math.abs((await left()) - 10) < 0.1, "not changed before the answer");
            await assistant.handleText("yes");
            assert.ok(Math.abs((await left()) - 12) < 0.1, "changed after it");
            assert.equal((await assistant.handleText("take a minute off the pizza timmer")).reply, "Take 1 minute off the pizza timer?");
            assert.equal((await assistant.handleText("no")).reply, "OK, I won't.");
            assert.equal((await assistant.handleText("pause the pizza timmer")).reply, "Pause the pizza timer?");
            assert.equal((await assistant.handleText("no")).reply, "OK, I won't.");
            assert.equal((await assistant.services.timers.list()).some((t) => t.pausedRemainingMs != null), false);
            const change = assistant.intents.intents.find((i) => i.spec.name === "change_timer")!.spec;
            assert.equal(change.confirm!({ direction: "add", label: "pizza" }), "Change the pizza timer?", "no amount: no \"Add 0 seconds\"");
            const exact = await assistant.handleText("pause the pizza timer");
            assert.equal(decision(exact).verdict, "accept");
            assert.equal((await assistant.services.timers.list()).find((t) => t.label === "pizza")!.pausedRemainingMs != null, true);
        } finally {
            await assistant.dispose();
        }
    });

    it("typed: a misspelt cancel asks, 'yes' cancels, 'no' keeps the timer, anything else is a new request", async () => {
        const assistant = await Assistant.create({ config: testConfig({ paths: { dataDir: withTimers() } }), log: silentLogger(), ephemeralState: true });
        try {
            const asked = await assistant.handleText("cancel the pizza timmer");
            assert.equal(asked.reply, "Cancel the pizza timer?");
            assert.equal(decision(asked).verdict, "confirm");
            assert.match(decision(asked).reason!, /with edits \(timmer→timer\)/);
            assert.equal(asked.stages.some((s) => s.name === "dispatch"), false);
            assert.equal((await assistant.handleText("no")).reply, "OK, I won't.");
            assert.equal((await assistant.services.timers.list()).length, 2);

            await assistant.handleText("cancel the pizza timmer");
            const yes = await assistant.handleText("yes please");
            assert.equal(yes.reply, "Cancelled the pizza timer.");
            assert.deepEqual(yes.toolCall && [yes.toolCall.name, yes.toolCall.arguments], ["cancel_timer", { label: "pizza" }]);
            assert.deepEqual((await assistant.services.timers.list()).map((t) => t.label), ["tea"]);

            await assistant.handleText("cancel the tea timmer");
            const other = await assistant.handleText("what time is it");
            assert.equal(other.toolCall?.name, "get_time", "not an answer: the question is dropped and the new request handled");
            assert.equal((await assistant.handleText("yes")).reply, NOT_UNDERSTOOD, "a later yes confirms nothing");
            assert.deepEqual((await assistant.services.timers.list()).map((t) => t.label), ["tea"]);
        } finally {
            await assistant.dispose();
        }
    });

    it("an exact match acts at once", async () => {
        const assistant = await Assistant.create({ config: testConfig({ paths: { dataDir: withTimers() } }), log: silentLogger(), ephemeralState: true });
        try {
            assert.equal((await assistant.handleText("cancel the pizza timer")).reply, "Cancelled the pizza timer.");
        } finally {
            await assistant.dispose();
        }
    });

    it("a user's own intent can opt in with a question of its own", async () => {
        const dir = tempDir();
        writeIntent(dir, "heater.yaml", [
            "name: heater_off", "description: Turns a heater off.", "args: { type: object, properties: { room: { type: string } } }",
            "slots: { room: [kitchen, bedroom] }", "sentences: ['turn off the {room} heater']", "confirm: Turn off the {room} heater?", "action: { speak: Done. }"
        ].join("\n"));
        const assistant = await Assistant.create({ config: testConfig({ paths: { intentsDirs: [dir] } }), log: silentLogger(), ephemeralState: true });
        try {
            assert.equal((await assistant.handleText("turn off the kitchen heatr")).reply, "Turn off the kitchen heater?");
            assert.equal((await assistant.handleText("yes")).reply, "Done.");
        } finally {
            await assistant.dispose();
        }
    });

    it("a question naming an argument the intent does not have is a load error", async () => {
        const dir = tempDir();
        writeIntent(dir, "heater.yaml", ["name: heater_off", "description: Turns a heater off.", "sentences: ['turn off the heater']", "confirm: Turn off the {room} heater?", "action: { speak: Done. }"].join("\n"));
        const assistant = await Assistant.create({ config: testConfig({ paths: { intentsDirs: [dir] } }), log: silentLogger(), ephemeralState: true });
        try {
            assert.match(assistant.intents.problems[0]!.message, /confirm names \{room\}, which is not in args.properties/);
        } finally {
            await assistant.dispose();
        }
    });

    it("decision: a heard request asks however sure its transcript, unless stt.confirmChanges is off; a typed exact one acts", async () => {
        const cancel = { name: "cancel_timer", slots: {}, confirm: () => "Cancel the timer?" } as unknown as IntentSpec;
        const call = { intent: "cancel_timer", args: {}, confidence: 1, source: "template" } as Recognition;
        const heard = { transcript: { engine: "grammar", confidence: 0.99 } };
        const policy = (confirmHeardChanges: boolean) => new DecisionPolicy({ minTranscriptConfidence: 0.5, sureTranscriptConfidence: 0.9, confirmHeardChanges });
        const asks = await policy(true).decide(call, cancel, heard, "delete the timer");
        assert.equal(asks.verdict, "confirm");
        assert.match((asks as { reason: string }).reason, /the request was heard \(grammar\)/);
        assert.equal((await policy(false).decide(call, cancel, heard, "delete the timer")).verdict, "accept");
        assert.equal((await policy(true).decide(call, cancel, {}, "delete the timer")).verdict, "accept");
    });

    it("decision: a transcript of middling confidence is asked about, whatever its intent; a sure or typed one acts, an unsure one is turned down", async () => {
        const weather = { name: "get_weather", slots: {} } as unknown as IntentSpec;
        const call = { intent: "get_weather", args: { when: "sunday" }, confidence: 1, source: "template" } as Recognition;
        const policy = new DecisionPolicy({ minTranscriptConfidence: 0.3, sureTranscriptConfidence: 0.9, askAboutHeard: { below: 0.7, question: "You said {text}?" } });
        const heard = (confidence: number) => ({ transcript: { engine: "grammar", confidence } });
        const middling = await policy.decide(call, weather, heard(0.6), "how hot is it sunday ");
        assert.deepEqual(middling.verdict === "confirm" && [middling.question, middling.reason], ["You said how hot is it sunday?", "the transcript is only middling sure (confidence 0.6, below 0.7): hark asks whether it heard right"]);
        assert.equal((await policy.decide(call, weather, heard(0.7), "how hot is it sunday")).verdict, "accept");
        assert.equal((await policy.decide(call, weather, {}, "how hot is it sunday")).verdict, "accept", "typed text has no transcript to doubt");
        assert.equal(policy.screen(heard(0.29))?.verdict, "reject");
        assert.equal(policy.screen(heard(0.3)), null);
        const off = new DecisionPolicy({ minTranscriptConfidence: 0.3, sureTranscriptConfidence: 0.9 });
        assert.equal((await off.decide(call, weather, heard(0.31), "how hot is it sunday")).verdict, "accept", "no band: every transcript from the minimum up acts");
    });

    it("decision: in a loud room a transcript that is not sure is asked about, where a quiet room's would act", async () => {
        const weather = { name: "get_weather", slots: {} } as unknown as IntentSpec;
        const call = { intent: "get_weather", args: { when: "sunday" }, confidence: 1, source: "template" } as Recognition;
        const thresholds = { minTranscriptConfidence: 0.3, sureTranscriptConfidence: 0.9, askAboutHeard: { below: 0.7, question: "You said {text}?" } };
        const policy = new DecisionPolicy({ ...thresholds, askUnlessSureInLoudRoom: true });
        const heard = (confidence: number, loudRoom?: boolean) => ({ transcript: { engine: "grammar", confidence, ...(loudRoom ? { loudRoom } : {}) } });
        const loud = await policy.decide(call, weather, heard(0.8, true), "how hot is it sunday");
        assert.deepEqual(loud.verdict === "confirm" && [loud.question, loud.reason], ["You said how hot is it sunday?", "the room is loud and the transcript is not sure (confidence 0.8, below 0.9): hark asks whether it heard right"]);
        assert.equal((await policy.decide(call, weather, heard(0.8), "how hot is it sunday")).verdict, "accept", "a quiet room acts from 0.7 up");
        assert.equal((await policy.decide(call, weather, heard(0.9, true), "how hot is it sunday")).verdict, "accept", "a sure transcript acts in a loud room too");
        const middling = await policy.decide(call, weather, heard(0.6, true), "how hot is it sunday");
        assert.match(middling.verdict === "confirm" ? middling.reason : "", /only middling sure/, "below the usual band the usual reason");
        assert.equal((await new DecisionPolicy(thresholds).decide(call, weather, heard(0.8, true), "how hot is it sunday")).verdict, "accept", "switched off, the room makes no difference");
    });

    it("a heard request of middling confidence asks what was heard, and 'yes' runs it; 'no' runs nothing", async () => {
        const assistant = await Assistant.create({ config: testConfig({ stt: { minConfidence: 0.3, askBelowConfidence: 0.7 } }), log: silentLogger(), ephemeralState: true });
        try {
            const transcript = { engine: "grammar", confidence: 0.55 };
            const asked = await assistant.handleText("what time is it", { source: "voice", transcript });
            assert.equal(asked.reply, 'Did you say "what time is it"?');
            assert.equal(asked.toolCall, null);
            assert.equal(asked.stages.some((s) => s.name === "dispatch"), false, "no handler ran");
            const yes = await assistant.handleText("yes", { source: "voice", transcript: { engine: "grammar", confidence: 0.9 } });
            assert.equal(yes.toolCall?.name, "get_time");
            assert.match(yes.reply, /^It's /);

            await assistant.handleText("what time is it", { source: "voice", transcript });
            const no = await assistant.handleText("no", { source: "voice", transcript: { engine: "grammar", confidence: 0.9 } });
            assert.equal(no.reply, "OK, I won't.");
            assert.equal(no.toolCall, null);
            assert.equal((await assistant.handleText("what time is it", { source: "voice", transcript: { engine: "grammar", confidence: 0.8 } })).toolCall?.name, "get_time", "sure enough: it acts at once");

            await assistant.handleText("what time is it", { source: "voice", transcript });
            const again = await assistant.handleText("what time is it", { source: "voice", transcript });
            assert.equal(again.toolCall?.name, "get_time", "the same request said again answers the question");
            assert.equal((again.stages.find((s) => s.name === "confirm")!.output as { answer: string }).answer, "the same request again");
            await assistant.handleText("what time is it", { source: "voice", transcript });
            const other = await assistant.handleText("what is the date", { source: "voice", transcript });
            assert.equal(other.toolCall, null, "another request at middling confidence is asked about in turn");
            assert.equal(other.reply, 'Did you say "what is the date"?');
        } finally {
            await assistant.dispose();
        }
    });

    it("spoken: a cancel asks first, and 'yes' in the follow-up window cancels", { skip: heyJarvis ? false : "../shared/audio not found" }, async () => {
        const dir = tempDir();
        // "pasta": a timer name the speech grammar knows (from set_timer's examples).
        const file = joinAudio(path.join(dir, "cancel.wav"), [heyJarvis!, makeSpeech(path.join(dir, "q.wav"), "cancel the pasta timer"), makeSpeech(path.join(dir, "a.wav"), "yes")], 900);
        const data = withTimers("pasta");
        const records = await voiceTurns(file, { paths: { dataDir: data } });
        assert.deepEqual(records.map((r) => r.reply), ["Cancel the pasta timer?", "Cancelled the pasta timer."]);
        assert.ok(records[1]!.stages.some((s) => s.name === "follow-up"));
        assert.deepEqual(JSON.parse(fs.readFileSync(path.join(data, "timers.json"), "utf8")).map((t: { label: string }) => t.label), ["pizza"]);
    });
});
