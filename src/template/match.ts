import { distance } from "fastest-levenshtein";
import { rawText, templateWords, tokenize, type Token } from "./normalize.ts";
import { collectSlots, collectWords, parseTemplate, type Sequence, type TemplateNode } from "./parse.ts";
import type { SlotList, TemplateIntent } from "./types.ts";

/** A template ready to match: rules inlined, slot lists resolved. */
export interface CompiledTemplate {
    intent: string;
    /** The template as written, for traces. */
    source: string;
    seq: Sequence;
    fixedArgs: Record<string, unknown>;
    /** Words every match must contain; lets the exact pass skip templates cheaply. */
    anchors: string[];
    /** Content words anywhere in the template; a fuzzy match needs one of them, so the fuzzy pass skips the rest. */
    contentWords: Set<string>;
    /** Whether a list or number slot can supply the content a fuzzy match needs. */
    hasValueSlots: boolean;
}

/** The best way a sentence fits one template. */
export interface TemplateMatch {
    intent: string;
    template: string;
    args: Record<string, unknown>;
    /** 0 for an exact match; grows with each edit a fuzzy match needed. */
    cost: number;
    /** Words swallowed by wildcard slots; fewer is a tighter reading. */
    wildcardWords: number;
    /** Template words (and list or number slot values) found in the sentence: the evidence behind a fuzzy match. */
    matchedWords: number;
    /** What a fuzzy match changed: `+word` an extra word of the sentence, `-word` a template word not said, `said→template` a near spelling. */
    edits: string[];
}

interface PreparedSlot {
    list: SlotList;
    values: Array<{ tokens: readonly string[]; out: unknown }>;
}

/** Costs of fuzzy edits. An exact pass allows none. */
const SUBSTITUTE = 0.5;
const INSERT = 1;
/** Only small function words may be missing from a fuzzy match; a missing content word would let wildcards swallow anything. */
const DELETE = 0.5;
// Prepositions are not deletable: they mark where a slot starts, and without them a wildcard swallows the sentence.
const DELETABLE = new Set([
    "a", "an", "the", "my", "me", "is", "it", "be", "some", "and", "are", "do", "does", "what", "will", "can", "you", "i",
    "this", "that", "there", "going", "like"
]);
/**
 * Words that never make a name on their own: a wildcard value needs at least one other word ("to the" is not a timer's
 * name, "it" not a song's).
 */
const FUNCTION_WORDS = new Set([
    ...DELETABLE, "to", "off", "on", "in", "at", "for", "from", "by", "of", "with", "into", "onto", "up", "down", "about",
    "your", "our", "his", "her", "their", "its", "more", "any", "or", "but", "so", "than", "then", "just", "please"
]);
/** Whether `word` (normalised) is one that never makes a name on its own. */
export function isFunctionWord(word: string): boolean {
    return FUNCTION_WORDS.has(word);
}
/**
 * Words that point at something instead of naming it: pronouns, "one", "other", "same". A value made of these and
 * function words is no name ("the other one", "us", "whatever you like").
 */
const POINTING_WORDS = new Set([
    "one", "ones", "other", "others", "another", "else", "same", "we", "us", "he", "him", "she", "hers", "they", "them",
    "theirs", "mine", "yours", "ours", "these", "those", "whatever", "whichever", "anything", "something", "everything"
]);
/** Places in an order, which point only beside "one": "the one before this", "the last one" (but "at last" is a song). */
const ORDER_WORDS = new Set(["first", "last", "next", "previous", "before", "after", "again"]);
/** Whether `words` (normalised, numbers as said) point at something or tie a sentence together, and name nothing. */
export function namesNothing(words: readonly string[]): boolean {
    const one = words.includes("one") || words.includes("ones");
    return words.every((word) => FUNCTION_WORDS.has(word) || POINTING_WORDS.has(word) || (one && ORDER_WORDS.has(word)));
}

