import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { IntentSpec } from "../src/intents/types.ts";
import { TemplateRecognizer } from "../src/nlu/templates.ts";
import { parseTemplate, slotPlaces, TemplateSampler, wordPlaces, tokenize, TemplateSyntaxError, WildcardTrimmer } from "../src/template/index.ts";

function spec(partial: Partial<IntentSpec> & Pick<IntentSpec, "name" | "sentences">): IntentSpec {
    return { description: "", args: { type: "object" }, slots: {}, rules: {}, textOnlyRules: [], examples: [], ...partial };
}

const weather = spec({
    name: "get_weather",
    sentences: [{ sentences: ["(what's|what is) the weather [like] [in {location}] [{when}]", "{location} weather"], args: {} }],
    slots: { location: { kind: "wildcard" }, when: { kind: "values", values: [{ in: "today", out: "today" }, { in: "tomorrow", out: "tomorrow" }] } }
});
const timer = spec({
    name: "set_timer",
    sentences: [{ sentences: ["set a timer for {minutes} minute[s]"], args: {} }, { sentences: ["set a timer for half an hour"], args: { minutes: 30 } }],
    slots: { minutes: { kind: "range", from: 1, to: 120 } }
});

describe("template matcher", () => {
    const recognizer = new TemplateRecognizer([weather, timer], { fillerWords: ["please"] });

    it("matches alternatives, optional words and a wildcard followed by a list slot", () => {
        const r = recognizer.recognizeSync("What is the weather like in New York tomorrow?");
        assert.deepEqual(r && { intent: r.intent, args: r.args, confidence: r.confidence }, {
            intent: "get_weather", args: { location: "new york", when: "tomorrow" }, confidence: 1
        });
    });

    it("fills a number slot from spoken number words", () => {
        assert.deepEqual(recognizer.recognizeSync("set a timer for twenty five minutes")?.args, { minutes: 25 });
        assert.deepEqual(recognizer.recognizeSync("set a timer for 1 minute")?.args, { minutes: 1 });
    });

    it("adds a sentence group's fixed arguments", () => {
        assert.deepEqual(recognizer.recognizeSync("set a timer for half an hour")?.args, { minutes: 30 });
    });

    it("refuses a number outside the slot's range", () => {
        assert.equal(recognizer.recognizeSync("set a timer for 500 minutes"), null);
    });

    it("accepts a misspelt word as a fuzzy match with lower confidence", () => {
        const r = recognizer.recognizeSync("whats the wether in paris");
        assert.equal(r?.intent, "get_weather");
        assert.deepEqual(r?.args, { location: "paris" });
        assert.ok(r!.confidence < 1 && r!.confidence > 0.8, `confidence ${r?.confidence}`);
    });

    it("a near spelling stands for a misspelt word, not for a word in use: \"my time\" is no timer", () => {
        const pause = spec({ name: "pause_timer", sentences: [{ sentences: ["pause [the|my] timer"], args: {} }] });
        assert.equal(new TemplateRecognizer([pause]).recognizeSync("pause my timmer")?.intent, "pause_timer");
        assert.equal(new TemplateRecognizer([pause]).recognizeSync("pause my time"), null, "WordNet's tagged texts use \"time\"");
        assert.equal(new TemplateRecognizer([pause], { isWordInUse: () => false }).recognizeSync("pause my time")?.intent, "pause_timer", "a word in no use");
    });

    it("a near spelling keeps its first letter: \"the moon\" is not noon", () => {
        const times = spec({ name: "get_weather", sentences: [{ sentences: ["what's the weather like [at] {when}"], args: {} }], slots: { when: { kind: "values", values: [{ in: "noon", out: "noon" }] } } });
        const r = new TemplateRecognizer([times]);
        assert.deepEqual(r.recognizeSync("what's the weather like at nooon")?.args, { when: "noon" });
        assert.equal(r.recognizeSync("what's the weather like the moon"), null);
    });

    it("does not let a wildcard swallow an unrelated sentence", () => {
        assert.equal(recognizer.recognizeSync("order me some chinese food"), null);
        assert.equal(recognizer.recognizeSync("send an email to my boss"), null);
    });

    it("drops a polite opening when the sentence does not match with it", () => {
        const polite = new TemplateRecognizer([weather], { leadingPhrases: ["could you", "can you"] });
        const r = polite.recognizeSync("could you what's the weather in rome");
        assert.deepEqual(r && { intent: r.intent, args: r.args, confidence: r.confidence }, { intent: "get_weather", args: { location: "rome" }, confidence: 1 });
    });

    it("a polite opening is no part of a wildcard: \"could you start a timer\" is no timer named \"could you start a\"", () => {
        const timer = spec({
            name: "set_timer", sentences: [{ sentences: ["[set|start] [a] [{label}] timer for {hours} hours"], args: {} }],
            slots: { label: { kind: "wildcard" }, hours: { kind: "range", from: 1, to: 24 } }
        });
        const polite = new TemplateRecognizer([timer], { leadingPhrases: ["could you"] });
        assert.deepEqual(polite.recognizeSync("could you start a timer for two hours")?.args, { hours: 2 });
        // The whole sentence still counts when what follows the opening matches nothing.
        const asked = spec({ name: "what_can_you_do", sentences: [{ sentences: ["could you help"], args: {} }] });
        assert.equal(new TemplateRecognizer([asked], { leadingPhrases: ["could you"] }).recognizeSync("could you help")?.intent, "what_can_you_do");
    });

    it("ignores filler words at the ends", () => {
        assert.equal(recognizer.recognizeSync("please what's the weather please")?.confidence, 1);
    });

    it("a fuzzy match may skip filler words, but not a word that changes the request", () => {
        const cancel = spec({ name: "set_timer", sentences: [{ sentences: ["[set] [a] {minutes} minute timer"], args: {} }], slots: { minutes: { kind: "range", from: 1, to: 99 } } });
        const r = new TemplateRecognizer([cancel], { fillerWords: ["please"] });
        const filler = r.recognizeSync("set a five minute timer for me");
        assert.deepEqual([filler?.intent, filler?.detail?.edits], ["set_timer", ["+for", "+me"]]);
        assert.equal(r.recognizeSync("knock five minutes off the timer"), null);
        assert.equal(r.recognizeSync("take a five minute timer off"), null);
    });

    it("a near spelling next to a wildcard needs a required word said exactly: the words around a name are all that say what it is", () => {
        const songs = spec({ name: "play_song", sentences: [{ sentences: ["play {song}", "[tell me] {song} (conditions|weather)", "cancel [the] {song} timer"], args: {} }], slots: { song: { kind: "wildcard" } } });
        const r = new TemplateRecognizer([songs]);
        assert.deepEqual(r.recognizeSync("play a trip to paris")?.args, { song: "a trip to paris" });
        assert.equal(r.recognizeSync("plan a trip to paris"), null, "before the name");
        assert.equal(r.recognizeSync("traffic condition"), null, "after the name");
        assert.equal(r.recognizeSync("tell me traffic condition"), null, "words of an optional part said exactly are not enough");
        assert.deepEqual(r.recognizeSync("cancel the pizza timmer")?.args, { song: "pizza" }, "a required word said exactly is");
        assert.equal(recognizer.recognizeSync("whats the wether in paris")?.intent, "get_weather", "a near spelling elsewhere still matches");
    });

    it("a wildcard value needs a word that is not a function word", () => {
        const label = spec({ name: "set_timer", sentences: [{ sentences: ["add {minutes} minutes {label} timer"], args: {} }], slots: { minutes: { kind: "range", from: 1, to: 99 }, label: { kind: "wildcard" } } });
        const r = new TemplateRecognizer([label]);
        assert.equal(r.recognizeSync("add 5 minutes to the timer"), null);
        assert.deepEqual(r.recognizeSync("add 5 minutes pasta timer")?.args, { minutes: 5, label: "pasta" });
    });

    it("a slot written {name}'s takes a name said with \"'s\", which stays out of the value", () => {
        const music = spec({
            name: "play_song",
            sentences: [{ sentences: ["play {artist}'s [new] album", "play {artist}'s {song}", "play {song}"], args: {} }],
            slots: { artist: { kind: "wildcard" }, song: { kind: "wildcard" } }
        });
        const r = new TemplateRecognizer([music]);
        assert.deepEqual(r.recognizeSync("play Frank Sinatra's new album")?.args, { artist: "frank sinatra" });
        assert.deepEqual(r.recognizeSync("play Bob Marley's Redemption")?.args, { artist: "bob marley", song: "redemption" }, "the \"'s\" is evidence for the reading that uses it");
        assert.deepEqual(r.recognizeSync("play frank sinatras new album")?.args, { song: "frank sinatras new album" }, "no apostrophe, no possessive");
        assert.deepEqual(r.recognizeSync("play what's new")?.args, { song: "whats new" }, "a contraction is no possessive");
        assert.equal((parseTemplate("play {artist}'s songs")[1] as { possessive?: boolean }).possessive, true);
        assert.equal((parseTemplate("play {artist}'songs")[1] as { possessive?: boolean }).possessive, undefined);
    });

    it("reports template syntax errors with the column", () => {
        assert.throws(() => parseTemplate("what is (the weather"), TemplateSyntaxError);
        assert.throws(() => parseTemplate("what is the weather]"), /column 20/);
        assert.throws(() => parseTemplate("play {song"), /never closed/);
    });
});

