import { randomBytes } from "node:crypto";
import fs from "node:fs";
import type { Server } from "node:http";
import path from "node:path";
import { getConnInfo } from "@hono/node-server/conninfo";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { getCookie } from "hono/cookie";
import { streamSSE } from "hono/streaming";
import type { Logger } from "pino";
import { loadConfig } from "../config/load.ts";
import type { HarkConfig } from "../config/schema.ts";
import { errorMessage, HarkError } from "../errors.ts";
import { casesOf, evalSources, listSavedEvals, readSavedEval, saveEval } from "../eval/history.ts";
import { runEval } from "../eval/run.ts";
import { checkLabel, saveLabel } from "../eval/usage.ts";
import type { IntentRegistry } from "../intents/registry.ts";
import type { RecognizerRouter } from "../nlu/router.ts";
import { packageRoot } from "../paths.ts";
import type { TurnOptions } from "../pipeline/assistant.ts";
import type { Explanation } from "../pipeline/explain.ts";
import { modelChoice, useModel } from "../pipeline/model-choice.ts";
import { findTrace, readTraces, turnFailed } from "../trace/read.ts";
import type { TraceRecord } from "../trace/trace.ts";
import { privateModes } from "../util/files.ts";
import { judgeRequest, pageToken, sameToken } from "./access.ts";
import type { LiveEvent, LiveFeed } from "./live.ts";
import { describeIntent } from "./intents.ts";

/** What the page works with: the same parts of hark the commands use. */
export interface WebParts {
    /** The config hark runs with; the Models page writes `configFile` and reloads it. */
    config: HarkConfig;
    configFile: string;
    /** Runs a turn as `hark ask` does (the Try page). */
    turns: { handleText(text: string, options: TurnOptions): Promise<TraceRecord> };
    /** Recognizes without acting (the Eval page). */
    recognizer: Pick<RecognizerRouter, "recognize">;
    intents: Pick<IntentRegistry, "intents" | "problems" | "onChange">;
    /** Applies a config's LLM settings (after a model switch). */
    applyLlm(config: HarkConfig): Promise<void>;
    /** Runs a recording through the voice pipeline as `hark listen` does. */
    listen(file: string): Promise<TraceRecord[]>;
    /** Why a sentence was not understood, as `hark trace --explain` says. */
    explain(text: string): Promise<Explanation>;
    live: LiveFeed;
    /** Whether a voice loop listens here (`hark run`), or the page is served alone (`hark ui`). */
    listening: boolean;
    version: string;
    log: Logger;
}

/** Where and how the page is served. */
export interface WebOptions {
    port: number;
    /** Listen on every address, not only loopback. */
    lan: boolean;
}

/** The running page. */
export interface WebServer {
    /** http://127.0.0.1:PORT/ (or the LAN's address form when `lan`). */
    url: string;
    port: number;
    close(): Promise<void>;
}

const PAGE_FILES: Record<string, string> = { "/": "index.html", "/app.js": "app.js", "/style.css": "style.css" };
const TYPES: Record<string, string> = { ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8" };
/** The biggest recording the Try page takes (about 13 minutes of 16 kHz WAV). */
const MAX_UPLOAD_BYTES = 25 * 1024 * 1024;

/** Serves the page and its API; resolves once it listens (a port in use is an error that says what to do). */
export async function serveWeb(parts: WebParts, options: WebOptions): Promise<WebServer> {
    const app = webApp(parts);
    const hostname = options.lan ? "0.0.0.0" : "127.0.0.1";
    const server = await new Promise<Server>((resolve, reject) => {
        const s = serve({ fetch: app.fetch, port: options.port, hostname }) as Server;
        s.once("listening", () => resolve(s));
        s.once("error", (error: NodeJS.ErrnoException) => {
            reject(error.code === "EADDRINUSE"
                ? new HarkError("HARK_UI_PORT", `port ${options.port} is in use (another hark?); set ui.port in the config, or hark ui --port N`)
                : new HarkError("HARK_UI_LISTEN", `cannot serve the web page on ${hostname}:${options.port}: ${errorMessage(error)}`));
        });
    });
    const port = (server.address() as { port: number }).port;
    return {
        url: `http://127.0.0.1:${port}/`, port,
        close: () => new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
        })
    };
}

