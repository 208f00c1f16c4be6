// One user intent's code, in a worker thread of its own (see isolated.ts): it imports the bundled intent, runs its
// handler for each turn it is sent, and reaches hark's services by asking the main thread, which may refuse. It is
// bundled to plain JavaScript before it starts, so a worker needs no TypeScript loader of its own.
import { parentPort, workerData } from "node:worker_threads";
import type { HandlerRequest, HostMessage, WorkerMessage, SerializedResponse } from "./isolated.ts";

interface Pending {
    resolve(value: unknown): void;
    reject(error: Error): void;
}

const port = parentPort!;
/** The intent's bundle, the URL it imports hark from, and the URL of what it gets instead (worker-api.ts, bundled). */
const { code, harkEntry, api } = workerData as { code: string; harkEntry: string; api: string };
const calls = new Map<number, Pending>();
let nextCall = 0;

const send = (message: WorkerMessage): void => port.postMessage(message);

/** Asks the main thread to run `path` (["services", "timers", "add"]) with `args` for turn `turn`. */
function call(turn: number, path: string[], args: unknown[]): Promise<unknown> {
    const id = ++nextCall;
    return new Promise((resolve, reject) => {
        calls.set(id, { resolve, reject });
        send({ type: "call", id, turn, path, args });
    });
}

/**
 * `services`, `services.timers`, `services.timers.add`: each a proxy; calling one is a question to the main thread
 * (so every call returns a promise).
 */
function remote(turn: number, base: string[]): unknown {
    return new Proxy(() => undefined, {
        get: (_target, key) => (typeof key === "symbol" || key === "then" ? undefined : remote(turn, [...base, key])),
        apply: (_target, _this, args: unknown[]) => call(turn, base, args)
    });
}

function log(turn: number): unknown {
    const write = (level: string) => (obj: unknown, msg?: string) => send({ type: "log", turn, level, obj: typeof obj === "string" ? {} : structuredCloneSafe(obj), msg: typeof obj === "string" ? obj : msg ?? "" });
    const logger: Record<string, unknown> = { trace: write("trace"), debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error"), fatal: write("fatal") };
    logger.child = () => logger;
    return logger;
}

function structuredCloneSafe(value: unknown): unknown {
    try {
        return structuredClone(value);
    } catch {
        return { value: String(value) };
    }
}

async function fetchThrough(turn: number, input: unknown, init: RequestInit = {}): Promise<Response> {
    const url = input instanceof Request ? input.url : String(input);
    const { signal: _signal, ...rest } = init;
    const headers = rest.headers ? [...new Headers(rest.headers).entries()] : undefined;
    const r = (await call(turn, ["services", "fetch"], [url, { ...rest, ...(headers ? { headers } : {}) }])) as SerializedResponse;
    return new Response(r.body, { status: r.status, statusText: r.statusText, headers: r.headers });
}

// The intent's `import ... from "hark"` points at hark's whole public module; here it gets the light one.
const moduleUrl = `data:text/javascript;base64,${Buffer.from(code.replaceAll(JSON.stringify(harkEntry), JSON.stringify(api))).toString("base64")}`;
const loaded = (await import(moduleUrl)) as { default: { handler: (context: unknown) => unknown } };

async function run(request: HandlerRequest): Promise<void> {
    // At a timeout the main thread ends this worker rather than asking the handler to stop, so the signal never fires.
    const signal = new AbortController().signal;
    const services = remote(request.id, ["services"]) as Record<string, unknown>;
    const context = {
        args: request.args, text: request.text, ...(request.room ? { room: request.room } : {}), resolved: request.resolved, config: request.config, signal, log: log(request.id),
        state: remote(request.id, ["state"]),
        services: new Proxy(services, { get: (target, key) => (key === "fetch" ? (input: unknown, init?: RequestInit) => fetchThrough(request.id, input, init) : Reflect.get(target, key)) })
    };
    try {
        const result = await loaded.default.handler(context);
        send({ type: "done", id: request.id, result: structuredClone(result) });
    } catch (error) {
        const e = error as { message?: string; code?: string; name?: string };
        send({ type: "failed", id: request.id, error: { message: e.message ?? String(error), code: e.code, name: e.name } });
    }
}

port.on("message", (message: HostMessage) => {
    if (message.type === "run") void run(message);
    else if (message.type === "reply") {
        const pending = calls.get(message.id);
        calls.delete(message.id);
        if (message.ok) pending?.resolve(message.value);
        else pending?.reject(Object.assign(new Error(message.error.message), { code: message.error.code, name: message.error.name ?? "Error" }));
    }
});
send({ type: "ready" });