/** Upper bound on search steps per template, so a pathological template cannot stall a turn. */
const MAX_STEPS = 50_000;

/** Options for {@link TemplateMatcher.match}. */
export interface MatchOptions {
    /** Total edit cost allowed. Defaults to 0 (exact). */
    maxCost?: number;
    /**
     * Words a fuzzy match may find in the sentence beyond the template: fillers such as "please" or "just". Any other
     * extra word may change the request ("knock five minutes off the timer" is not "a five minute timer"). Defaults to
     * any word.
     */
    extraWords?: ReadonlySet<string>;
}

/** Compiles every intent's sentence templates and finds the best match for a tokenised sentence. */
export class TemplateMatcher {
    public readonly templates: CompiledTemplate[] = [];
    private readonly slots = new Map<string, Map<string, PreparedSlot>>();
    private readonly vocabulary = new Set<string>();

    public constructor(intents: readonly TemplateIntent[]) {
        for (const intent of intents) {
            const slots = new Map<string, PreparedSlot>();
            for (const [name, list] of Object.entries(intent.slots)) {
                const values = list.kind === "values"
                    ? list.values.map((v) => ({ tokens: templateWords(v.in), out: v.out }))
                    : [];
                slots.set(name, { list, values });
            }
            this.slots.set(intent.name, slots);
            const rules = new Map(Object.entries(intent.rules).map(([k, v]) => [k, parseTemplate(v)]));
            for (const group of intent.sentences) {
                for (const source of group.sentences) {
                    const seq = inlineRules(parseTemplate(source), rules, []);
                    const contentWords = new Set([...collectWords(seq)].filter((w) => !DELETABLE.has(w)));
                    for (const w of contentWords) this.vocabulary.add(w);
                    const hasValueSlots = [...collectSlots(seq)].some((name) => intent.slots[name]?.kind !== "wildcard");
                    this.templates.push({ intent: intent.name, source, seq, fixedArgs: group.args, anchors: requiredWords(seq), contentWords, hasValueSlots });
                }
            }
        }
    }

    /** Every template's best reading of `tokens`, best first, within the allowed cost. */
    public match(tokens: readonly Token[], options: MatchOptions = {}): TemplateMatch[] {
        const maxCost = options.maxCost ?? 0;
        const words = new Set(tokens.map((t) => t.text));
        if (maxCost > 0) {
            // Template words the sentence contains or nearly contains: one of them must anchor any fuzzy match.
            const said = [...words];
            for (const v of this.vocabulary) if (!words.has(v) && said.some((w) => similar(w, v))) words.add(v);
        }
        const results: TemplateMatch[] = [];
        for (const template of this.templates) {
            if (maxCost === 0 && !template.anchors.every((w) => words.has(w))) continue;
            if (maxCost > 0 && !template.hasValueSlots && !hasAny(template.contentWords, words)) continue;
            const found = this.matchTemplate(template, tokens, maxCost, options.extraWords);
            if (found) results.push(found);
        }
        return results.sort(compareMatches);
    }