/** The page's routes, each behind the door {@link judgeRequest} keeps. */
function webApp(parts: WebParts): Hono {
    const app = new Hono();
    const token = pageToken(parts.config.paths.dataDir);
    const page = Object.fromEntries(Object.entries(PAGE_FILES).map(([route, name]) => [route, fs.readFileSync(path.join(packageRoot, "src", "web", "page", name), "utf8")]));
    let config = parts.config;
    let evalRunning = false;
    const dataDir = (): string => config.paths.dataDir;
    parts.intents.onChange(() => {
        parts.live.publish({ type: "intents", intents: parts.intents.intents.length, problems: parts.intents.problems.length });
    });

    app.use("*", async (c, next) => {
        const address = getConnInfo(c).remote.address;
        // The cookie (a browser that opened the token's address), the header (the page's own requests) or ?token=.
        const offered = [getCookie(c, "hark_token"), c.req.header("x-hark-token"), c.req.query("token")];
        const given = offered.find((t) => sameToken(t, token)) ?? offered.find(Boolean) ?? null;
        const verdict = judgeRequest({
            remoteAddress: address, host: c.req.header("host"), token: given, method: c.req.method,
            origin: c.req.header("origin"), headerToken: c.req.header("x-hark-token")
        }, token);
        if (!verdict.ok) {
            parts.log.warn({ address, path: c.req.path, why: verdict.why }, "web page request refused");
            return c.json({ error: verdict.why }, verdict.status);
        }
        await next();
        c.header("Cache-Control", "no-store");
        c.header("X-Content-Type-Options", "nosniff");
        c.header("Referrer-Policy", "no-referrer");
        c.header("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
    });

    app.onError((error, c) => {
        if (error instanceof HarkError) return c.json({ error: error.message, code: error.code }, 400);
        if (error instanceof SyntaxError) return c.json({ error: `the request is not JSON: ${error.message}` }, 400);
        parts.log.error({ err: error, path: c.req.path }, "web page request failed");
        return c.json({ error: `hark failed on this request: ${errorMessage(error)}` }, 500);
    });

    for (const [route, name] of Object.entries(PAGE_FILES)) {
        app.get(route, (c) => {
            // The token came in the address (from hark ui --show-token): kept as a cookie, and taken out of the address bar.
            if (route === "/" && c.req.query("token")) {
                c.header("Set-Cookie", `hark_token=${token}; HttpOnly; SameSite=Strict; Path=/; Max-Age=31536000`);
                return c.redirect("/", 303);
            }
            return c.body(page[route]!, 200, { "Content-Type": TYPES[path.extname(name)]! });
        });
    }

    app.get("/api/session", (c) => c.json({ token, version: parts.version, listening: parts.listening, lan: config.ui.lan }));

    app.get("/api/live", (c) => streamSSE(c, async (stream) => {
        const queue: LiveEvent[] = [];
        let wake: (() => void) | null = null;
        const unsubscribe = parts.live.subscribe((event) => {
            queue.push(event);
            wake?.();
        });
        stream.onAbort(() => {
            unsubscribe();
            wake?.();
        });
        await stream.writeSSE({ event: "snapshot", data: JSON.stringify({ ...parts.live.snapshot(), listening: parts.listening }) });
        while (!stream.aborted) {
            const event = queue.shift();
            if (event) {
                await stream.writeSSE({ event: event.type, data: JSON.stringify(event) });
                continue;
            }
            // A comment every 15 s keeps proxies and phones from closing a quiet stream.
            await new Promise<void>((resolve) => {
                const timer = setTimeout(resolve, 15_000);
                wake = () => {
                    clearTimeout(timer);
                    resolve();
                };
            });
            wake = null;
            if (queue.length === 0 && !stream.aborted) await stream.write(": ping\n\n");
        }
        unsubscribe();
    }));

    app.get("/api/turns", (c) => {
        const count = Math.min(500, Math.max(1, Number(c.req.query("count") ?? 50) || 50));
        const intent = c.req.query("intent") || null;
        const failed = c.req.query("failed") === "1";
        const hours = Number(c.req.query("hours") ?? 0);
        const since = hours > 0 ? Date.now() - hours * 3_600_000 : 0;
        const keep = (r: TraceRecord): boolean => (!failed || turnFailed(r)) && (intent == null || r.toolCall?.name === intent) && (since === 0 || Date.parse(r.time) >= since);
        const { records, unreadable } = readTraces(config.trace.file, count, keep);
        return c.json({ turns: records.reverse().map((r) => ({ ...r, failed: turnFailed(r) })), unreadable, tracing: config.trace.enabled });
    });

    app.get("/api/turns/:id/explain", async (c) => {
        const record = findTrace(config.trace.file, c.req.param("id"));
        if (!record.input.text) throw new HarkError("HARK_EXPLAIN", "this turn has no sentence to explain");
        return c.json(await parts.explain(record.input.text));
    });

    app.post("/api/turns/:id/label", bodyLimit({ maxSize: 64 * 1024 }), async (c) => {
        const record = findTrace(config.trace.file, c.req.param("id"));
        const label = checkLabel(await c.req.json(), parts.intents.intents);
        const saved = await saveLabel(dataDir(), record, label);
        return c.json(saved);
    });

    app.post("/api/try", bodyLimit({ maxSize: 64 * 1024 }), async (c) => {
        const body = (await c.req.json()) as { text?: unknown; dryRun?: unknown; speak?: unknown };
        if (typeof body.text !== "string" || !body.text.trim()) throw new HarkError("HARK_USAGE", "type a sentence first");
        const record = await parts.turns.handleText(body.text.trim(), { source: "web", dryRun: body.dryRun === true, speak: body.speak === true });
        if (body.dryRun !== true) parts.live.turn(record);
        return c.json(record);
    });

    app.post("/api/listen", bodyLimit({ maxSize: MAX_UPLOAD_BYTES, onError: (c) => c.json({ error: `a recording may be at most ${MAX_UPLOAD_BYTES / 1024 / 1024} MB` }, 413) }), async (c) => {
        const audio = Buffer.from(await c.req.arrayBuffer());
        if (audio.length < 44) throw new HarkError("HARK_USAGE", "choose a recording (a WAV file) first");
        // Kept in the data folder only while it is heard, then deleted.
        const dir = path.join(dataDir(), "uploads");
        fs.mkdirSync(dir, { recursive: true, mode: privateModes().dir });
        const file = path.join(dir, `${randomBytes(8).toString("hex")}.wav`);
        fs.writeFileSync(file, audio, { mode: privateModes().file });
        try {
            const records = await parts.listen(file);
            return c.json({ turns: records });
        } finally {
            fs.rmSync(file, { force: true });
        }
    });

    app.get("/api/intents", (c) => c.json({
        intents: parts.intents.intents.map(describeIntent),
        problems: parts.intents.problems.map((p) => ({ file: p.file, message: p.message, ...(p.line ? { line: p.line } : {}) }))
    }));

    app.get("/api/evals", (c) => c.json({ sources: evalSources(dataDir()).map(({ id, label }) => ({ id, label })), runs: listSavedEvals(dataDir()), running: evalRunning }));

    app.get("/api/evals/:id", (c) => c.json(readSavedEval(dataDir(), c.req.param("id"))));

    app.post("/api/evals", bodyLimit({ maxSize: 4 * 1024 }), async (c) => {
        const body = (await c.req.json()) as { source?: unknown };
        if (typeof body.source !== "string") throw new HarkError("HARK_USAGE", "choose an eval set");
        if (evalRunning) return c.json({ error: "an eval is running already; wait for it to finish" }, 409);
        const { source, cases } = casesOf(dataDir(), body.source, parts.intents.intents);
        if (cases.length === 0) throw new HarkError("HARK_EVAL_FILE", `${source.label} has no sentences`);
        evalRunning = true;
        try {
            const time = new Date().toISOString();
            const report = await runEval(parts.recognizer, cases);
            return c.json(saveEval(dataDir(), { time, sources: [source.label], profile: config.llm.enabled ? config.llm.profile : null, report }));
        } finally {
            evalRunning = false;
        }
    });

    app.get("/api/models", (c) => c.json(modelChoice(config)));

    app.post("/api/models/use", bodyLimit({ maxSize: 4 * 1024 }), async (c) => {
        const body = (await c.req.json()) as { name?: unknown };
        if (typeof body.name !== "string") throw new HarkError("HARK_USAGE", "choose a model");
        useModel(config, parts.configFile, body.name);
        config = loadConfig({ file: parts.configFile }).config;
        await parts.applyLlm(config);
        return c.json(modelChoice(config));
    });

    return app;
}
