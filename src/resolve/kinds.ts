import { isFunctionWord, normalizedText } from "../template/index.ts";
import type { WordNet } from "./wordnet.ts";

/** What a wildcard slot's value may not be, or must be, in WordNet's terms (a slot's `notKinds` and `kinds`). */
export interface KindRules {
    /** Nouns (WordNet lemmas, "home appliance", "game"): a value whose head noun has a sense that is a kind of one of these names that kind of thing. */
    notKinds?: readonly string[];
    /**
     * Lexicographer categories of nouns ("location", "object"): a value said with an article or possessive ("the film",
     * "my kitchen") whose head noun has no sense in one of them names another kind of thing. A value said bare may be a
     * proper name ("Castle", "Homestead"), so is not judged.
     */
    kinds?: readonly string[];
}

// A value's head: the last word before these, and no more than this many words.
const POSTMODIFIERS = new Set(["with", "for", "to", "of", "in", "on", "at", "from", "about", "after", "before", "during", "until", "that", "which", "who", "while", "when", "so"]);
const ARTICLES = new Set(["the", "a", "an", "my", "our", "your", "his", "her", "their", "this", "that", "these", "those", "some"]);
const MAX_HEAD_WORDS = 3;

/**
 * Why `value` names another kind of thing than its slot holds, from WordNet, or null when it may be one ("the
 * dishwasher" is a home appliance, not a song; "the film" has no sense that is a place). A value counts as said with
 * an article when it starts with one or, given the `sentence` it came from, follows one there. Only values made of words
 * WordNet knows are judged, and no more than three of them before any "with", "for", "of" ...: a word it lacks is most
 * likely part of a name, and a longer title says little by its last word.
 */
export function anotherKind(wordnet: WordNet, value: string, rules: KindRules, sentence?: string): string | null {
    let words = normalizedText(value).split(" ").filter(Boolean);
    const article = words.length > 0 && (ARTICLES.has(words[0]!) || (sentence != null && ARTICLES.has(wordBefore(sentence, words) ?? "")));
    while (words.length && ARTICLES.has(words[0]!)) words = words.slice(1);
    const cut = words.findIndex((word, i) => i > 0 && POSTMODIFIERS.has(word));
    if (cut > 0) words = words.slice(0, cut);
    if (words.length === 0 || words.length > MAX_HEAD_WORDS) return null;
    const head = nounHead(wordnet, words);
    if (head == null) return null;
    if (!head.whole && !words.every((word) => isFunctionWord(word) || /^\d+$/.test(word) || known(wordnet, word))) return null;
    // "jacob miller", "grace slick": a word before the head whose first meaning is a person makes the value a person's
    // name ("card game" is no name: a card is first of all a card).
    if (!head.whole && words.slice(0, -1).some((word) => wordnet.nounSenses(word)[0]?.category === "person")) return null;

    for (const kind of rules.notKinds ?? []) {
        const roots = wordnet.nounSenses(kind);
        if (head.senses.some((sense) => roots.some((root) => wordnet.isKindOf(sense.offset, root.offset)))) {
            return `"${head.lemma}" is a kind of ${kind}`;
        }
    }
    // "the time in new mexico": what follows "in" may be the place, so only a value that is its head is judged.
    const kinds = rules.kinds ?? [];
    if (kinds.length === 0 || !article || cut >= 0) return null;
    // Of its meanings, those people use: the ones WordNet's tagged texts have (a tent is a shelter, not the web that a
    // tent caterpillar spins), or all of them when none was tagged.
    const used = head.senses.some((sense) => sense.tagged > 0) ? head.senses.filter((sense) => sense.tagged > 0) : head.senses;
    return used.some((sense) => kinds.includes(sense.category)) ? null : `"${head.lemma}" is no ${kinds.join(" or ")} (it is ${describe(used)})`;
}

/**
 * The word of `sentence` just before `words`, if they are in it: "the temperature of the fish tank" says "the" before
 * "fish tank", which is how a model answers it.
 */
function wordBefore(sentence: string, words: readonly string[]): string | undefined {
    const said = normalizedText(sentence).split(" ");
    const at = said.findIndex((_, i) => words.every((word, j) => said[i + j] === word));
    return at > 0 ? said[at - 1] : undefined;
}

/** Whether WordNet has the word, as said or as the singular of a plural. */
function known(wordnet: WordNet, word: string): boolean {
    return singulars(word).some((form) => wordnet.isWord(form));
}

/** The value's head noun and its senses: the whole phrase when WordNet has it ("washing machine"), else its last word. */
function nounHead(wordnet: WordNet, words: readonly string[]): { lemma: string; whole: boolean; senses: ReturnType<WordNet["nounSenses"]> } | null {
    // "tic tac toe" is WordNet's "tic-tac-toe".
    for (const phrase of words.length > 1 ? [words.join(" "), words.join("-"), words.at(-1)!] : [words[0]!]) {
        for (const form of singulars(phrase)) {
            const senses = wordnet.nounSenses(form);
            if (senses.length) return { lemma: form, whole: phrase !== words.at(-1), senses };
        }
    }
    return null;
}

/** The word as said, then what it would be as the singular of a regular plural ("games" → "game", "cookies" → "cooky", "cookie"). */
function singulars(word: string): string[] {
    const forms = [word];
    if (word.endsWith("ies")) forms.push(`${word.slice(0, -3)}y`);
    if (word.endsWith("es")) forms.push(word.slice(0, -2));
    if (word.endsWith("s") && !word.endsWith("ss")) forms.push(word.slice(0, -1));
    return forms;
}

function describe(senses: ReturnType<WordNet["nounSenses"]>): string {
    return [...new Set(senses.map((s) => s.category))].join(", ");
}
