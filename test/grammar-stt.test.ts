import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import path from "node:path";
import { describe, it } from "node:test";
import { readAudioFile } from "../src/audio/file.ts";
import { loadIntentDirs } from "../src/intents/load.ts";
import type { IntentSpec } from "../src/intents/types.ts";
import { TemplateRecognizer } from "../src/nlu/templates.ts";
import { CONFIRMATION_ANSWERS } from "../src/pipeline/confirmation.ts";
import { createGrammarTranscriber } from "../src/pipeline/voice-setup.ts";
import { COMMON_TIMER_NAMES } from "../src/services/timers.ts";
import { grammarConfidence, grammarFit, GrammarTranscriber } from "../src/stt/grammar.ts";
import { parseHypseg } from "../src/stt/pocketsphinx-batch.ts";
import { compileGrammar } from "../src/template/index.ts";
import { seededRandom } from "../src/util/random.ts";
import { builtinIntentsDir, makeSpeech, silentLogger, tempDir, testConfig } from "./helpers.ts";

const builtins = (await loadIntentDirs([builtinIntentsDir])).intents.map((i) => i.spec);
/** A dictionary with every word: the grammar as the intents write it, none left out for want of a pronunciation. */
const everyWord: ReadonlySet<string> = new (class extends Set<string> { override has(): boolean { return true; } })();

function spec(name: string, sentences: string[], slots: IntentSpec["slots"] = {}, examples: IntentSpec["examples"] = []): IntentSpec {
    return { name, description: "", args: { type: "object" }, sentences: [{ sentences, args: {} }], slots, rules: {}, textOnlyRules: [], examples };
}

