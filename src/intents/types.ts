import type { JSONSchema7 } from "./json-schema.ts";

/** How a `{slot}` in a sentence template is filled. */
export type SlotList =
    /** Any run of one or more words; the value is the words as spoken. */
    | { kind: "wildcard" }
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

/** What a recognizer needs to know about one intent. */
export interface IntentSpec {
    /** snake_case; also the tool name the LLM sees. */
    name: string;
    description: string;
    /** JSON Schema (type: object) for the arguments. */
    args: JSONSchema7;
    sentences: SentenceGroup[];
    slots: Record<string, SlotList>;
    /** Expansion rules usable as `<name>` in templates. */
    rules: Record<string, string>;
    /** Rules left out of the speech grammar (typed phrasings nobody says aloud); sentences that need them are text-only. */
    textOnlyRules: string[];
    /** Sentence → expected arguments; used by tests, eval and LLM prompts. */
    examples: Array<{ text: string; args: Record<string, unknown> }>;
}