    private matchTemplate(template: CompiledTemplate, tokens: readonly Token[], maxCost: number, extraWords: ReadonlySet<string> | undefined): TemplateMatch | null {
        const slots = this.slots.get(template.intent)!;
        const texts = tokens.map((t) => t.text);
        let best: TemplateMatch | null = null;
        let steps = 0;

        /** `end`: where a wildcard's words end. */
        type Capture = { name: string; value: unknown; words: number; end?: number };
        // `hits` counts template words and list or number slot values matched; `content` those that are not function words.
        // A fuzzy match needs at least one content hit. `near`: where the last near spelling ended (-1: none yet),
        // whether one stood next to a wildcard, and how many content words of the template's required parts were said
        // exactly.
        type Near = { at: number; framed: boolean; sure: number };
        type Next = (ti: number, cost: number, caps: readonly Capture[], hits: number, content: number, edits: readonly string[], near: Near) => void;
        const extra = (word: string): boolean => extraWords == null || extraWords.has(word);

        const finish: Next = (ti, cost, caps, hits, content, edits, near) => {
            const total = cost + (texts.length - ti) * INSERT;
            if (total > maxCost || (total > 0 && content === 0)) return;
            // A near spelling next to a name needs a content word of the template's required parts said exactly: the
            // words around a wildcard are all that say what it is, so "plan a trip to paris" is no "play {song}" and
            // "i would like to know the traffic condition" no "[<ask>] {location} conditions", while "cancel the pizza
            // timmer" is a cancel.
            if (near.framed && near.sure === 0) return;
            if (!texts.slice(ti).every(extra)) return;
            const args: Record<string, unknown> = { ...template.fixedArgs };
            let wildcardWords = 0;
            for (const cap of caps) {
                args[cap.name] = cap.value;
                wildcardWords += cap.words;
            }
            const candidate: TemplateMatch = { intent: template.intent, template: template.source, args, cost: total, wildcardWords, matchedWords: hits, edits: [...edits, ...texts.slice(ti).map((w) => `+${w}`)] };
            if (best == null || compareMatches(candidate, best) < 0) best = candidate;
        };

        /** `optional`: whether `seq` lies in an optional part of the template. */
        const walk = (seq: Sequence, idx: number, ti: number, cost: number, caps: readonly Capture[], hits: number, content: number, edits: readonly string[], near: Near, optional: boolean, next: Next): void => {
            if (++steps > MAX_STEPS || cost > maxCost) return;
            if (idx === seq.length) return next(ti, cost, caps, hits, content, edits, near);
            const node = seq[idx]!;
            const rest: Next = (t, c, k, h, n, e, r) => walk(seq, idx + 1, t, c, k, h, n, e, r, optional, next);
            // Fuzzy: an extra word in the input before this node. Only before words and value slots: before an
            // alternative it would repeat the paths its options' first words try, and a wildcard absorbs extras anyway.
            const insertHere = node.kind === "word" || (node.kind === "slot" && slots.get(node.name)!.list.kind !== "wildcard");
            if (maxCost > 0 && insertHere && ti < texts.length && cost + INSERT <= maxCost && extra(texts[ti]!)) walk(seq, idx, ti + 1, cost + INSERT, caps, hits, content, [...edits, `+${texts[ti]!}`], near, optional, next);
            switch (node.kind) {
                case "word": {
                    const word = texts[ti];
                    const isContent = DELETABLE.has(node.text) ? 0 : 1;
                    if (word === node.text) rest(ti + 1, cost, caps, hits + 1, content + isContent, edits, isContent && !optional ? { ...near, sure: near.sure + 1 } : near);
                    else if (maxCost > 0 && word != null && similar(word, node.text)) rest(ti + 1, cost + SUBSTITUTE, caps, hits + 1, content + isContent, [...edits, `${word}→${node.text}`], { ...near, at: ti + 1, framed: near.framed || caps.at(-1)?.end === ti });
                    if (maxCost > 0 && !isContent) rest(ti, cost + DELETE, caps, hits, content, [...edits, `-${node.text}`], near);
                    return;
                }
                case "alt":
                    for (const option of node.options) walk(option, 0, ti, cost, caps, hits, content, edits, near, optional || node.options.some((o) => o.length === 0), rest);
                    return;
                case "rule":
                    return; // inlined at compile time
                case "slot": {
                    const slot = slots.get(node.name)!;
                    if (slot.list.kind === "wildcard") {
                        const framed = near.at === ti && !near.framed ? { ...near, framed: true } : near;
                        let named = false;
                        for (let end = ti + 1; end <= texts.length; end++) {
                            named ||= !FUNCTION_WORDS.has(texts[end - 1]!);
                            if (node.possessive && !tokens[end - 1]!.possessive) continue;
                            const value = node.possessive ? withoutPossessive(tokens.slice(ti, end)) : rawText(tokens.slice(ti, end));
                            // The "'s" a possessive slot needs is evidence for the reading, as a template word is.
                            const words = end - ti - (node.possessive ? 1 : 0);
                            if (value && named) rest(end, cost, [...caps, { name: node.name, value, words, end }], hits, content, edits, framed);
                        }
                    } else if (slot.list.kind === "range") {
                        const word = texts[ti];
                        if (word != null && /^\d+$/.test(word)) {
                            const n = Number(word);
                            if (n >= slot.list.from && n <= slot.list.to) rest(ti + 1, cost, [...caps, { name: node.name, value: n, words: 0 }], hits + 1, content + 1, edits, near);
                        }
                    } else {
                        for (const value of slot.values) {
                            let c = cost;
                            let changed: string[] = [];
                            let ok = value.tokens.length > 0 && ti + value.tokens.length <= texts.length;
                            for (let k = 0; ok && k < value.tokens.length; k++) {
                                const word = texts[ti + k]!;
                                if (word === value.tokens[k]) continue;
                                if (maxCost > 0 && similar(word, value.tokens[k]!)) {
                                    c += SUBSTITUTE;
                                    changed = [...changed, `${word}→${value.tokens[k]!}`];
                                } else ok = false;
                            }
                            if (ok) rest(ti + value.tokens.length, c, [...caps, { name: node.name, value: value.out, words: 0 }], hits + 1, content + 1, changed.length ? [...edits, ...changed] : edits, changed.length ? { ...near, at: ti + value.tokens.length } : near);
                        }
                    }
                    return;
                }
            }
        };

        walk(template.seq, 0, 0, 0, [], 0, 0, [], { at: -1, framed: false, sure: 0 }, false, finish);
        return best;
    }
}