/** Runs `use` with a transcriber for the built-in intents, and disposes of it. */
async function withBuiltins(use: (t: GrammarTranscriber) => Promise<void>): Promise<void> {
    const t = await GrammarTranscriber.create({ log: silentLogger() });
    t.setIntents(builtins);
    try {
        await use(t);
    } finally {
        await t.dispose();
    }
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
        await withBuiltins(async (t) => {
            const samples = await readAudioFile(makeSpeech(path.join(tempDir(), "cmd.wav"), "what time is it", 300));
            const pending = t.transcribe(samples);
            await new Promise((resolve) => setTimeout(resolve, 100));
            const decoder = (t as unknown as { decoders: { grammar: { child: import("node:child_process").ChildProcess } } | null }).decoders?.grammar;
            assert.ok(decoder, "a decoder is running");
            decoder.child.kill("SIGKILL");
            const started = Date.now();
            assert.equal((await pending).text, "what time is it");
            assert.ok(Date.now() - started < 10_000, "no wait for a result the dead process cannot give");
        });
    });

    it("a new grammar while an utterance is being decoded: the utterance is decoded by the new decoder", async () => {
        await withBuiltins(async (t) => {
            const samples = await readAudioFile(makeSpeech(path.join(tempDir(), "cmd.wav"), "what time is it", 300));
            const pending = t.transcribe(samples);
            await new Promise((resolve) => setTimeout(resolve, 100));
            t.setIntents(builtins);
            const started = Date.now();
            assert.equal((await pending).text, "what time is it");
            assert.ok(Date.now() - started < 10_000, "no wait for a result the stopped decoder cannot give");
        });
    });

    it("a new decoder that never answers is replaced and the utterance decoded again", async () => {
        await withBuiltins(async (t) => {
            const samples = await readAudioFile(makeSpeech(path.join(tempDir(), "cmd.wav"), "what time is it", 300));
            const pending = t.transcribe(samples);
            await new Promise((resolve) => setTimeout(resolve, 50));
            const decoder = (t as unknown as { decoders: { grammar: { child: import("node:child_process").ChildProcess } } | null }).decoders?.grammar;
            assert.ok(decoder, "a decoder is running");
            decoder.child.kill("SIGSTOP"); // frozen: alive, silent
            assert.equal((await pending).text, "what time is it");
            assert.equal(decoder.child.signalCode, "SIGKILL", "the frozen decoder was killed");
        });
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

    it("hears the household requests: named timers, fractions, changes, music controls and volume levels", async () => {
        const t = await GrammarTranscriber.create({ log: silentLogger() });
        t.setIntents(builtins, { label: COMMON_TIMER_NAMES });
        const recognizer = new TemplateRecognizer(builtins);
        const dir = tempDir();
        const cases: Array<[string, string, Record<string, unknown>]> = [
            ["pause the pizza timer", "pause_timer", { label: "pizza" }],
            ["add two minutes to the tea timer", "change_timer", { direction: "add", minutes: 2, label: "tea" }],
            ["set a timer for five and a half minutes", "set_timer", { minutes: 5, seconds: 30 }],
            ["play the next song", "next_song", {}],
            ["resume the music", "resume_music", {}],
            ["turn the volume down to thirty percent", "set_volume", { level: 30 }]
        ];
        try {
            for (const [said, intent, args] of cases) {
                const heard = (await t.transcribe(await readAudioFile(makeSpeech(path.join(dir, "cmd.wav"), said, 300)))).text;
                const understood = recognizer.recognizeSync(heard);
                assert.deepEqual([understood?.intent, understood?.args], [intent, args], `"${said}" heard as "${heard}"`);
            }
        } finally {
            await t.dispose();
        }
    });

    it("an utterance that starts at its first sample keeps its first words (someone speaking right after the wake word)", async () => {
        // pocketsphinx_continuous, fed such an utterance, heard "queue ska", "mute audio" and "on noon weather" here.
        const dir = tempDir();
        await withBuiltins(async (t) => {
            for (const text of ["cancel the timer", "play the album abbey road", "london weather"]) {
                const cut = path.join(dir, "cut.wav");
                execFileSync("sox", ["-R", makeSpeech(path.join(dir, "cmd.wav"), text), cut, "silence", "1", "0.01", "0.5%", "pad", "0", "0.7"]);
                const samples = await readAudioFile(cut);
                assert.ok(Math.abs(samples[0]!) + Math.abs(samples[1]!) + Math.abs(samples[2]!) > 0, "the speech starts at once");
                assert.equal((await t.transcribe(samples)).text, text);
            }
        });
    });

    it("an utterance after near-digital silence (±1 step of hiss, as resampling dither leaves) is transcribed", async () => {
        // Without a noise floor under it, pocketsphinx heard "cancel the timer" here as "queue soul by queen".
        const dir = tempDir();
        const random = seededRandom(7);
        await withBuiltins(async (t) => {
            for (const text of ["cancel the timer", "what time is it", "set a timer for five minutes"]) {
                const speech = await readAudioFile(makeSpeech(path.join(dir, "cmd.wav"), text, 600));
                const samples = new Int16Array(3200 + speech.length);
                for (let i = 0; i < 3200; i++) samples[i] = Math.round(random());
                samples.set(speech, 3200);
                assert.equal((await t.transcribe(samples)).text, text);
            }
        });
    });

    it("the grammar holds the numbers people say and the contractions they use", () => {
        const timer = spec("set_timer", ["what is the time", "set a timer for {seconds} seconds"], { seconds: { kind: "range", from: 0, to: 9999 } });
        const { jsgf } = compileGrammar([timer], { dictionary: new Set(["what", "is", "what's", "the", "time", "set", "a", "timer", "for", "seconds", "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety", "hundred", "thousand"]) });
        assert.match(jsgf, /\(what is \| what's\) the time/);
        // Written with shared first words: "ninety [one | ... | nine]", "one hundred [... fifty ...]".
        assert.match(jsgf, /\| ninety \[one \| two \| three \| four \| five \| six \| seven \| eight \| nine\]/);
        assert.match(jsgf, /one \[hundred \[ten \| twenty \| thirty \| forty \| fifty \| sixty/);
        assert.doesNotMatch(jsgf, /one hundred fifty one|thousand/, "not every number the parser can read");
    });

    it("a request may be said with the filler words and polite openings typed text is matched without", () => {
        const time = spec("get_time", ["what time is it"]);
        const dictionary = new Set(["what", "time", "is", "it", "please", "okay", "could", "you", "can"]);
        const plain = compileGrammar([time], { dictionary }).jsgf;
        assert.match(plain, /public <command> = \(<get_time>\);/);
        const { jsgf, words } = compileGrammar([time], { dictionary, around: { before: ["okay", "zorblax"], after: ["please"], leadingPhrases: ["could you", "can you", "would you"] } });
        assert.match(jsgf, /public <command> = \[<around-before>\] \[<around-opening>\] \(<get_time>\) \[<around-after>\];/);
        assert.match(jsgf, /<around-before> = okay;/, "a filler without a pronunciation is left out");
        assert.match(jsgf, /<around-after> = please;/);
        assert.match(jsgf, /<around-opening> = could you \| can you;/);
        assert.ok(words.has("please") && words.has("could") && !words.has("would"));
    });

    it("hears a request said with \"please\" and \"could you\", and it is understood as typed", async () => {
        const config = testConfig();
        const t = await createGrammarTranscriber(config, silentLogger());
        t.setIntents(builtins);
        const recognizer = new TemplateRecognizer(builtins, { fillerWords: config.nlu.fillerWords, leadingPhrases: config.nlu.leadingPhrases });
        const dir = tempDir();
        try {
            for (const [said, intent] of [["stop the music please", "stop"], ["could you pause the music", "pause_music"]] as const) {
                const heard = await t.transcribe(await readAudioFile(makeSpeech(path.join(dir, "cmd.wav"), said, 300)));
                assert.equal(heard.text, said);
                assert.equal(recognizer.recognizeSync(heard.text)?.intent, intent, heard.text);
            }
        } finally {
            await t.dispose();
        }
    });

    it("what a wildcard slot may not hold is heard too, so that it can be turned down; words of the requests' sentences and words without a pronunciation are not", () => {
        const exclude = ["film", "the bath", "weather", "to", "zorblax"];
        const location = { kind: "wildcard" as const, exclude, hearExcluded: exclude };
        const weather = spec("get_weather", ["what is the weather in {location}"], { location }, [{ text: "what is the weather in boston", args: { location: "boston" } }]);
        const dictionary = new Set(["what", "is", "the", "weather", "in", "boston", "film", "bath", "to"]);
        const { jsgf, problems } = compileGrammar([weather], { dictionary });
        const slot = jsgf.split("\n").find((line) => line.startsWith("<get_weather_location> ="))!;
        assert.deepEqual(slot.slice(slot.indexOf("=") + 1, -1).split("|").map((v) => v.trim()).sort(), ["boston", "film", "the (film", "bath)"].sort());
        assert.deepEqual(problems, [], "a decoy without a pronunciation is left out quietly");
        const unknown = compileGrammar([spec("get_weather", ["what is the weather in {location}"], { location }), spec("get_time", ["what is the time"])], { dictionary: new Set([...dictionary, "time"]) });
        assert.deepEqual(unknown.problems.map((p) => p.kind), ["wildcard-without-values"], "decoys alone make no slot");
        const unheard = compileGrammar([spec("get_weather", ["what is the weather in {location}"], { location: { kind: "wildcard", exclude } }, weather.examples)], { dictionary }).jsgf;
        assert.match(unheard, /<get_weather_location> = boston;/, "only a slot that asks for it hears what it excludes");
        const some = compileGrammar([spec("get_weather", ["what is the weather in {location}"], { location: { ...location, hearExcluded: ["the bath"] } }, weather.examples)], { dictionary }).jsgf;
        assert.match(some, /<get_weather_location> = boston \| the bath;/, "only what it lists");
    });

    it("the weather is not listened for in the words other speech was heard as: outlook, conditions, at a place or a day, hours past 12; typed, they still count", () => {
        const weather = builtins.find((i) => i.name === "get_weather")!;
        const { jsgf } = compileGrammar([weather], { dictionary: everyWord });
        assert.doesNotMatch(jsgf, /\b(outlook|conditions)\b/);
        assert.doesNotMatch(jsgf, /\b(thirteen|twenty)\b/, "no \"thirteen am\" to \"twenty four in the evening\"");
        assert.match(jsgf, /\btwelve\b/);
        // "at" is left only in "at my current location".
        assert.deepEqual([...new Set([...jsgf.matchAll(/\bat \S+ \S+/g)].map((m) => m[0]))], ["at | in]"]);
        const recognizer = new TemplateRecognizer(builtins);
        for (const [text, args] of [["what's the outlook for tomorrow", { when: "tomorrow" }], ["weather conditions at london", { location: "london" }], ["the weather at 6 pm", { when: "6 pm" }]] as const) {
            const understood = recognizer.recognizeSync(text);
            assert.deepEqual([understood?.intent, understood?.args], ["get_weather", args], text);
        }
    });

    it("the built-in decoys heard in place of real names are not listened for; typed, they are still excluded", () => {
        const { jsgf } = compileGrammar(builtins, { dictionary: everyWord, slotValues: { location: ["lisbon"], song: ["thriller"] } });
        const slot = (name: string) => jsgf.split("\n").find((line) => line.startsWith(`<${name}> =`))!;
        for (const [name, heard, unheard] of [["get_weather_location", ["attic", "pluto"], ["basement", "economy"]], ["play_song_song", ["movie", "fridge"], ["trailer", "laptop", "printer", "grill", "tutorial", "guide"]]] as const) {
            for (const phrase of heard) assert.match(slot(name), new RegExp(`\\b${phrase}\\b`), `${name} hears ${phrase}`);
            for (const phrase of unheard) assert.doesNotMatch(slot(name), new RegExp(`\\b${phrase}\\b`), `${name} does not hear ${phrase}`);
        }
        const exclusions = (intent: string, name: string) => {
            const list = builtins.find((i) => i.name === intent)!.slots[name]!;
            return list.kind === "wildcard" ? list.exclude : [];
        };
        assert.ok(["basement", "economy"].every((p) => exclusions("get_weather", "location")?.includes(p)));
        assert.ok(["trailer", "laptop", "audio guide"].every((p) => exclusions("play_song", "song")?.includes(p)));
    });

    it("reads pocketsphinx's segmentation: words without silences or empty transitions, score and speech frames", () => {
        const parsed = parseHypseg("u3 S 0 T -6886 A -6212 L -674 0 -160 -337 <sil> 18 -2683 0 cancel 72 -460 0 (NULL) 72 -460 0 the 82 -2713 0 timer(2) 139 -196 -337 <sil> 184");
        const { segments, ...rest } = parsed!.segmentation;
        assert.deepEqual(rest, { words: ["cancel", "the", "timer"], score: -6886, frames: 184, speechFrames: 121, acoustic: -6212 });
        assert.deepEqual(segments.map((s) => [s.word, s.start, s.end, s.acoustic, s.speech]), [
            ["<sil>", 0, 18, -160, false], ["cancel", 18, 72, -2683, true], ["(NULL)", 72, 72, -460, false], ["the", 72, 82, -460, true],
            ["timer", 82, 139, -2713, true], ["<sil>", 139, 184, -196, false]
        ]);
        assert.equal(parseHypseg("INFO: batch.c(729): Decoding 'u3'"), null);
    });

    it("compares the two decodings word by word: the grammar's worst word against the general decoding over its frames", () => {
        const grammar = parseHypseg("u1 S 0 T -5000 A -4800 L -200 0 -100 0 <sil> 10 -1000 0 play 40 -3600 -200 jazz 100 -100 0 <sil> 110")!.segmentation;
        // The general decoding explains the first word's frames as well as the grammar, and the second's far better.
        const reference = parseHypseg("u1 S 0 T -3000 A -2700 L -300 0 -100 0 <sil> 10 -1000 -100 play 40 -600 -100 as 70 -900 -100 is 100 -100 0 <sil> 110")!.segmentation;
        const fit = grammarFit(grammar, reference);
        assert.equal(fit.words, 2);
        assert.equal(fit.speechShare, 90 / 110);
        assert.equal(fit.scorePerFrame, -2000 / 90);
        assert.equal(fit.acousticPerFrame, -2100 / 90);
        assert.equal(fit.worstWordPerFrame, (-3600 - (-600 - 900)) / 60, "jazz, over frames 40-100");
        // The same totals with every word as good as the general decoding's: surer.
        assert.ok(grammarConfidence({ ...fit, worstWordPerFrame: 0 }) > grammarConfidence(fit));
        assert.ok(grammarConfidence({ ...fit, scorePerFrame: 0, worstWordPerFrame: 0 }) > 0.5, "as good as general English: accepted");
        assert.ok(grammarConfidence(fit) < 0.5, "a word that stands on other sounds, and a path far worse than general English: turned down");
        assert.equal(grammarConfidence({ ...fit, words: 0 }), 0, "no words: nothing heard");
    });

    it("speech the grammar covers is transcribed with high confidence; other speech with low, or not at all", async () => {
        const t = await GrammarTranscriber.create({ log: silentLogger() });
        t.setIntents([...builtins, CONFIRMATION_ANSWERS]);
        const dir = tempDir();
        try {
            const heard = async (text: string) => t.transcribe(await readAudioFile(makeSpeech(path.join(dir, "cmd.wav"), text, 300)));
            for (const text of ["what time is it", "cancel the timer", "yes"]) {
                const r = await heard(text);
                assert.equal(r.text, text);
                assert.ok(r.confidence! > 0.9, `"${text}": confidence ${r.confidence}`);
            }
            // Forced into the nearest sentence ("weather on tomorrow evening" here), but no sentence of the grammar.
            const pizza = await heard("order a large pepperoni pizza");
            assert.ok((pizza.confidence ?? 0) < 0.5, `"${pizza.text}": confidence ${pizza.confidence}`);
            // The grammar search may also find no sentence at all; when it found one, the general decoding heard better.
            if (pizza.text) assert.match(String(pizza.detail?.reference), /order/, "the open-vocabulary decoding heard it");
            // Forced into a weather sentence here; the general decoding hears the shopping list.
            const list = await heard("add milk to my shopping list");
            assert.notEqual(list.text, "", "the grammar search found a sentence of its own");
            assert.ok(list.confidence! < 0.5, `"${list.text}": confidence ${list.confidence}`);
            assert.match(String(list.detail?.reference), /shopping list/, "the open-vocabulary decoding heard it");
        } finally {
            await t.dispose();
        }
    });

    it("words added around every request move the same commands' acoustic scores little (every senone is scored)", async () => {
        const plain = await GrammarTranscriber.create({ log: silentLogger() });
        const polite = await GrammarTranscriber.create({ log: silentLogger(), around: { before: ["please", "okay"], after: ["please", "thanks", "okay"], leadingPhrases: ["can you", "could you", "would you"] } });
        plain.setIntents(builtins);
        polite.setIntents(builtins);
        const dir = tempDir();
        const acoustic = (r: Awaited<ReturnType<GrammarTranscriber["transcribe"]>>) => (r.detail!.fit as { acousticPerFrame: number }).acousticPerFrame * Number(r.detail!.speechFrames);
        try {
            let drift = 0;
            for (const text of ["resume", "what time is it", "cancel the timer", "pause the music"]) {
                const samples = await readAudioFile(makeSpeech(path.join(dir, "cmd.wav"), text, 300));
                const [a, b] = [await plain.transcribe(samples), await polite.transcribe(samples)];
                assert.deepEqual([a.text, b.text], [text, text]);
                drift += Math.abs(acoustic(a) - acoustic(b));
            }
            // Measured: 593 when every senone is scored (what is left is the path's alignment), 1438 when only those
            // of the words the search holds open are, which the polite words' extra openings lower.
            assert.ok(drift < 900, `the same audio's acoustic scores moved ${drift} in all between the two grammars`);
        } finally {
            await plain.dispose();
            await polite.dispose();
        }
    });

    it("stt.confidence: false, or a missing general language model, decodes once: transcripts carry no confidence", async () => {
        const dir = tempDir();
        const file = makeSpeech(path.join(dir, "cmd.wav"), "what time is it", 300);
        const warnings: string[] = [];
        const log = Object.assign(silentLogger(), { warn: (_: unknown, message: string) => void warnings.push(message) });
        for (const t of [await createGrammarTranscriber(testConfig({ stt: { confidence: false } }), silentLogger()), await GrammarTranscriber.create({ log, referenceLmPath: path.join(dir, "missing.lm.bin") })]) {
            t.setIntents(builtins);
            try {
                const r = await t.transcribe(await readAudioFile(file));
                assert.equal(r.text, "what time is it");
                assert.equal(r.confidence, undefined);
                assert.equal(r.detail?.reference, undefined, "no second decoding");
            } finally {
                await t.dispose();
            }
        }
        assert.match(warnings.join("\n"), /general language model is missing.*install pocketsphinx-en-us/);
    });

    it("a missing acoustic model is a clear error that says how to install it", async () => {
        await assert.rejects(GrammarTranscriber.create({ log: silentLogger(), hmmDir: "/nonexistent/en-us" }), /apt-get install pocketsphinx-en-us/);
    });
});
