import type { Logger } from "pino";
import type { HarkConfig } from "../config/schema.ts";
import type { Services } from "../services/services.ts";
import type { StateStore } from "../state/store.ts";
import type { ResolvedWhen } from "../resolve/when.ts";
import type { NounCategory } from "../resolve/wordnet.ts";
import type { JSONSchema7 } from "./json-schema.ts";

/** How a slot is written in an intent file. */
export type SlotDeclaration =
    | "wildcard"
    | string[]
    | { wildcard: true; exclude?: string[]; hearExcluded?: boolean | string[]; trim?: string[]; notKinds?: string[]; kinds?: NounCategory[] }
    | { values: Array<string | { in: string; out: unknown }> }
    | { range: { from: number; to: number } };

/** Everything a handler gets for one turn. */
export interface IntentContext<Args = Record<string, unknown>> {
    /** Arguments, already validated against the intent's schema. */
    args: Args;
    /** The sentence as heard or typed. */
    text: string;
    /** The room it was heard in (a satellite's name, e.g. "kitchen"); absent when it came to this machine. */
    room?: string;
    /**
     * The intent's `dates` arguments that were said, resolved against the time of the request: local start and end
     * (`null` when the words name no date hark can place).
     */
    resolved: Record<string, ResolvedWhen | null>;
    /** Aborted when the handler times out or hark shuts down: stop work and return. */
    signal: AbortSignal;
    /** A child logger named after the intent. */
    log: Logger;
    /** Key/value state shared by all intents and kept across restarts. */
    state: StateStore;
    /** Shared capabilities: player, music library, timers, volume, HTTP. */
    services: Services;
    config: HarkConfig;
}

/** What a handler returns: the words to speak, and optional data for the trace. A plain string is the speech. */
export interface IntentResult {
    speech: string;
    data?: unknown;
}

/** An intent written in code: one file in `intents/` whose default export is `defineIntent({...})`. */
export interface IntentDefinition<Args = Record<string, unknown>> {
    /** snake_case; also the tool name the language model sees. */
    name: string;
    /** One sentence saying what it does; the language model reads it. */
    description: string;
    /** JSON Schema for the arguments (`type: "object"`). Defaults to no arguments. */
    args?: JSONSchema7;
    /** Sentence templates, hassil style: `(what's|what is) the weather [like] in {location}`. */
    sentences: Array<string | { sentences: string[]; args?: Record<string, unknown> }>;
    /** How each `{slot}` is filled. */
    slots?: Record<string, SlotDeclaration>;
    /** Expansion rules, usable as `<name>` in sentences. */
    rules?: Record<string, string>;
    /** Rules to leave out of the speech recogniser's grammar: phrasings people type but do not say. */
    textOnlyRules?: string[];
    /** Sentence → expected arguments; checked by `npm test` and used by `hark eval`. */
    examples?: Array<{ text: string; args?: Record<string, unknown> }>;
    /**
     * Arguments that name a date or time ("tomorrow", "on friday the 11th", "this weekend"): the handler gets each
     * resolved in `resolved`, and a date said anywhere in the sentence — even inside another argument's words
     * ("weather in dover on march the 3rd") — goes to the first of them. Each must be a free-text string argument.
     */
    dates?: string[];
    /** Overrides `dispatch.timeoutMs` for this intent. */
    timeoutMs?: number;
    /**
     * For an intent that changes or destroys state: the question to ask before acting on a request that was not
     * matched exactly — text with `{arg}` placeholders, or a function of the arguments. hark acts on "yes".
     */
    confirm?: string | ((args: Args) => string);
    handler(context: IntentContext<Args>): IntentResult | string | Promise<IntentResult | string>;
}

/** Identity function that gives an intent file its types: `export default defineIntent({ ... })`. */
export function defineIntent<Args = Record<string, unknown>>(definition: IntentDefinition<Args>): IntentDefinition<Args> {
    return definition;
}
