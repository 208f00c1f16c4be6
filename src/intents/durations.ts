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
 * smaller unit ("5 and a half minutes" is 5 minutes and 30 seconds), so a handler never sees one.
 */
const SPOKEN_LENGTHS: Array<[string, DurationArgs]> = [
    ["{hours} and a half hour[s]", { minutes: 30 }],
    ["{minutes} and a half minute[s]", { seconds: 30 }],
    ["(a|an|1) hour and a half", { hours: 1, minutes: 30 }],
    ["(a|1) minute and a half", { minutes: 1, seconds: 30 }],
    ["(half a minute|[a] half minute)", { seconds: 30 }],
    ["(half (an|a) hour|[a] half hour)", { minutes: 30 }],
    ["([a] quarter of (an|a) hour|[a] quarter hour)", { minutes: 15 }],
    ["3 quarters of (an|a) hour", { minutes: 45 }],
    ["(an|a) hour", { hours: 1 }],
    ["a minute", { minutes: 1 }]
];

/**
 * Sentence groups for templates that name a length of time with `<duration>`: the sentences as written (the intent
 * defines `duration` as {@link durationRule}), and once more for each way of saying a length with a fraction or an
 * article, with the arguments it stands for. `args` are fixed arguments every group carries.
 */
export function withDurations(sentences: readonly string[], args: Record<string, unknown> = {}): Array<{ sentences: string[]; args: Record<string, unknown> }> {
    const timed = sentences.filter((s) => s.includes("<duration>"));
    return [
        { sentences: [...sentences], args },
        ...(timed.length === 0 ? [] : SPOKEN_LENGTHS.map(([words, units]) => ({
            sentences: timed.map((s) => s.replaceAll("<duration>", `(${words})`)),
            args: { ...args, ...units }
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
