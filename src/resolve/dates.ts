import type { IntentSpec } from "../intents/types.ts";
import { findWhen, prepareWords, resolveWhen, type ResolvedWhen } from "./when.ts";

/** A call with its date arguments resolved, and any date taken out of another argument's words. */
export interface DatedCall {
    args: Record<string, unknown>;
    /** The intent's `dates` arguments that were said, resolved; `null` for words that name no date hark can place. */
    resolved: Record<string, ResolvedWhen | null>;
}

/** Words left dangling at the end of a name once a date is taken out of it ("dover on" → "dover"). */
const TRAILING = new Set(["on", "at", "in", "for", "by", "around", "during", "from", "of", "this", "next", "and", "until", "till"]);
/** ... and at its start ("in oslo", left of "2 days in oslo"). */
const LEADING = new Set(["on", "at", "in", "for", "by", "around", "during", "and"]);

/**
 * Resolves the date arguments of an intent that has some (`dates`). A date said anywhere in the sentence goes to
 * the first of them when it has no value: out of a name that swallowed it ("weather in dover on march the 3rd 2031"
 * gives location "dover" and when "march the 3rd 2031"), or from words no template or model took.
 */
export function resolveDates(spec: IntentSpec, args: Record<string, unknown>, sentence: string, now: Date): DatedCall {
    const dates = spec.dates ?? [];
    if (dates.length === 0) return { args, resolved: {} };
    const out = { ...args };
    const resolved: Record<string, ResolvedWhen | null> = {};
    const first = dates[0]!;
    if (typeof out[first] !== "string") {
        const found = findWhen(sentence, now);
        if (found) {
            const words = prepareWords(sentence);
            const span: [number, number] = [found.word, found.word + prepareWords(found.text).length];
            for (const [name, value] of Object.entries(out)) {
                if (typeof value !== "string" || spec.slots[name]?.kind !== "wildcard") continue;
                const rest = withoutSpan(words, prepareWords(value), span);
                if (rest === undefined) continue;
                if (rest.length === 0) delete out[name];
                else out[name] = rest.join(" ");
            }
            out[first] = found.text;
            resolved[first] = { text: found.text, start: found.start, end: found.end };
        }
    }
    for (const name of dates) {
        const value = out[name];
        if (typeof value === "string" && !(name in resolved)) resolved[name] = resolveWhen(value, now);
    }
    return { args: out, resolved };
}

/**
 * The words of `value` (found in `sentence`) without those in `span` (a date's place in the sentence), trimmed of
 * dangling prepositions; `undefined` when the value is not found or does not overlap the date.
 */
function withoutSpan(sentence: readonly string[], value: readonly string[], span: [number, number]): string[] | undefined {
    const at = indexOfRun(sentence, value);
    if (at < 0) return undefined;
    const end = at + value.length;
    if (span[1] <= at || span[0] >= end) return undefined;
    const before = sentence.slice(at, Math.max(at, span[0]));
    const after = sentence.slice(Math.min(end, span[1]), end);
    const kept = before.length ? before : after;
    let from = 0;
    let to = kept.length;
    while (to > from && TRAILING.has(kept[to - 1]!)) to--;
    while (from < to && LEADING.has(kept[from]!)) from++;
    return kept.slice(from, to);
}

/** Where `run` first occurs in `words`, or -1. */
function indexOfRun(words: readonly string[], run: readonly string[]): number {
    if (run.length === 0) return -1;
    for (let i = 0; i + run.length <= words.length; i++) {
        if (run.every((w, k) => words[i + k] === w)) return i;
    }
    return -1;
}
