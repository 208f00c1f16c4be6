import type { Static } from "@sinclair/typebox";
import { HarkError } from "../errors.ts";
import { runProgram } from "../util/program.ts";
import type { IntentContext, IntentResult } from "./define.ts";
import type { ActionSchema } from "./file-schema.ts";

/** The action block of a YAML intent. */
export type YamlAction = Static<typeof ActionSchema>;

/**
 * Replaces `{name}` (or `{a.b}`) with values from `values`; a missing value becomes "".
 * `encode` is applied to each substituted value (used for URLs).
 */
export function substitute(template: string, values: Record<string, unknown>, encode: (s: string) => string = (s) => s): string {
    return template.replace(/\{([a-zA-Z_][\w.]*)\}/g, (_, key: string) => {
        const value = key.split(".").reduce<unknown>((obj, part) => (obj != null && typeof obj === "object" ? (obj as Record<string, unknown>)[part] : undefined), values);
        return value == null ? "" : encode(typeof value === "object" ? JSON.stringify(value) : String(value));
    });
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
        return async (ctx) => ({ speech: substitute(action.speak, ctx.args) });
    }
    if ("run" in action) {
        const run = action.run;
        return async (ctx) => {
            // Each argv element is substituted on its own: an argument can never become a second argument or a shell command.
            const argv = run.command.map((part) => substitute(part, ctx.args));
            const { stdout } = await runProgram(argv, { signal: ctx.signal, timeoutMs: run.timeoutMs ?? 10_000 });
            const output = stdout.trim();
            return { speech: run.speak ? substitute(run.speak, { ...ctx.args, stdout: output }) : output || "Done.", data: { argv, stdout: output } };
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
        return { speech: http.speak ? substitute(http.speak, values) : "Done.", data: { url, status: response.status } };
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
