import type { JSONSchema7 } from "./json-schema.ts";
import type { SlotDeclaration } from "./define.ts";
import type { DurationArgs } from "../util/duration.ts";

export { durationMs, type DurationArgs } from "../util/duration.ts";

/** The `args.properties` of a length of time, for an intent's JSON Schema. */
export const durationProperties: Record<"hours" | "minutes" | "seconds", JSONSchema7> = {
    hours: { type: "integer", minimum: 0, maximum: 99 },
    minutes: { type: "integer", minimum: 0, maximum: 999 },
    seconds: { type: "integer", minimum: 0, maximum: 9999 }
};

/** How the three slots are filled from the sentence. */
export const durationSlots: Record<"hours" | "minutes" | "seconds", SlotDeclaration> = {
    hours: { range: { from: 0, to: 99 } },
    minutes: { range: { from: 0, to: 999 } },
    seconds: { range: { from: 0, to: 9999 } }
};

/** The rule for a length of time said in whole units ("1 hour and 20 minutes", "90 seconds"). */
export const durationRule =
    "({hours} hour[s] [[and] {minutes} minute[s]] [[and] {seconds} second[s]]|{minutes} minute[s] [[and] {seconds} second[s]]|{seconds} second[s])";

/**
 * Lengths of time said with a fraction or an article, each with the whole units it means: a fraction becomes the
 * smaller unit ("5 and a half minutes" is 5 minutes and 30 seconds), so a handler never sees one. A length that brings
 * its own article has the form it takes after "the" or "my" ("the half hour timer"), and takes no other article.
 */
const SPOKEN_LENGTHS: Array<{ words: string; args: DurationArgs; afterDeterminer?: string }> = [
    { words: "{hours} and a half hour[s]", args: { minutes: 30 } },
    { words: "{minutes} and a half minute[s]", args: { seconds: 30 } },
    { words: "(a|an|1) hour and a half", args: { hours: 1, minutes: 30 }, afterDeterminer: "hour and a half" },
    { words: "(a|1) minute and a half", args: { minutes: 1, seconds: 30 }, afterDeterminer: "minute and a half" },
    { words: "(half a minute|[a] half minute)", args: { seconds: 30 }, afterDeterminer: "half minute" },
    { words: "(half (an|a) hour|[a] half hour)", args: { minutes: 30 }, afterDeterminer: "half hour" },
    { words: "([a] quarter of (an|a) hour|[a] quarter hour)", args: { minutes: 15 }, afterDeterminer: "quarter hour" },
    { words: "3 quarters of (an|a) hour", args: { minutes: 45 } },
    { words: "(an|a) hour", args: { hours: 1 }, afterDeterminer: "hour" },
    { words: "a minute", args: { minutes: 1 }, afterDeterminer: "minute" }
];

/** An optional determiner written right before a length ("[a|<an>] <duration>", "[the|my] <duration>"). */
const DETERMINED = /\[((?:a|<an>|an|the|my)(?:\|(?:a|<an>|an|the|my))*)\] <duration>/g;

/**
 * Sentence groups for templates that name a length of time with `<duration>`: the sentences as written (the intent
 * defines `duration` as {@link durationRule}), and once more for each way of saying a length with a fraction or an
 * article, with the arguments it stands for. `args` are fixed arguments every group carries. Where a determiner is
 * written before the length and the length has an article of its own, the two are not said together ("the an hour
 * timer"): "the" or "my" goes before the length's form without its article.
 */
export function withDurations(sentences: readonly string[], args: Record<string, unknown> = {}): Array<{ sentences: string[]; args: Record<string, unknown> }> {
    const timed = sentences.filter((s) => s.includes("<duration>"));
    const said = (sentence: string, length: (typeof SPOKEN_LENGTHS)[number]): string => {
        const { words, afterDeterminer } = length;
        const determined = afterDeterminer == null ? sentence : sentence.replace(DETERMINED, (_, options: string) => {
            const definite = options.split("|").filter((d) => d === "the" || d === "my");
            return definite.length ? `((${words})|(${definite.join("|")}) ${afterDeterminer})` : `(${words})`;
        });
        return determined.replaceAll("<duration>", `(${words})`);
    };
    return [
        { sentences: [...sentences], args },
        ...(timed.length === 0 ? [] : SPOKEN_LENGTHS.map((length) => ({
            sentences: timed.map((s) => said(s, length)),
            args: { ...args, ...length.args }
        })))
    ];
}

/**
 * The name of a timer ("pizza" in "the pizza timer"): any words but those that say a length, a change or which
 * timers, so "add five minutes to the pasta timer" is never a timer named "to the pasta", nor "snooze the pasta timer"
 * a timer named "snooze the pasta".
 */
export const timerLabelSlot: SlotDeclaration = {
    wildcard: true,
    exclude: [
        "to", "off", "from", "onto", "on", "by", "all", "every", "minute", "minutes", "second", "seconds", "hour", "hours", "half",
        "quarter", "more", "less", "extra", "another", "longer", "shorter", "paused", "running", "again", "pause", "resume",
        "cancel", "stop", "add", "set", "start", "continue", "snooze", "reset", "restart", "double", "rename", "extend", "shorten",
        "check", "delete", "remove", "make", "give", "take", "knock"
    ],
    // "the pizza timer", "my tea timer": the article is no part of the name.
    trim: ["(the|my|a|an|this|that|our|your)"]
};
