import { NONE_TOOL, type IntentSpec } from "../intents/types.ts";
import type { JSONSchema7 } from "../intents/json-schema.ts";


/** The instructions, tools and examples: the fixed part of every prompt, evaluated once and reused. */
export function systemPrompt(intents: readonly IntentSpec[], examplesPerIntent: number): string {
    const tools = intents.map((intent) => {
        const args = Object.entries(intent.args.properties ?? {}).map(([key, s]) => {
            const type = Array.isArray(s.enum) ? s.enum.map((v) => JSON.stringify(v)).join("|") : String(s.type ?? "string");
            return `${key} (${type}${s.description ? `: ${s.description}` : ""})`;
        });
        return `- ${intent.name}: ${intent.description}${args.length ? ` Arguments: ${args.join(", ")}.` : " No arguments."}`;
    });
    const examples = intents.flatMap((intent) => intent.examples.slice(0, examplesPerIntent).map((e) =>
        `User: ${e.text}\nCall: ${JSON.stringify({ name: intent.name, arguments: inSchemaOrder(e.args, intent.args) })}`));
    examples.push(`User: what is the meaning of life\nCall: ${JSON.stringify({ name: NONE_TOOL })}`);
    return [
        "You are the language understanding of a voice assistant. Turn what the user said into exactly one tool call,",
        'as JSON: {"name": TOOL, "arguments": {...}}. Use only these tools. Copy song titles, names and places as the',
        "user said them. Give null for an argument the user did not say. If no tool fits, answer {\"name\": \"none\"}.",
        "",
        "Tools:",
        ...tools,
        "",
        "Examples:",
        ...examples
    ].join("\n");
}

/**
 * A tool call exactly as the answer grammar writes it: compact JSON, arguments in schema order, `{"name":"none"}`
 * when `schema` is null. The training data of hark's own model uses it, so what the model learns is what the grammar allows.
 */
export function formatToolCall(name: string, args: Record<string, unknown>, schema: JSONSchema7 | null): string {
    return JSON.stringify(schema == null ? { name } : { name, arguments: inSchemaOrder(args, schema) });
}

/** The arguments with keys in the schema's order, the order the grammar makes the model write them in. */
function inSchemaOrder(args: Record<string, unknown>, schema: JSONSchema7): Record<string, unknown> {
    const order = Object.keys(schema.properties ?? {});
    return Object.fromEntries(Object.entries(args).sort(([a], [b]) => order.indexOf(a) - order.indexOf(b)));
}

/** A parsed answer: the tool and its arguments with the `null`s (arguments not said) removed. */
export interface ParsedToolCall {
    name: string;
    args: Record<string, unknown>;
}

/** Parses the model's JSON answer. Throws when it is not a tool call (a grammar-constrained answer always is). */
export function parseToolCall(text: string): ParsedToolCall {
    const value = JSON.parse(text) as { name?: unknown; arguments?: unknown };
    if (value == null || typeof value !== "object" || typeof value.name !== "string") throw new SyntaxError(`not a tool call: ${text}`);
    return { name: value.name, args: dropNulls((value.arguments ?? {}) as Record<string, unknown>) };
}

/** The arguments with the spaces hark's own model pads text values with (" boston ") removed. */
export function trimTextValues(args: Record<string, unknown>): Record<string, unknown> {
    const trim = (v: unknown): unknown => (typeof v === "string" ? v.trim() : v);
    return Object.fromEntries(Object.entries(args).map(([k, v]) => [k, Array.isArray(v) ? v.map(trim) : trim(v)]));
}

function dropNulls(args: Record<string, unknown>): Record<string, unknown> {
    return Object.fromEntries(Object.entries(args).filter(([, v]) => v !== null).map(([k, v]) =>
        [k, v != null && typeof v === "object" && !Array.isArray(v) ? dropNulls(v as Record<string, unknown>) : v]));
}

/**
 * Where a complete JSON object ends in `text` (the index after its closing brace), or -1 while it is still open.
 * Generation stops there instead of waiting for the grammar's trailing newlines.
 */
export function jsonObjectEnd(text: string): number {
    let depth = 0;
    let inString = false;
    let escaped = false;
    for (let i = 0; i < text.length; i++) {
        const c = text[i];
        if (inString) {
            if (escaped) escaped = false;
            else if (c === "\\") escaped = true;
            else if (c === '"') inString = false;
        } else if (c === '"') {
            inString = true;
        } else if (c === "{" || c === "[") {
            depth++;
        } else if (c === "}" || c === "]") {
            depth--;
            if (depth === 0) return i + 1;
        }
    }
    return -1;
}
