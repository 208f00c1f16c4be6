import type { JSONSchema7 } from "../intents/json-schema.ts";
import type { IntentSpec } from "../intents/types.ts";
import { NONE_TOOL } from "../intents/types.ts";
import { normalizedText } from "../template/index.ts";

/** The rule a wildcard slot's value refers to when values must be words of the sentence (see {@link spokenRule}). */
export const SPOKEN_RULE = "spoken";

/**
 * Builds the GBNF grammar of one answer: compact JSON `{"name":TOOL,"arguments":{...}}` for any intent, or
 * `{"name":"none"}`. Arguments keep their schema order; optional ones may be left out; enums, booleans and integer
 * ranges are exact (`minimum`/`maximum` become digit patterns), text is capped at `maxTextLength` characters and
 * lists at 8 items. So even a random-weight model can only write a complete call that its intent accepts — except for
 * keywords no grammar expresses (patterns, formats), which the recognizer still validates.
 *
 * With `spokenValues` (hark's own model, which writes text values padded: `" new york "`), a wildcard slot's text (a
 * place, a song) refers to the rule {@link SPOKEN_RULE}, which the caller adds for each sentence with
 * {@link spokenRule}: the model can then only pick words that were said, never respell or invent a name. A list
 * slot's text is one of its list's values or, for phrasings the list lacks ("in nine months"), words that were said.
 */
