import { normalizedText, type SlotList } from "../template/index.ts";
import { findWhen, resolveWhen, sentenceWords, type ResolvedWhen } from "./when.ts";

/** What resolving needs to know of an intent: its date arguments and how its slots are filled. */
export interface DatedIntent {
    dates?: readonly string[];
    slots: Record<string, SlotList>;
}

/** A call with its date arguments resolved, and any date taken out of another argument's words. */
export interface DatedCall {
    args: Record<string, unknown>;
    /** The intent's `dates` arguments that were said, resolved; `null` for words that name no date hark can place. */
    resolved: Record<string, ResolvedWhen | null>;
    /**
     * When the date was found outside the date argument: the sentence without it (and the word that tied it on), to
     * be read again for the names it may have split ("weather in twenty three minutes in parksdale").
     */
    rest?: string;
}

/** Words that tie a date onto a sentence ("on friday"), left behind when the date is taken out. */
const TIES = new Set(["on", "at", "for", "around", "by", "during", "until", "till", "starting", "beginning"]);

/** Words left dangling at the end of a name once a date is taken out of it ("dover on" → "dover"). */
const TRAILING = new Set(["on", "at", "in", "for", "by", "around", "during", "from", "of", "this", "next", "and", "until", "till"]);
/** ... and at its start ("in oslo", left of "2 days in oslo"). */
const LEADING = new Set(["on", "at", "in", "for", "by", "around", "during", "and"]);

/**
 * Resolves the date arguments of an intent that has some (`dates`). A date said anywhere in the sentence goes to
 * the first of them when it has no value or only part of this date: out of a name that swallowed it ("weather in dover on march the 3rd 2031"
 * gives location "dover" and when "march the 3rd 2031"), or from words no template or model took.
 */
export function resolveDates(spec: DatedIntent, args: Record<string, unknown>, sentence: string, now: Date): DatedCall {
    const dates = spec.dates ?? [];
    if (dates.length === 0) return { args, resolved: {} };
    const out = { ...args };
    const resolved: Record<string, ResolvedWhen | null> = {};
    const first = dates[0]!;
    // Words in the date argument that name no date (a misheard name, "taiwan") are no date: the sentence is searched.
    const list = spec.slots[first];
    const listed = list?.kind === "values" && list.values.some((v) => v.in === out[first]);
    if (typeof out[first] === "string" && !listed && list?.kind !== "wildcard" && resolveWhen(out[first] as string, now) == null) delete out[first];
    const found = findWhen(sentence, now);
    if (found == null) return finish(dates, out, resolved, now);
    // Compared part by part: a name may hold "06 05 48" where the sentence said "06:05:48".
    const said = sentenceWords(sentence);
    const words = parts(said);
    const span: [number, number] = [parts(said.slice(0, found.word)).length, parts(said.slice(0, found.word + found.words)).length];
    // The date goes to the argument when it has none, words of this same date ("now" of "nine months from now",
    // "sep 25th in" of "sep 25th") or words the sentence does not say (a model's "2 pm" for "on 7/16/2032"); another
    // date said elsewhere leaves it as it is.
    const value = out[first];
    if (typeof value === "string" && says(sentence, value, list) && !overlaps(words, parts(sentenceWords(value)), span)) return finish(dates, out, resolved, now);
    let split = false;
    for (const [name, value] of Object.entries(out)) {
        if (name === first || typeof value !== "string" || spec.slots[name]?.kind !== "wildcard") continue;
        const rest = withoutSpan(words, parts(sentenceWords(value)), span);
        if (rest === undefined) continue;
        split = true;
        if (rest.length === 0) delete out[name];
        else out[name] = rest.join(" ");
    }
    out[first] = found.text;
    resolved[first] = { text: found.text, start: found.start, end: found.end };
    if (!split) return finish(dates, out, resolved, now);
    const before = words.slice(0, span[0]);
    if (before.length && TIES.has(before.at(-1)!)) before.pop();
    return finish(dates, out, resolved, now, [...before, ...words.slice(span[1])].join(" "));
}

/** Resolves the date arguments not yet resolved, and takes the word that tied each on ("on friday" → "friday"). */
function finish(dates: readonly string[], args: Record<string, unknown>, resolved: Record<string, ResolvedWhen | null>, now: Date, rest?: string): DatedCall {
    for (const name of dates) {
        const value = args[name];
        if (typeof value !== "string") continue;
        if (!(name in resolved)) resolved[name] = resolveWhen(value, now);
        const words = value.split(" ");
        // "in" ties a named day or month on ("in march"), but is part of a span of time ("in 2 days").
        const tied = TIES.has(words[0]!) || (words[0] === "in" && !/^(\d|a$|an$|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|fifteen|few|couple)/.test(words[1] ?? ""));
        if (words.length > 1 && tied) args[name] = words.slice(1).join(" ");
    }
    return { args, resolved, ...(rest ? { rest } : {}) };
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

/** Whether `sentence` says `value` (or, for a listed value, one of the phrases that give it), numbers read as numbers. */
function says(sentence: string, value: string, list: SlotList | undefined): boolean {
    const said = ` ${normalizedText(sentence)} `;
    const phrases = list?.kind === "values" ? list.values.filter((v) => v.out === value).map((v) => v.in) : [];
    return [value, ...phrases].some((phrase) => said.includes(` ${normalizedText(phrase)} `));
}

/** Words split at ":" and "/" ("14:45" → "14", "45"), as a name's words are. */
function parts(words: readonly string[]): string[] {
    return words.flatMap((w) => w.split(/[:/]/).filter(Boolean));
}

/** Whether `value`'s words, where they are in `sentence`, share a word with `span`. */
function overlaps(sentence: readonly string[], value: readonly string[], span: [number, number]): boolean {
    const at = indexOfRun(sentence, value);
    return at >= 0 && at < span[1] && at + value.length > span[0];
}

/** Where `run` first occurs in `words`, or -1. */
function indexOfRun(words: readonly string[], run: readonly string[]): number {
    if (run.length === 0) return -1;
    for (let i = 0; i + run.length <= words.length; i++) {
        if (run.every((w, k) => words[i + k] === w)) return i;
    }
    return -1;
}
