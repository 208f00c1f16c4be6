import type { Static } from "@sinclair/typebox";
import { HarkError } from "../errors.ts";
import { suggest } from "../util/schema-errors.ts";
import { runProgram } from "../util/program.ts";
import type { IntentContext, IntentResult } from "./define.ts";
import type { ActionSchema } from "./file-schema.ts";

/** The action block of a YAML intent. */
export type YamlAction = Static<typeof ActionSchema>;

const PLACEHOLDER = /\{([a-zA-Z_][\w.]*)\}/g;

/**
 * Replaces `{name}` (or `{a.b}`) with values from `values`; a missing value becomes "" and is passed to `missing`.
 * `encode` is applied to each substituted value (used for URLs).
 */
export function substitute(template: string, values: Record<string, unknown>, encode: (s: string) => string = (s) => s, missing?: (key: string) => void): string {
    return template.replace(PLACEHOLDER, (_, key: string) => {
        const value = key.split(".").reduce<unknown>((obj, part) => (obj != null && typeof obj === "object" ? (obj as Record<string, unknown>)[part] : undefined), values);
        if (value == null) missing?.(key);
        return value == null ? "" : encode(typeof value === "object" ? JSON.stringify(value) : String(value));
    });
}

/**
 * Placeholders of a YAML action that nothing can fill: `{rom}` in a speak template of an intent whose argument is
 * `room` would be said as nothing. Each has where it is in the intent file (`["action", "speak"]`) and the reason.
 * `{json.…}` in an http answer is not checked: the answer's shape is only known when it comes.
 */
export function unknownPlaceholders(action: YamlAction, args: readonly string[]): Array<{ at: Array<string | number>; message: string }> {
    const found: Array<{ at: Array<string | number>; message: string }> = [];
    const check = (text: string, at: Array<string | number>, extra: readonly string[] = []): void => {
        const known = [...args, ...extra];
        for (const [, key] of text.matchAll(PLACEHOLDER)) {
            const root = key!.split(".")[0]!;
            if (known.includes(root)) continue;
            const what = extra.length ? `an argument (${args.join(", ") || "none"}) or one of ${extra.join(", ")}` : `an argument of this intent (${args.join(", ") || "none declared"})`;
            found.push({ at, message: `{${key}} is not ${what}${suggest(root, known)}; it would be left empty` });
        }
    };
    const strings = (value: unknown, at: Array<string | number>): void => {
        if (typeof value === "string") check(value, at);
        else if (Array.isArray(value)) value.forEach((v, i) => strings(v, [...at, i]));
        else if (value != null && typeof value === "object") for (const [k, v] of Object.entries(value)) strings(v, [...at, k]);
    };
    if ("speak" in action) check(action.speak, ["action", "speak"]);
    else if ("run" in action) {
        action.run.command.forEach((part, i) => check(part, ["action", "run", "command", i]));
        if (action.run.speak) check(action.run.speak, ["action", "run", "speak"], ["stdout"]);
    } else {
        check(action.http.url, ["action", "http", "url"]);
        strings(action.http.headers, ["action", "http", "headers"]);
        strings(action.http.json, ["action", "http", "json"]);
        if (action.http.speak) check(action.http.speak, ["action", "http", "speak"], ["status", "body", "json"]);
    }
    return found;
}

/** Substitutes inside a JSON body; a string that is exactly "{name}" keeps the argument's type. */
function substituteJson(body: unknown, values: Record<string, unknown>): unknown {
    if (typeof body === "string") {
        const whole = /^\{([a-zA-Z_]\w*)\}$/.exec(body);
        return whole ? values[whole[1]!] ?? null : substitute(body, values);
    }
    if (Array.isArray(body)) return body.map((b) => substituteJson(b, values));
    if (body != null && typeof body === "object") return Object.fromEntries(Object.entries(body).map(([k, v]) => [k, substituteJson(v, values)]));
    return body;
}

/** Builds the handler for a declarative intent's action. */
export function actionHandler(action: YamlAction): (ctx: IntentContext) => Promise<IntentResult> {
    if ("speak" in action) {
        return async (ctx) => ({ speech: substitute(action.speak, ctx.args, undefined, unfilled(ctx)) });
    }
    if ("run" in action) {
        const run = action.run;
        return async (ctx) => {
            // Each argv element is substituted on its own: an argument can never become a second argument or a shell command.
            const argv = run.command.map((part) => substitute(part, ctx.args));
            const { stdout } = await runProgram(argv, { signal: ctx.signal, timeoutMs: run.timeoutMs ?? 10_000 });
            const output = stdout.trim();
            return { speech: run.speak ? substitute(run.speak, { ...ctx.args, stdout: output }, undefined, unfilled(ctx)) : output || "Done.", data: { argv, stdout: output } };
        };
    }
    const http = action.http;
    return async (ctx) => {
        const url = substitute(http.url, ctx.args, encodeURIComponent);
        const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(http.timeoutMs ?? 10_000)]);
        const body = http.json === undefined ? undefined : JSON.stringify(substituteJson(http.json, ctx.args));
        const headers = { ...(body ? { "content-type": "application/json" } : {}), ...http.headers };
        const method = http.method ?? (body ? "POST" : "GET");
        let response: Response;
        try {
            response = await ctx.services.fetch(url, { method, headers, body, signal });
        } catch (error) {
            const cause = fetchCause(error);
            throw new HarkError("HARK_HTTP_FAILED", `${method} ${url} failed: ${cause}`, { cause: error, detail: { method, url, cause } });
        }
        const text = await response.text();
        let json: unknown = null;
        try {
            json = JSON.parse(text);
        } catch {
            // Not JSON: {body} still has the text.
        }
        if (!response.ok) {
            throw new HarkError("HARK_HTTP_FAILED", `${method} ${url} answered ${response.status}: ${text.slice(0, 200)}`, { detail: { method, url, status: response.status, body: text.slice(0, 200) } });
        }
        const values = { ...ctx.args, status: response.status, body: text.trim(), json };
        return { speech: http.speak ? substitute(http.speak, values, undefined, unfilled(ctx)) : "Done.", data: { url, status: response.status } };
    };
}

/** Why a fetch failed, in words: undici says only "fetch failed" and keeps the reason (ECONNREFUSED, a DNS miss) in `cause`. */
function fetchCause(error: unknown): string {
    const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
    if (e.name === "TimeoutError" || e.name === "AbortError") return e.message ?? "timed out";
    const cause = e.cause;
    if (cause?.code && cause.message) return cause.message.includes(cause.code) ? cause.message : `${cause.code}: ${cause.message}`;
    return cause?.message ?? e.message ?? String(error);
}

/** Logs a placeholder of a reply that had nothing to fill it (an argument not said, a key the answer lacks). */
function unfilled(ctx: IntentContext): (key: string) => void {
    return (key) => ctx.log.info({ placeholder: key }, `{${key}} had no value and was left empty in the reply`);
}
