import type { Logger } from "pino";
import type { HarkConfig } from "../config/schema.ts";
import path from "node:path";
import { ArgumentsInvalidError, errorMessage, ExternalProgramError, HandlerTimeoutError, HarkError } from "../errors.ts";
import type { LoadedIntent } from "../intents/compile.ts";
import type { Services } from "../services/services.ts";
import type { StateStore } from "../state/store.ts";
import { isBuiltinIntent } from "../paths.ts";
import { IsolatedIntent } from "./isolated.ts";
import { turnCapabilities } from "./revocable.ts";
import type { ResolvedWhen } from "../resolve/when.ts";
import type { TraceError } from "../trace/trace.ts";

/** What running a handler came to. A failure still carries words to speak. */
export interface DispatchOutcome {
    ok: boolean;
    speech: string;
    data?: unknown;
    /** Arguments after validation (defaults filled in). */
    args: Record<string, unknown>;
    error?: TraceError;
}

/** Options for {@link Dispatcher}. */
export interface DispatcherOptions {
    /** Default handler time limit. */
    timeoutMs: number;
    log: Logger;
    services: Services;
    state: StateStore;
    config: HarkConfig;
}

/**
 * Validates arguments and runs handlers with a timeout; no handler, however broken, can take hark down. A user's code
 * intent runs in a worker thread of its own (`dispatch.isolation`), ended at its timeout.
 */
export class Dispatcher {
    /** The worker of each isolated intent, with the loaded intent it was made for (a reload makes a new one). */
    private readonly isolated = new Map<string, { intent: LoadedIntent; worker: IsolatedIntent }>();

    public constructor(private readonly options: DispatcherOptions) {}

    /** Ends every intent's worker. */
    public dispose(): void {
        for (const { worker } of this.isolated.values()) worker.end("hark is stopping");
        this.isolated.clear();
    }

    /** The worker to run `intent` in, or null to run it in this thread (hark's own intents, YAML, isolation off). */
    private workerFor(intent: LoadedIntent): IsolatedIntent | null {
        const { dispatch } = this.options.config;
        if (dispatch.isolation !== "worker" || intent.bundle == null || isBuiltinIntent(intent.file)) return null;
        const known = this.isolated.get(intent.spec.name);
        if (known?.intent === intent) return known.worker;
        known?.worker.end("its file was loaded again");
        const worker = new IsolatedIntent(intent.spec.name, intent.bundle, { heapMb: dispatch.workerHeapMb, log: this.options.log });
        this.isolated.set(intent.spec.name, { intent, worker });
        return worker;
    }

    /**
     * Runs the intent's handler on a call; `turn.resolved` holds its `dates` arguments resolved (see `src/resolve`),
     * `turn.room` the room it was heard in.
     */
    public async dispatch(intent: LoadedIntent, rawArgs: Record<string, unknown>, text: string, turn: { signal?: AbortSignal; resolved?: Record<string, ResolvedWhen | null>; room?: string } = {}): Promise<DispatchOutcome> {
        const { signal, resolved = {}, room } = turn;
        const name = intent.spec.name;
        const log = this.options.log.child({ intent: name });
        const args = structuredClone(rawArgs);
        const invalid = intent.checkArgs(args);
        if (invalid != null) {
            const error = new ArgumentsInvalidError(name, invalid);
            log.warn({ err: error, args: rawArgs }, "arguments rejected");
            return { ok: false, args, speech: "Sorry, I didn't catch all the details for that. Could you say it again?", error: { code: error.code, message: error.message } };
        }

        const timeoutMs = intent.timeoutMs ?? this.options.timeoutMs;
        const controller = new AbortController();
        const onParentAbort = (): void => controller.abort(signal?.reason);
        signal?.addEventListener("abort", onParentAbort, { once: true });
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<never>((_, reject) => {
            timer = setTimeout(() => {
                const error = new HandlerTimeoutError(name, timeoutMs);
                controller.abort(error);
                reject(error);
            }, timeoutMs);
        });
        // The handler's services are its own for this turn only: a late play, timer or fetch is refused.
        const capabilities = turnCapabilities(name, this.options.services, this.options.state, log);
        try {
            const worker = this.workerFor(intent);
            const run = Promise.resolve().then(() => worker
                ? worker.run({ args, text, resolved, ...(room ? { room } : {}), config: this.options.config }, capabilities, controller.signal, log)
                : intent.handler({ args, text, resolved, ...(room ? { room } : {}), signal: controller.signal, log, state: capabilities.state, services: capabilities.services, config: this.options.config }));
            // A handler that ignores its signal keeps running, but the turn goes on without it.
            run.catch(() => undefined);
            const result = await Promise.race([run, timeout]);
            const outcome = typeof result === "string" ? { speech: result } : result;
            if (outcome == null || typeof outcome.speech !== "string") {
                throw new HarkError("HARK_HANDLER_RESULT", `handler returned ${JSON.stringify(outcome)}; return a string or { speech }`);
            }
            return { ok: true, args, speech: outcome.speech, ...(outcome.data !== undefined ? { data: outcome.data } : {}) };
        } catch (error) {
            if (signal?.aborted && !(error instanceof HandlerTimeoutError)) {
                // The turn was called off (the wake word was heard again, hark is stopping): no failure, nothing to say.
                log.info({ reason: errorMessage(signal.reason) }, "handler stopped: its turn was called off");
                return { ok: false, args, speech: "", error: { code: "HARK_TURN_CANCELLED", message: `the turn was called off: ${errorMessage(signal.reason)}` } };
            }
            const code = error instanceof HarkError ? error.code : "HARK_HANDLER_FAILED";
            log.error({ err: error, args }, "handler failed");
            const speech = error instanceof HandlerTimeoutError
                ? "Sorry, that took too long, so I gave up."
                : error instanceof ExternalProgramError
                    ? `Sorry, I couldn't do that because the program ${path.basename(error.program)} failed. The log says why.`
                    : (error as NodeJS.ErrnoException).code === "ENOSPC"
                        ? "Sorry, I couldn't do that: the disk I keep my files on is full."
                        : "Sorry, something went wrong while I was trying to do that.";
            const detail = error instanceof HarkError ? error.detail : undefined;
            return { ok: false, args, speech, error: { code, message: errorMessage(error), ...(detail ? { detail } : {}) } };
        } finally {
            clearTimeout(timer);
            signal?.removeEventListener("abort", onParentAbort);
            capabilities.revoke(controller.signal.reason instanceof HandlerTimeoutError ? "timed out" : controller.signal.aborted ? "was cancelled" : "was over");
        }
    }
}
