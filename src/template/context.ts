import { parseTemplate, type Sequence, type TemplateNode } from "./parse.ts";
import type { TemplateIntent } from "./types.ts";

/** Marks the start of a sentence in {@link SlotPlace.before}. */
export const SENTENCE_START = "^";
/** Marks the end of a sentence in {@link SlotPlace.after}. */
export const SENTENCE_END = "$";

/**
 * One place an intent's sentences put a slot or a word: the words that can stand just before it and just after it. A
 * slot next to it is written `{name}`; the start and end of the sentence {@link SENTENCE_START} and
 * {@link SENTENCE_END}.
 */
export interface SlotPlace {
    before: ReadonlySet<string>;
    after: ReadonlySet<string>;
}

type PlacedIntent = Pick<TemplateIntent, "sentences" | "rules">;

const places = new WeakMap<PlacedIntent, Map<string, SlotPlace[]>>();

/**
 * Every place `intent`'s sentences put slot `slot` ("weather in {location}": "in" before it, the end of the sentence
 * or a day after it), rules followed and optional parts both taken and left out. Places with the same words before
 * it are merged.
 */
export function slotPlaces(intent: PlacedIntent, slot: string): readonly SlotPlace[] {
    return placesOf(intent).get(`{${slot}}`) ?? [];
}

/** Every place `intent`'s sentences put the word `word` ("weather" before "in {location}"), as {@link slotPlaces}. */
export function wordPlaces(intent: PlacedIntent, word: string): readonly SlotPlace[] {
    return placesOf(intent).get(word) ?? [];
}

function placesOf(intent: PlacedIntent): Map<string, SlotPlace[]> {
    let byToken = places.get(intent);
    if (byToken == null) {
        byToken = collectPlaces(intent);
        places.set(intent, byToken);
    }
    return byToken;
}

/** How deep rules may nest in one another before a template is taken to refer to itself. */
const MAX_DEPTH = 16;

function collectPlaces(intent: PlacedIntent): Map<string, SlotPlace[]> {
    const rules = new Map(Object.entries(intent.rules).map(([name, body]) => [name, parseTemplate(body)]));
    const ends = new Ends(rules);
    const found = new Map<string, Map<string, { before: Set<string>; after: Set<string> }>>();
    const visit = (seq: Sequence, before: ReadonlySet<string>, after: ReadonlySet<string>, depth: number): void => {
        if (depth > MAX_DEPTH) return;
        seq.forEach((node, i) => {
            const left = ends.around(seq.slice(0, i), "last", before);
            const right = ends.around(seq.slice(i + 1), "first", after);
            if (node.kind === "slot" || node.kind === "word") {
                const token = node.kind === "slot" ? `{${node.name}}` : node.text;
                const key = [...left].sort().join(" ");
                let bySet = found.get(token);
                if (bySet == null) found.set(token, (bySet = new Map()));
                const place = bySet.get(key);
                if (place) for (const word of right) place.after.add(word);
                else bySet.set(key, { before: new Set(left), after: new Set(right) });
            } else if (node.kind === "alt") {
                for (const option of node.options) visit(option, left, right, depth);
            } else if (node.kind === "rule") {
                const body = rules.get(node.name);
                if (body) visit(body, left, right, depth + 1);
            }
        });
    };
    for (const group of intent.sentences) for (const sentence of group.sentences) visit(parseTemplate(sentence), new Set([SENTENCE_START]), new Set([SENTENCE_END]), 0);
    return new Map([...found].map(([token, bySet]) => [token, [...bySet.values()]]));
}

/** First and last words of template parts, and whether a part can be said as nothing at all. */
class Ends {
    private readonly memo = { first: new WeakMap<Sequence, Set<string>>(), last: new WeakMap<Sequence, Set<string>>() };
    private readonly emptyMemo = new WeakMap<Sequence, boolean>();

    public constructor(private readonly rules: ReadonlyMap<string, Sequence>) {}

    /** The words at `end` of `seq`, and `beyond` where all of it may be left unsaid. */
    public around(seq: Sequence, end: "first" | "last", beyond: ReadonlySet<string>): Set<string> {
        const words = new Set(this.ends(seq, end, 0));
        if (this.canBeEmpty(seq, 0)) for (const word of beyond) words.add(word);
        return words;
    }

    private ends(seq: Sequence, end: "first" | "last", depth: number): Set<string> {
        const known = this.memo[end].get(seq);
        if (known) return known;
        const words = new Set<string>();
        const ordered = end === "first" ? seq : [...seq].reverse();
        for (const node of ordered) {
            for (const word of this.nodeEnds(node, end, depth)) words.add(word);
            if (!this.nodeCanBeEmpty(node, depth)) break;
        }
        this.memo[end].set(seq, words);
        return words;
    }

    private nodeEnds(node: TemplateNode, end: "first" | "last", depth: number): Set<string> {
        if (node.kind === "word") return new Set([node.text]);
        if (node.kind === "slot") return new Set([`{${node.name}}`]);
        if (depth > MAX_DEPTH) return new Set();
        if (node.kind === "alt") return new Set(node.options.flatMap((o) => [...this.ends(o, end, depth)]));
        const body = this.rules.get(node.name);
        return body ? this.ends(body, end, depth + 1) : new Set();
    }

    private canBeEmpty(seq: Sequence, depth: number): boolean {
        const known = this.emptyMemo.get(seq);
        if (known != null) return known;
        const empty = seq.every((node) => this.nodeCanBeEmpty(node, depth));
        this.emptyMemo.set(seq, empty);
        return empty;
    }

    private nodeCanBeEmpty(node: TemplateNode, depth: number): boolean {
        if (node.kind === "word" || node.kind === "slot" || depth > MAX_DEPTH) return false;
        if (node.kind === "alt") return node.options.some((o) => this.canBeEmpty(o, depth));
        const body = this.rules.get(node.name);
        return body != null && this.canBeEmpty(body, depth + 1);
    }
}
