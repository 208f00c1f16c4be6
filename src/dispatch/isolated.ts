import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type * as Esbuild from "esbuild";
import type { Logger } from "pino";
import type { HarkConfig } from "../config/schema.ts";
import { HandlerRevokedError } from "../errors.ts";
import type { IntentResult } from "../intents/define.ts";
import { HARK_MODULE_URL } from "../intents/load.ts";
import { ownModuleUrl } from "../paths.ts";
import { onFirstUse } from "../util/lazy.ts";
import type { TurnCapabilities } from "./revocable.ts";
import type { ResolvedWhen } from "../resolve/when.ts";

/** A turn for the worker: what its handler is given, less what lives in the main thread. */
export interface HandlerRequest {
    type: "run";
    id: number;
    args: Record<string, unknown>;
    text: string;
    room?: string;
    resolved: Record<string, ResolvedWhen | null>;
    config: HarkConfig;
}

/** Main thread → worker. */
export type HostMessage =
    | HandlerRequest
    | { type: "reply"; id: number; ok: true; value: unknown }
    | { type: "reply"; id: number; ok: false; error: { message: string; code?: string; name?: string } };

/** Worker → main thread. */
export type WorkerMessage =
    | { type: "ready" }
    | { type: "done"; id: number; result: unknown }
    | { type: "failed"; id: number; error: { message: string; code?: string | undefined; name?: string | undefined } }
    | { type: "call"; id: number; turn: number; path: string[]; args: unknown[] }
    | { type: "log"; turn: number; level: string; obj: unknown; msg: string };

/** A fetch response as it crosses to the worker. */
export interface SerializedResponse {
    status: number;
    statusText: string;
    headers: Array<[string, string]>;
    body: ArrayBuffer;
}

interface Turn {
    capabilities: TurnCapabilities;
    log: Logger;
    resolve(result: unknown): void;
    reject(error: Error): void;
}

const esbuild = onFirstUse<typeof Esbuild>("esbuild");

/** The worker's code and the light "hark" it gives intents, bundled once to JavaScript data URLs. */
let workerScripts: { entry: URL; api: string } | null = null;

function scripts(): { entry: URL; api: string } {
    const bundle = (file: string): string => {
        const built = esbuild().buildSync({ entryPoints: [fileURLToPath(ownModuleUrl(file, import.meta.url))], bundle: true, write: false, format: "esm", platform: "node", target: "node20", logLevel: "silent" });
        return `data:text/javascript;base64,${Buffer.from(built.outputFiles[0]!.text).toString("base64")}`;
    };
    workerScripts ??= { entry: new URL(bundle("./handler-worker.ts")), api: bundle("./worker-api.ts") };
    return workerScripts;
}

/**
 * One user intent's handler in a worker thread of its own: a throw at any time, a rejected promise, a loop that never
 * ends or a heap that grows without bound ends that worker (and the turn gets its apology) while hark goes on. Its
 * services are the main thread's, asked for by message for the turn that is running, so a late call is refused.
 * The worker is started at the first turn and again after it was ended.
 */
export class IsolatedIntent {
    private worker: Worker | null = null;
    private ready: Promise<void> | null = null;
    private readonly turns = new Map<number, Turn>();
    private nextTurn = 0;

    public constructor(private readonly intent: string, private readonly code: string, private readonly options: { heapMb: number; log: Logger }) {}

    /** Runs the handler for one turn; `signal` aborting (timeout, shutdown) ends the worker, whatever it is doing. */
    public async run(request: Omit<HandlerRequest, "type" | "id">, capabilities: TurnCapabilities, signal: AbortSignal, log: Logger): Promise<IntentResult | string> {
        const worker = this.start();
        await this.ready;
        const id = ++this.nextTurn;
        return new Promise<IntentResult | string>((resolve, reject) => {
            const onAbort = (): void => this.end(`the turn ${signal.reason instanceof Error ? signal.reason.message : "was cancelled"}`);
            this.turns.set(id, {
                capabilities, log,
                resolve: (result) => {
                    signal.removeEventListener("abort", onAbort);
                    resolve(result as IntentResult | string);
                },
                reject: (error) => {
                    signal.removeEventListener("abort", onAbort);
                    reject(error);
                }
            });
            if (signal.aborted) return onAbort();
            signal.addEventListener("abort", onAbort, { once: true });
            worker.postMessage({ type: "run", id, ...request } satisfies HostMessage);
        });
    }

