import type { Logger } from "pino";
import type { HarkConfig } from "../config/schema.ts";
import path from "node:path";
import { ArgumentsInvalidError, errorMessage, ExternalProgramError, HandlerTimeoutError, HarkError } from "../errors.ts";
import type { LoadedIntent } from "../intents/compile.ts";
import type { Services } from "../services/services.ts";
import type { StateStore } from "../state/store.ts";
import { turnCapabilities } from "./revocable.ts";

/** What running a handler came to. A failure still carries words to speak. */
export interface DispatchOutcome {
    ok: boolean;
    speech: string;
    data?: unknown;
    /** Arguments after validation (defaults filled in). */
    args: Record<string, unknown>;
    error?: { code: string; message: string };
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

/** Validates arguments and runs handlers with a timeout; no handler, however broken, can take hark down. */
export class Dispatcher {
    public constructor(private readonly options: DispatcherOptions) {}

    public async dispatch(intent: LoadedIntent, rawArgs: Record<string, unknown>, text: string, signal?: AbortSignal): Promise<DispatchOutcome> {
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
            const run = Promise.resolve().then(() => intent.handler({
                args, text, signal: controller.signal, log,
                state: capabilities.state, services: capabilities.services, config: this.options.config
            }));
            // A handler that ignores its signal keeps running, but the turn goes on without it.
            run.catch(() => undefined);
            const result = await Promise.race([run, timeout]);
            const outcome = typeof result === "string" ? { speech: result } : result;
            if (outcome == null || typeof outcome.speech !== "string") {
                throw new HarkError("HARK_HANDLER_RESULT", `handler returned ${JSON.stringify(outcome)}; return a string or { speech }`);
            }
            return { ok: true, args, speech: outcome.speech, ...(outcome.data !== undefined ? { data: outcome.data } : {}) };
        } catch (error) {
            const code = error instanceof HarkError ? error.code : "HARK_HANDLER_FAILED";
            log.error({ err: error, args }, "handler failed");
            const speech = error instanceof HandlerTimeoutError
                ? "Sorry, that took too long, so I gave up."
                : error instanceof ExternalProgramError
                    ? `Sorry, I couldn't do that because the program ${path.basename(error.program)} failed. The log says why.`
                    : "Sorry, something went wrong while I was trying to do that.";
            return { ok: false, args, speech, error: { code, message: errorMessage(error) } };
        } finally {
            clearTimeout(timer);
            signal?.removeEventListener("abort", onParentAbort);
            capabilities.revoke(controller.signal.reason instanceof HandlerTimeoutError ? "timed out" : controller.signal.aborted ? "was cancelled" : "was over");
        }
    }
}
