import { tokenize, type TemplateMatcher } from "../template/index.ts";

/**
 * Everyday sentences that have nothing in common with each other: a template that matches most of them exactly
 * would take any sentence the other intents do not.
 */
const UNRELATED = [
    "the cat sat on the mat", "order a large pizza", "how tall is mount everest", "send a message to mum",
    "i like green apples", "what is the capital of france", "book a table for two", "my knee hurts",
    "call the office", "the bus is late again", "how do you make pancakes", "water the plants in the garden",
    "remind me about the dentist", "what a lovely day", "translate hello into french", "where are my keys"
];

/** A template that matches nearly anything, with how many of the unrelated sentences it took. */
export interface BroadTemplate {
    intent: string;
    template: string;
    matched: number;
    of: number;
    example: string;
}

/** The templates `matcher` holds that match at least half of a set of unrelated everyday sentences exactly. */
export function broadTemplates(matcher: TemplateMatcher): BroadTemplate[] {
    const taken = new Map<string, { intent: string; template: string; sentences: string[] }>();
    for (const sentence of UNRELATED) {
        for (const match of matcher.match(tokenize(sentence))) {
            const key = `${match.intent}\u0000${match.template}`;
            const entry = taken.get(key) ?? taken.set(key, { intent: match.intent, template: match.template, sentences: [] }).get(key)!;
            entry.sentences.push(sentence);
        }
    }
    return [...taken.values()].filter(({ sentences }) => sentences.length * 2 >= UNRELATED.length)
        .map(({ intent, template, sentences }) => ({ intent, template, matched: sentences.length, of: UNRELATED.length, example: sentences[0]! }));
}

/** What to say about a {@link BroadTemplate}. */
export function describeBroad(b: BroadTemplate): string {
    return `intent ${b.intent}: the template "${b.template}" matches nearly anything (${b.matched} of ${b.of} unrelated sentences, such as "${b.example}"), so it takes every request the other intents do not match exactly; give it words of its own`;
}
