/** How a `{slot}` in a sentence template is filled. */
export type SlotList =
    /**
     * Any run of words with at least one that is not a function word; the value is the words as spoken. `exclude`:
     * phrases (normalised) that name another kind of thing ("movie" in a song title); a value that contains one is
     * turned down unless it is a known value (a title in the music folder); `hearExcluded`: those of them the speech
     * grammar holds too, so that speech about such a thing is heard as said and turned down. `trim`: templates
     * of phrases that are no part of a name ("on spotify", "from the seventies"), taken off either end of a value
     * ({@link WildcardTrimmer}). `notKinds` and `kinds`: what the value may not be, or must be, in WordNet's terms
     * (nouns such as "home appliance"; lexicographer categories such as "location").
     * The matcher leaves them all to its caller.
     */
    | { kind: "wildcard"; exclude?: string[]; hearExcluded?: string[]; trim?: string[]; notKinds?: string[]; kinds?: string[] }
    /** One of a list of phrases; `out` is the argument value (defaults to the phrase). */
    | { kind: "values"; values: Array<{ in: string; out: unknown }> }
    /** A whole number in a range; spoken number words count ("twenty five"). */
    | { kind: "range"; from: number; to: number };

/** A group of sentence templates that share fixed argument values (hassil's "data" blocks). */
export interface SentenceGroup {
    sentences: string[];
    /** Arguments set whenever one of these sentences matches, e.g. `{ all: true }`. */
    args: Record<string, unknown>;
}

/** What the template language knows of one intent: its name, sentence templates, slots, rules and examples. */
export interface TemplateIntent {
    name: string;
    sentences: SentenceGroup[];
    slots: Record<string, SlotList>;
    /** Expansion rules usable as `<name>` in templates. */
    rules: Record<string, string>;
    /** Rules left out of the speech grammar (typed phrasings nobody says aloud); sentences that need them are text-only. */
    textOnlyRules: string[];
    /** Sentence → expected arguments. */
    examples: Array<{ text: string; args: Record<string, unknown> }>;
}

/** A sentence template could not be parsed. `column` is 1-based. */
export class TemplateSyntaxError extends Error {
    /** Stable machine-readable code. */
    public readonly code = "HARK_TEMPLATE_SYNTAX";

    public constructor(template: string, column: number, reason: string) {
        super(`template "${template}" (column ${column}): ${reason}`);
        this.name = "TemplateSyntaxError";
    }
}
