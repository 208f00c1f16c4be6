import { parseNumberWords } from "./numbers.ts";

/** One word of a normalised sentence. `raw` keeps the spoken form (lower case, no punctuation) for wildcard slots. */
export interface Token {
    /** Normalised form: contractions expanded, numbers as digits ("5"). */
    text: string;
    /** The words this token came from, e.g. "twenty five" for "25". */
    raw: string;
    /** Written with a possessive "'s" ("adele's": text and raw "adeles"), which a `{slot}'s` template leaves out of the value. */
    possessive?: true;
}

const CONTRACTIONS: Record<string, string> = {
    "what's": "what is", whats: "what is", "where's": "where is", "how's": "how is", hows: "how is", "who's": "who is",
    "when's": "when is", "that's": "that is", "there's": "there is", "here's": "here is", "it's": "it is",
    "let's": "let us", lets: "let us", "i'm": "i am", im: "i am", "you're": "you are", "we're": "we are",
    "they're": "they are", "i've": "i have", "i'd": "i would", "i'll": "i will", "it'll": "it will",
    "you'll": "you will", "we'll": "we will", "don't": "do not", dont: "do not", "doesn't": "does not",
    "didn't": "did not", "isn't": "is not", "aren't": "are not", "won't": "will not", "can't": "can not",
    cannot: "can not", cant: "can not", "shouldn't": "should not", "wouldn't": "would not", "gonna": "going to",
    "wanna": "want to", "gotta": "got to"
};

/** "1 1/2", "1/2", "3/4" written as digits, not part of a date ("1/2/2027"). */
const FRACTION = /(?<![\d/])(?:(\d+)\s+)?(1\/2|1\/4|3\/4)(?![\d/])/g;
const FRACTION_WORDS: Record<string, string> = { "1/2": "a half", "1/4": "a quarter", "3/4": "3 quarters" };

/** The contracted spellings of two words ("what", "is" → ["what's"]): what a speaker may say for them. */
export function contractedForms(first: string, second: string): string[] {
    const expansion = `${first} ${second}`;
    return Object.entries(CONTRACTIONS).filter(([short, long]) => long === expansion && short.includes("'")).map(([short]) => short);
}

/** Lower-cases, strips accents and punctuation, expands contractions and turns number words into digits. */
export function tokenize(text: string): Token[] {
    const words = text
        .normalize("NFKD")
        .replace(/[\u0300-\u036f]/g, "")
        .toLowerCase()
        .replace(/[\u2018\u2019`´]/g, "'")
        .replace(FRACTION, (_, whole: string | undefined, fraction: string) => `${whole ? `${whole} and ` : ""}${FRACTION_WORDS[fraction]}`)
        .replace(/(\d)[:.](\d)/g, "$1 $2")
        .replace(/[^a-z0-9' ]+/g, " ")
        .split(/\s+/)
        .flatMap((w) => {
            const expanded = CONTRACTIONS[w];
            // The expansion's tokens share one spoken word: it sits on the first, so wildcard text reads as said.
            if (expanded != null) return expanded.split(" ").map((part, i) => ({ text: part, raw: i === 0 ? w.replaceAll("'", "") : "" }));
            const bare = w.replace(/'s$/, "s").replaceAll("'", "");
            if (!bare) return [];
            return /.'s$/.test(w) ? [{ text: bare, raw: bare, possessive: true as const }] : [{ text: bare, raw: bare }];
        });
    return collapseNumbers(words);
}

const knownWords = new Map<string, readonly string[]>();

/**
 * The normalised words of a template's fixed text ("what is the", a slot value), remembered: the same phrases recur in
 * every sentence of every intent, and matchers and grammars are built from them again on each reload.
 */
export function templateWords(text: string): readonly string[] {
    let words = knownWords.get(text);
    if (words == null) knownWords.set(text, (words = tokenize(text).map((t) => t.text)));
    return words;
}

/** A sentence as one normalised string: what {@link tokenize} makes of it, words joined by single spaces. */
export function normalizedText(text: string): string {
    return tokenize(text).map((t) => t.text).join(" ");
}

function collapseNumbers(words: Token[]): Token[] {
    const out: Token[] = [];
    const texts = words.map((w) => w.text);
    for (let i = 0; i < words.length;) {
        const n = parseNumberWords(texts, i);
        if (n == null) {
            out.push(words[i]!);
            i++;
            continue;
        }
        const raw = words.slice(i, i + n.length).map((w) => w.raw).filter(Boolean).join(" ");
        out.push({ text: String(n.value), raw });
        i += n.length;
    }
    return out;
}

/** Removes filler words from both ends ("please", "hey", ...), never emptying the sentence. */
export function trimFillers(tokens: Token[], fillers: ReadonlySet<string>): Token[] {
    let start = 0;
    let end = tokens.length;
    while (start < end - 1 && fillers.has(tokens[start]!.text)) start++;
    while (end - 1 > start && fillers.has(tokens[end - 1]!.text)) end--;
    return tokens.slice(start, end);
}

/** The spoken words of a token span, for wildcard slot values. */
export function rawText(tokens: readonly Token[]): string {
    return tokens.map((t) => t.raw).filter(Boolean).join(" ");
}