describe("wildcard trimming", () => {
    const trimmer = new WildcardTrimmer(["(on|from) <service>", "[from] [the] (<era>|{year})", "(near|around)"], { service: "(spotify|deezer)", era: "(sixties|seventies)" });
    const trim = (value: string) => trimmer.trim(tokenize(value));

    it("takes phrases that are no part of a name off either end, again and again", () => {
        assert.equal(trim("blowfly from the seventies"), "blowfly");
        assert.equal(trim("near lake tahoe"), "lake tahoe");
        assert.equal(trim("around nina simone from 1965 on spotify"), "nina simone");
    });

    it("keeps the words inside a name, and leaves nothing of a value that is only such phrases", () => {
        assert.equal(trim("songs from the seventies revisited"), "songs from the seventies revisited");
        assert.equal(trim("from the sixties"), "");
        assert.equal(trim("the beatles"), "the beatles");
    });

    it("never trims a value down to words that make no name", () => {
        const ranked = new WildcardTrimmer(["(last|new)"], {});
        assert.equal(ranked.trim(tokenize("at last")), "at last", "\"at\" alone is no name");
        assert.equal(ranked.trim(tokenize("blowfly last")), "blowfly");
    });
});

describe("where sentences put a slot or a word", () => {
    it("lists the words that can stand before and after a slot or a word, through rules and optional parts", () => {
        const intent = {
            sentences: [{ sentences: ["[what is] [the] weather <place> [<day>]", "{location} (weather|forecast)"], args: {} }],
            rules: { place: "(in|near) {location}", day: "[on] {when}" }
        };
        const places = slotPlaces(intent, "location").map((p) => ({ before: [...p.before].sort(), after: [...p.after].sort() }));
        assert.deepEqual(places, [
            { before: ["in", "near"], after: ["$", "on", "{when}"] },
            { before: ["^"], after: ["forecast", "weather"] }
        ]);
        assert.deepEqual(slotPlaces(intent, "when").map((p) => [...p.before].sort()), [["on", "{location}"]]);
        assert.deepEqual(slotPlaces(intent, "song"), [], "a slot no sentence says has no place");
        assert.deepEqual(wordPlaces(intent, "in").map((p) => [...p.before].sort()), [["weather"]], "and a word's places");
    });
});

describe("sampling sentences for training", () => {
    it("leaves out sentences with a possessive slot: their value is no run of the sentence's words", () => {
        const music = spec({
            name: "play_song",
            sentences: [{ sentences: ["play {artist}'s album", "play {song}"], args: {} }],
            slots: { artist: { kind: "wildcard" }, song: { kind: "wildcard" } }
        });
        let seed = 7;
        const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
        const sampler = new TemplateSampler(music, new Map(), ["baby shark"], random);
        assert.equal(sampler.templateCount, 1);
        for (let i = 0; i < 20; i++) assert.deepEqual(sampler.sample().args, { song: "baby shark" });
    });
});