    /** Ends the worker (its code stops wherever it is); the next turn starts a new one. */
    public end(why: string): void {
        const worker = this.worker;
        this.worker = null;
        this.ready = null;
        void worker?.terminate();
        this.failTurns(new Error(`intent ${this.intent}'s worker was ended: ${why}`));
    }

    private start(): Worker {
        if (this.worker) return this.worker;
        const { entry, api } = scripts();
        const worker = new Worker(entry, { workerData: { code: this.code, harkEntry: HARK_MODULE_URL, api }, resourceLimits: { maxOldGenerationSizeMb: this.options.heapMb }, stdout: false, stderr: false });
        worker.unref();
        this.worker = worker;
        this.ready = new Promise((resolve, reject) => {
            worker.once("message", (m: WorkerMessage) => (m.type === "ready" ? resolve() : reject(new Error("the worker did not start"))));
            worker.once("error", reject);
        });
        this.ready.catch(() => undefined);
        worker.on("message", (message: WorkerMessage) => void this.onMessage(worker, message));
        worker.on("error", (error) => {
            // A throw outside any turn's handler, or a heap over its limit: the worker is gone.
            this.options.log.error({ err: error, intent: this.intent }, `intent ${this.intent}'s code failed in its worker; the worker is ended and started again at the next turn`);
            if (this.worker === worker) this.end(error.message);
        });
        worker.on("exit", () => {
            if (this.worker === worker) this.end("it exited");
        });
        return worker;
    }

    private failTurns(error: Error): void {
        const turns = [...this.turns.values()];
        this.turns.clear();
        for (const turn of turns) turn.reject(error);
    }

    private async onMessage(worker: Worker, message: WorkerMessage): Promise<void> {
        if (message.type === "done" || message.type === "failed") {
            const turn = this.turns.get(message.id);
            this.turns.delete(message.id);
            if (message.type === "done") turn?.resolve(message.result);
            else turn?.reject(Object.assign(new Error(message.error.message), { code: message.error.code }));
        } else if (message.type === "log") {
            const log = this.turns.get(message.turn)?.log ?? this.options.log.child({ intent: this.intent });
            const write = (log as unknown as Record<string, (obj: unknown, msg: string) => void>)[message.level];
            write?.call(log, message.obj, message.msg);
        } else if (message.type === "call") {
            let reply: HostMessage;
            try {
                const value = await this.call(message.turn, message.path, message.args);
                reply = { type: "reply", id: message.id, ok: true, value };
            } catch (error) {
                const e = error as { message?: string; code?: string; name?: string };
                reply = { type: "reply", id: message.id, ok: false, error: { message: e.message ?? String(error), ...(e.code ? { code: e.code } : {}), ...(e.name ? { name: e.name } : {}) } };
            }
            if (this.worker === worker) worker.postMessage(reply);
        }
    }

    /** Runs a service call for a turn; one whose turn is over is refused, as in the main thread. */
    private async call(turnId: number, [root, service, method]: string[], args: unknown[]): Promise<unknown> {
        const turn = this.turns.get(turnId);
        const what = `${[root, service, method].filter(Boolean).join(".")}`;
        if (turn == null) throw new HandlerRevokedError(this.intent, what, "was over");
        const { services, state } = turn.capabilities;
        if (root === "services" && service === "fetch") {
            const [url, init] = args as [string, RequestInit];
            const response = await services.fetch(url, init);
            return { status: response.status, statusText: response.statusText, headers: [...response.headers.entries()], body: await response.arrayBuffer() } satisfies SerializedResponse;
        }
        const target = (root === "state" ? state : root === "services" && service ? (services as unknown as Record<string, unknown>)[service] : null) as Record<string, unknown> | null;
        const name = root === "state" ? service : method;
        const fn = target && name ? target[name] : undefined;
        if (typeof fn !== "function") throw new Error(`${what} is not something an intent can call`);
        const value: unknown = await (fn as (...a: unknown[]) => unknown).apply(target, args);
        // A playback cannot cross threads; what it is can.
        if (value != null && typeof value === "object" && "done" in value && "stop" in value) {
            const playback = value as unknown as { file: string; kind: string };
            return { file: playback.file, kind: playback.kind };
        }
        return value;
    }
}
