import { collectWords, intentWords, isFunctionWord, parseTemplate, rawText, tokenize, type TemplateIntent } from "../template/index.ts";
import { isTrimPhrase } from "./names.ts";
import { findWhen } from "./when.ts";

type SpannedIntent = Pick<TemplateIntent, "sentences" | "slots" | "rules">;

const stopWords = new WeakMap<SpannedIntent, Set<string>>();
/** Words that tie a name or a date onto a sentence; a name may hold one ("turks and caicos") but is not grown over it. */
const TIES = ["on", "at", "in", "for", "from", "by", "to", "of", "and", "or", "with", "the", "a", "an"];
/** Words that say where; a name the sentence does not lead into is cut after the last one it holds. */
const WHERE = new Set(["in", "at", "near"]);

/**
 * A model's names widened to the whole name said: hark's own model copies words of the sentence into a wildcard
 * argument but often stops short of a long name ("ross state historic" of "in fort ross state historic park",
 * "tahoe" of "in lake tahoe next week"). Each such value is grown word by word, to the left and to the right, over
 * words that are neither the intent's own (its sentences', rules', trim phrases' and listed values' words: "weather",
 * "near", "later"), nor words that tie things on ("in", "on", "the"), nor another argument's, nor part of the date
 * the sentence says. A value not found in the sentence is left as it is.
 *
 * The model also overshoots: "expect frost in pine mountain georgia" of "should i expect frost in pine mountain georgia
 * tonight". A value that no phrase of its slot's trim list leads into ("i" is none; "in" is), and that holds a word of
 * that list which says where ("in", "at", "near"), is cut after the last such word first.
 */
export function completeNames(spec: SpannedIntent, args: Record<string, unknown>, sentence: string, now: Date): Record<string, unknown> {
    const tokens = tokenize(sentence);
    const texts = tokens.map((t) => t.text);
    const taken = new Array<boolean>(tokens.length).fill(false);
    const date = findWhen(sentence, now);
    if (date) markRun(taken, texts, tokenize(date.text).map((t) => t.text), true);
    const found = new Map<string, [number, number]>();
    for (const [name, value] of Object.entries(args)) {
        if (typeof value !== "string") continue;
        const run = tokenize(value).map((t) => t.text);
        const at = markRun(taken, texts, run, true);
        if (at >= 0 && spec.slots[name]?.kind === "wildcard") found.set(name, [at, at + run.length]);
    }
    const own = intentVocabulary(spec);
    const free = (i: number): boolean => i >= 0 && i < tokens.length && !taken[i] && !own.has(texts[i]!);
    let out = args;
    for (const [name, [from, to]] of found) {
        let start = cutAtWhere(spec, name, texts, from, to);
        taken.fill(false, from, start);
        let end = to;
        while (free(start - 1)) taken[--start] = true;
        while (free(end)) taken[end++] = true;
        if (start === from && end === to) continue;
        out = { ...out, [name]: rawText(tokens.slice(start, end)) };
    }
    return out;
}

/** Where the name at words[from, to) starts once cut after the last word that says where, when nothing leads into it. */
function cutAtWhere(spec: SpannedIntent, slot: string, words: readonly string[], from: number, to: number): number {
    if (from === 0) return from;
    const before = (n: number) => words.slice(Math.max(0, from - n), from).join(" ");
    if (isTrimPhrase(spec, slot, before(1)) || isTrimPhrase(spec, slot, before(2))) return from;
    for (let k = to - 2; k > from; k--) {
        if (WHERE.has(words[k]!) && isTrimPhrase(spec, slot, words[k]!) && words.slice(k + 1, to).some((w) => !isFunctionWord(w))) return k + 1;
    }
    return from;
}

/**
 * Marks the first run of `run` in `words` that is not yet taken (its `marks` are falsy) with `mark`; where it starts,
 * or -1.
 */
export function markRun<T>(marks: T[], words: readonly string[], run: readonly string[], mark: T): number {
    if (run.length === 0) return -1;
    for (let i = 0; i + run.length <= words.length; i++) {
        if (run.every((w, k) => words[i + k] === w && !marks[i + k])) {
            marks.fill(mark, i, i + run.length);
            return i;
        }
    }
    return -1;
}

/**
 * Every word the intent's sentences, rules, trim phrases and listed values spell out, and the words that tie a name
 * on: none of them is a name's own.
 */
export function intentVocabulary(spec: SpannedIntent): Set<string> {
    let words = stopWords.get(spec);
    if (words) return words;
    // A listed value's words ("later" of the weather's `when`) say something else than a name; so do trim phrases'.
    words = new Set<string>([...TIES, ...intentWords(spec)]);
    for (const list of Object.values(spec.slots)) if (list.kind === "wildcard") for (const trim of list.trim ?? []) collectWords(parseTemplate(trim), words);
    stopWords.set(spec, words);
    return words;
}
