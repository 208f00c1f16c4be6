import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseNumberWords, rawText, tokenize, trimFillers } from "../src/template/index.ts";

const texts = (s: string) => tokenize(s).map((t) => t.text).join(" ");

describe("normalisation", () => {
    it("lower-cases, drops punctuation and expands contractions", () => {
        assert.equal(texts("What's the weather like in Boston?"), "what is the weather like in boston");
        assert.equal(texts("I don't know, it's late."), "i do not know it is late");
    });

    it("turns spoken numbers into digits", () => {
        assert.equal(texts("set a timer for five minutes"), "set a timer for 5 minutes");
        assert.equal(texts("one hundred thirty five days"), "135 days");
        assert.equal(texts("one hour and twenty five minutes"), "1 hour and 25 minutes");
        assert.equal(texts("two thousand and seventeen"), "2017");
    });

    it("reads written fractions as they are said, but leaves dates alone", () => {
        assert.equal(texts("set a timer for 1 1/2 hours"), "set a timer for 1 and a half hours");
        assert.equal(texts("1/2 hour"), "a half hour");
        assert.equal(texts("3/4 of an hour"), "3 quarters of an hour");
        assert.equal(texts("on 1/2/2027"), "on 1 2 2027");
        assert.equal(texts("11/2"), "11 2");
    });

    it("keeps the spoken words for wildcard values", () => {
        assert.equal(rawText(tokenize("Play Twenty One Pilots!")), "play twenty one pilots");
        assert.equal(rawText(tokenize("what's up")), "whats up");
    });

    it("reads number words only where a number starts", () => {
        assert.deepEqual(parseNumberWords(["twenty", "five", "minutes"], 0), { value: 25, length: 2 });
        assert.equal(parseNumberWords(["a", "minute"], 0), null);
        assert.deepEqual(parseNumberWords(["nineteen", "twelve"], 0), { value: 19, length: 1 });
    });

    it("trims filler words at both ends but never empties the sentence", () => {
        const fillers = new Set(["please", "hey", "jarvis"]);
        assert.equal(trimFillers(tokenize("hey jarvis what time is it please"), fillers).map((t) => t.text).join(" "), "what time is it");
        assert.equal(trimFillers(tokenize("please"), fillers).length, 1);
    });
});
