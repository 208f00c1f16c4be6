import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import type { IntentSpec } from "../src/intents/types.ts";
import { resolveDates } from "../src/resolve/dates.ts";
import { completeNames } from "../src/resolve/spans.ts";
import { findWhen, resolveWhen } from "../src/resolve/when.ts";

interface PhraseList { now: string; phrases: Array<{ text: string; start: string; end?: string }> }

const lists = ["when-phrases.json", "when-phrases-holdout.json"].map((f) => [f, JSON.parse(fs.readFileSync(path.join(import.meta.dirname, "fixtures", f), "utf8")) as PhraseList] as const);

describe("dates and times", () => {
    for (const [file, list] of lists) {
        it(`every phrase of ${file} resolves to the day it means (said at ${list.now})`, () => {
            const now = new Date(list.now);
            const wrong = list.phrases.flatMap((p) => {
                const r = resolveWhen(p.text, now);
                const got = r && { start: r.start.slice(0, 10), end: r.end.slice(0, 10) };
                return got?.start === p.start && (p.end == null || got.end === p.end) ? [] : [`${p.text} → ${JSON.stringify(got)}, wanted ${p.start}${p.end ? `..${p.end}` : ""}`];
            });
            assert.deepEqual(wrong, []);
        });
    }

    it("a time of day is a moment, a day runs from its start to its end, and words that name no date resolve to nothing", () => {
        const now = new Date("2026-12-01T10:00:00");
        assert.deepEqual(resolveWhen("at 5 pm", now), { text: "at 5 pm", start: "2026-12-01T17:00:00", end: "2026-12-01T17:00:00" });
        assert.deepEqual(resolveWhen("friday", now), { text: "friday", start: "2026-12-04T00:00:00", end: "2026-12-04T23:59:59" });
        assert.equal(resolveWhen("for frosty weather", now), null);
        assert.equal(findWhen("play baby shark", now), null);
    });

    it("a date said inside a name is taken out of it and goes to the date argument", () => {
        const spec = { name: "get_weather", dates: ["when"], slots: { location: { kind: "wildcard" } } } as unknown as IntentSpec;
        const now = new Date("2026-12-01T10:00:00");
        const cut = (sentence: string, location: string) => resolveDates(spec, { location }, sentence, now);
        assert.deepEqual(cut("weather in dover on march the 3rd 2031", "dover on march the 3rd 2031").args, { location: "dover", when: "march the 3rd 2031" });
        assert.deepEqual(cut("what's the weather in 2 days in oslo", "2 days in oslo").args, { location: "oslo", when: "in 2 days" });
        assert.deepEqual(cut("weather in the czech republic on may 9th", "the czech republic on may 9th").args, { location: "the czech republic", when: "may 9th" });
        assert.deepEqual(cut("is it raining in york at 9 p m", "york at 9 p m").args, { location: "york", when: "9 pm" });
        assert.deepEqual(cut("weather in leeds for frosty weather", "leeds for frosty weather").args, { location: "leeds for frosty weather" });
        assert.deepEqual(cut("weather in parksdale in twenty three minutes", "parksdale in twenty").args, { location: "parksdale", when: "in twenty three minutes" }, "the words said, numbers as said");
        assert.deepEqual(cut("will it be chillier at 06:05:48 in wagener", "06 05 48 in wagener").args, { location: "wagener", when: "06:05:48" });
        const split = cut("what is the weather like in twenty three minutes in parksdale", "twenty");
        assert.equal(split.rest, "what is the weather like in parksdale", "a name the date split is read again without the date");
        const { resolved } = cut("weather in dover on march the 3rd 2031", "dover on march the 3rd 2031");
        assert.equal(resolved.when?.start, "2031-03-03T00:00:00");
        const free = { ...spec, slots: { ...spec.slots, when: { kind: "wildcard" } } } as unknown as IntentSpec;
        assert.deepEqual(resolveDates(free, { location: "paris", when: "someday" }, "weather in paris someday", now).resolved, { when: null }, "free words that name no date are kept, unresolved");
        const listed = { ...spec, slots: { ...spec.slots, when: { kind: "values", values: [{ in: "sunset", out: "sunset" }] } } } as unknown as IntentSpec;
        assert.deepEqual(resolveDates(listed, { location: "taiwan", when: "taiwan" }, "will there be rain in taiwan", now).args, { location: "taiwan" }, "a listed slot's unlisted words that name no date are no date");
        assert.deepEqual(resolveDates(listed, { when: "sunset" }, "weather at sunset", now).args, { when: "sunset" }, "a listed value stays");
        const hours = { ...spec, slots: { ...spec.slots, when: { kind: "values", values: [{ in: "2 pm", out: "2 pm" }, { in: "3 pm", out: "3 pm" }, { in: "todays", out: "today" }] } } } as unknown as IntentSpec;
        assert.deepEqual(resolveDates(hours, { location: "angola", when: "2 pm" }, "will it rain on 7/16/2032 in angola", now).args, { location: "angola", when: "7/16/2032" }, "a listed value the sentence does not say gives way to the date it does");
        assert.deepEqual(resolveDates(hours, { when: "3 pm" }, "weather at three pm on friday", now).args, { when: "3 pm" }, "a value said in words is said");
        assert.deepEqual(resolveDates(hours, { when: "today" }, "todays weather for friday", now).args, { when: "today" }, "a value said as one of its phrases is said");
    });
});