export function toolCallGrammar(intents: readonly IntentSpec[], maxTextLength: number, options: { spokenValues?: boolean } = {}): string {
    const builder = new GrammarBuilder(maxTextLength);
    const calls = intents.map((intent) => {
        const spoken = options.spokenValues ? spokenSlots(intent, builder) : undefined;
        return `${literal(`{"name":${JSON.stringify(intent.name)},"arguments":`)} ${builder.value(intent.args, intent.name, spoken)} "}"`;
    });
    calls.push(literal(`{"name":${JSON.stringify(NONE_TOOL)}}`));
    return [`root ::= ${calls.join(" | ")}`, ...builder.rules].join("\n");
}

/**
 * A text value as hark's own model writes it (the training answers and the grammar alike): normalised as sentences
 * are, with a space each side (" new york "), so its words are the same tokens as in the sentence. The recognizer
 * trims the spaces (trimTextValues).
 */
export function paddedTextValue(value: unknown): string {
    return ` ${normalizedText(String(value))} `;
}

/**
 * The rule {@link SPOKEN_RULE} for one sentence: any run of up to `maxWords` consecutive words of it (already
 * normalised), as a JSON string padded with a space each side as in {@link paddedTextValue}.
 */
export function spokenRule(words: readonly string[], maxWords: number, maxTextLength: number): string {
    const spans = new Set<string>();
    for (let start = 0; start < words.length; start++) {
        for (let end = start + 1; end <= Math.min(words.length, start + maxWords); end++) {
            const span = words.slice(start, end).join(" ");
            if (span.length + 2 > maxTextLength) break;
            spans.add(literal(JSON.stringify(` ${span} `)));
        }
    }
    if (spans.size === 0) throw new RangeError("no word of the sentence can be a text value (none, or all longer than the longest value)");
    return `${SPOKEN_RULE} ::= ${[...spans].join(" | ")}`;
}

/** For each slot whose text must come from the sentence or its list: the grammar rule of its value. */
function spokenSlots(intent: IntentSpec, builder: GrammarBuilder): Map<string, string> {
    const rules = new Map<string, string>();
    for (const [name, slot] of Object.entries(intent.slots)) {
        if (slot.kind === "wildcard") rules.set(name, SPOKEN_RULE);
        else if (slot.kind === "values" && slot.values.every((v) => typeof v.out === "string")) {
            const listed = new Set(slot.values.map((v) => literal(JSON.stringify(paddedTextValue(v.out)))));
            rules.set(name, builder.rule(`${intent.name}-${name}-listed`, [...listed, SPOKEN_RULE].join(" | ")));
        }
    }
    return rules;
}

class GrammarBuilder {
    public readonly rules: string[] = [];
    private readonly names = new Set<string>();

    public constructor(private readonly maxTextLength: number) {
        const char = String.raw`[^"\\\x00-\x1F\x7F] | "\\" ["\\/bfnrt]`;
        this.rules.push(`char ::= ${char}`);
        this.names.add("char");
    }

    /** Adds the rule `expression` under a fresh name made from `hint`, and returns the name. */
    public rule(hint: string, expression: string): string {
        const name = this.unique(hint);
        this.rules.push(`${name} ::= ${expression}`);
        return name;
    }

    /**
     * A grammar expression for values of `schema`; complex parts become named rules (prefixed with `hint`). Text
     * properties named in `spoken` take the expression given there.
     */
    public value(schema: JSONSchema7, hint: string, spoken?: ReadonlyMap<string, string>): string {
        if (schema.const !== undefined) return literal(JSON.stringify(schema.const));
        if (Array.isArray(schema.enum)) return `(${schema.enum.map((v) => literal(JSON.stringify(v))).join(" | ")})`;
        const alternatives = (schema.oneOf ?? schema.anyOf) as JSONSchema7[] | undefined;
        if (Array.isArray(alternatives)) return `(${alternatives.map((s, i) => this.value(s, `${hint}-${i}`)).join(" | ")})`;
        const types = Array.isArray(schema.type) ? schema.type : [schema.type ?? "string"];
        const options = types.map((type) => this.typed(type, schema, hint, spoken));
        return options.length === 1 ? options[0]! : `(${options.join(" | ")})`;
    }

    private typed(type: string, schema: JSONSchema7, hint: string, spoken?: ReadonlyMap<string, string>): string {
        switch (type) {
            case "null": return literal("null");
            case "boolean": return `("true" | "false")`;
            case "integer": return integerRange(finite(schema.minimum, -99_999_999), finite(schema.maximum, 999_999_999));
            case "number": return `"-"? ([0-9] | [1-9] [0-9]{1,8}) ("." [0-9]{1,4})?`;
            case "array": {
                const item = this.value(schema.items ?? {}, `${hint}-item`);
                const max = Math.min(Number(schema.maxItems ?? 8), 8);
                return `"[" (${item} ("," ${item}){0,${max - 1}})? "]"`;
            }
            case "object": return this.object(schema, hint, spoken);
            default: {
                const min = Math.min(Number(schema.minLength ?? 0), this.maxTextLength);
                const max = Math.min(Number(schema.maxLength ?? this.maxTextLength), this.maxTextLength);
                return `"\\"" char{${min},${max}} "\\""`;
            }
        }
    }

    /**
     * An object with its keys in schema order, optional keys skippable, commas right: rule `first(i)` is a non-empty
     * run of keys starting at i or later (it may not skip a required key), `rest(i)` continues after a comma.
     */
    private object(schema: JSONSchema7, hint: string, spoken?: ReadonlyMap<string, string>): string {
        const keys = Object.keys(schema.properties ?? {});
        if (keys.length === 0) return literal("{}");
        const required = new Set(schema.required ?? []);
        const base = this.unique(hint);
        const valueOf = (key: string, i: number): string => {
            const property = schema.properties![key]!;
            const said = spoken?.get(key);
            return said !== undefined && isPlainText(property) ? said : this.value(property, `${base}-${i}`);
        };
        const pair = keys.map((key, i) => `${literal(`${JSON.stringify(key)}:`)} ${valueOf(key, i)}`);
        const firstName = (i: number): string => `${base}-first-${i}`;
        const restName = (i: number): string => `${base}-rest-${i}`;
        for (let i = 0; i < keys.length; i++) {
            const starts: string[] = [];
            for (let j = i; j < keys.length; j++) {
                starts.push(j + 1 < keys.length ? `${pair[j]} ${restName(j + 1)}` : pair[j]!);
                if (required.has(keys[j]!)) break;
            }
            this.rules.push(`${firstName(i)} ::= ${starts.join(" | ")}`);
            if (i > 0) {
                const needed = keys.slice(i).some((k) => required.has(k));
                this.rules.push(`${restName(i)} ::= ${needed ? `"," ${firstName(i)}` : `("," ${firstName(i)})?`}`);
            }
        }
        const anyRequired = keys.some((k) => required.has(k));
        return `"{" ${anyRequired ? firstName(0) : `${firstName(0)}?`} "}"`;
    }

    private unique(hint: string): string {
        const clean = hint.replace(/[^a-zA-Z0-9-]/g, "-");
        let name = clean;
        for (let n = 2; this.names.has(name); n++) name = `${clean}-${n}`;
        this.names.add(name);
        return name;
    }
}

/** A string schema with nothing but a type, length limits and a description: free text, padded in the answer. */
export function isPlainText(schema: JSONSchema7): boolean {
    return schema.type === "string" && schema.enum === undefined && schema.const === undefined && schema.pattern === undefined && schema.format === undefined;
}

function finite(value: unknown, fallback: number): number {
    return typeof value === "number" && Number.isFinite(value) ? Math.trunc(value) : fallback;
}

/** A GBNF literal for `text`. */
export function literal(text: string): string {
    return `"${text.replace(/[\\"]/g, (c) => `\\${c}`).replace(/\n/g, "\\n")}"`;
}

/** Decimal integers from `lo` to `hi` inclusive, without leading zeros, as a grammar expression. */
export function integerRange(lo: number, hi: number): string {
    if (lo > hi) throw new RangeError(`empty integer range ${lo}..${hi}`);
    const parts: string[] = [];
    if (lo < 0) parts.push(`"-" ${positiveRange(Math.max(1, -hi), -lo)}`);
    if (hi >= 0) parts.push(positiveRange(Math.max(0, lo), hi));
    return parts.length === 1 ? parts[0]! : `(${parts.join(" | ")})`;
}

function positiveRange(lo: number, hi: number): string {
    const parts: string[] = [];
    for (let digits = String(lo).length; digits <= String(hi).length; digits++) {
        const from = Math.max(lo, digits === 1 ? 0 : 10 ** (digits - 1));
        const to = Math.min(hi, 10 ** digits - 1);
        if (from <= to) parts.push(sameLength(String(from), String(to)));
    }
    return parts.length === 1 ? parts[0]! : `(${parts.join(" | ")})`;
}

/** Numbers between two decimal strings of equal length, digit by digit. */
function sameLength(lo: string, hi: string): string {
    if (lo.length === 0) return "";
    if (lo === hi) return `"${lo}"`;
    const a = Number(lo[0]);
    const b = Number(hi[0]);
    const restLo = lo.slice(1);
    const restHi = hi.slice(1);
    const anyDigits = (n: number): string => (n > 0 ? ` [0-9]{${n}}` : "");
    if (a === b) return `"${a}" ${sameLength(restLo, restHi)}`.trim();
    if (/^0*$/.test(restLo) && /^9*$/.test(restHi)) return `[${a}-${b}]${anyDigits(restLo.length)}`;
    const parts = [`"${a}" ${sameLength(restLo, "9".repeat(restLo.length))}`.trim()];
    if (b - a > 1) parts.push(`[${a + 1}-${b - 1}]${anyDigits(restLo.length)}`);
    parts.push(`"${b}" ${sameLength("0".repeat(restHi.length), restHi)}`.trim());
    return `(${parts.join(" | ")})`;
}