/** The spoken words of a span whose last word was said with "'s", without it ("frank sinatras" → "frank sinatra"). */
function withoutPossessive(tokens: readonly Token[]): string {
    const last = tokens.at(-1)!;
    return rawText([...tokens.slice(0, -1), { ...last, raw: last.raw.replace(/s$/, "") }]);
}

/** Lower cost first; then the reading that leaves fewer words to wildcards; then more filled slots. */
function compareMatches(a: TemplateMatch, b: TemplateMatch): number {
    return a.cost - b.cost || a.wildcardWords - b.wildcardWords || Object.keys(b.args).length - Object.keys(a.args).length;
}

/**
 * A likely misspelling: the same first letter (typing seldom gets it wrong, and another first letter most often makes
 * another word: "moon", "noon"), then one edit in words of 4+ letters, two in words of 8+. Digits never.
 */
function similar(a: string, b: string): boolean {
    if (/\d/.test(a) || /\d/.test(b)) return false;
    if (a[0] !== b[0]) return false;
    const shorter = Math.min(a.length, b.length);
    if (shorter < 4) return false;
    return distance(a, b) <= (shorter >= 8 ? 2 : 1);
}

function inlineRules(seq: Sequence, rules: ReadonlyMap<string, Sequence>, stack: string[]): Sequence {
    return seq.map((node): TemplateNode => {
        if (node.kind === "alt") return { kind: "alt", options: node.options.map((o) => inlineRules(o, rules, stack)) };
        if (node.kind !== "rule") return node;
        const body = rules.get(node.name);
        if (body == null || stack.includes(node.name)) return { kind: "alt", options: [] };
        return { kind: "alt", options: [inlineRules(body, rules, [...stack, node.name])] };
    });
}

function hasAny(set: ReadonlySet<string>, words: ReadonlySet<string>): boolean {
    for (const w of set) if (words.has(w)) return true;
    return false;
}

/** Words outside every alternative and optional part. */
function requiredWords(seq: Sequence): string[] {
    return seq.flatMap((node) => (node.kind === "word" ? [node.text] : node.kind === "alt" && node.options.length === 1 ? requiredWords(node.options[0]!) : []));
}