describe("a model's names completed", () => {
    const weather = {
        sentences: [{ sentences: ["[what is] the weather [like] [in {location}] [{when}]", "{location} weather", "will it (snow|rain) [in {location}] [{when}]"], args: {} }],
        rules: {},
        slots: { location: { kind: "wildcard", trim: ["(near|around|close to)"] }, when: { kind: "wildcard" } }
    } as const;
    const now = new Date("2026-12-01T10:00:00");
    const complete = (sentence: string, args: Record<string, unknown>) => completeNames(weather as never, args, sentence, now);

    it("grows a name cut short over the words around it that are neither the intent's, another argument's nor a date's", () => {
        assert.deepEqual(complete("is it snowy in Fort Ross State Historic Park?", { location: "ross state historic" }), { location: "fort ross state historic park" });
        assert.deepEqual(complete("will it snow in lake tahoe next week", { location: "tahoe", when: "next week" }), { location: "lake tahoe", when: "next week" });
        assert.deepEqual(complete("will it rain in Ralls, Marshall Islands on 7/16/2032", { location: "ralls marshall" }), { location: "ralls marshall islands" }, "not into the date");
        assert.deepEqual(complete("will it rain close to Matlacha Pass National Wildlife Refuge", { location: "matlacha pass" }), { location: "matlacha pass national wildlife refuge" }, "not into a trim phrase");
    });

    it("cuts a name that nothing leads into after the last word in it that says where", () => {
        const here = { ...weather, slots: { ...weather.slots, location: { kind: "wildcard", trim: ["(in|at|near)"] } } };
        const cut = (sentence: string, args: Record<string, unknown>) => completeNames(here as never, args, sentence, now);
        assert.deepEqual(cut("should i expect frost in pine mountain georgia tonight", { location: "expect frost in pine mountain georgia" }), { location: "pine mountain georgia" });
        assert.deepEqual(cut("is the forecast breezy at cannon beach oregon", { location: "breezy at cannon beach oregon" }), { location: "cannon beach oregon" });
        assert.deepEqual(cut("what is the weather in henley in arden", { location: "henley in arden" }), { location: "henley in arden" }, "a name that \"in\" leads into keeps its own");
        assert.deepEqual(cut("lake in the hills weather", { location: "lake in the hills" }), { location: "lake in the hills" }, "a name at the start");
        assert.deepEqual(complete("will it snow at dawn in mesa", { location: "dawn in mesa" }), { location: "dawn in mesa" }, "only where the slot's trim list says \"in\"");
    });

    it("leaves a whole name, a name the sentence does not say and a listed value as they are", () => {
        const args = { location: "london" };
        assert.equal(complete("london weather", args), args, "the intent's own words end it");
        assert.deepEqual(complete("what is the weather in paris", { location: "rome" }), { location: "rome" });
        assert.deepEqual(complete("what is the weather like tomorrow morning", { when: "tomorrow" }), { when: "tomorrow" }, "only wildcard slots, and the date's words are taken");
        const listed = { ...weather, slots: { ...weather.slots, when: { kind: "values", values: [{ in: "later", out: "later" }] } } };
        assert.deepEqual(completeNames(listed as never, { location: "ostrovia" }, "is it going to rain in ostrovia later", now), { location: "ostrovia" }, "a listed value's words are no part of a name");
    });
});
