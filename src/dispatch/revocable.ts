import type { Logger } from "pino";
import { HandlerRevokedError } from "../errors.ts";
import type { Services } from "../services/services.ts";
import type { StateStore } from "../state/store.ts";

/** What a handler is given for one turn, and the switch that takes it back. */
export interface TurnCapabilities {
    services: Services;
    state: StateStore;
    /** From now on every call through `services` or `state` is refused (and logged against the intent). */
    revoke(why: string): void;
}

/**
 * Wraps the shared services for one handler run: once revoked (the turn timed out, was cancelled or answered), a
 * late `player.play`, `timers.add`, `state.set` or `fetch` throws {@link HandlerRevokedError} instead of acting, and
 * a fetch still in flight is aborted.
 */
export function turnCapabilities(intent: string, services: Services, state: StateStore, log: Logger): TurnCapabilities {
    let revoked: string | null = null;
    const ended = new AbortController();
    /** The error for a call to `what` after the turn, logged against the intent. */
    const refusal = (what: string): HandlerRevokedError => {
        const error = new HandlerRevokedError(intent, what, revoked!);
        log.warn({ err: error }, "late call from a handler refused");
        return error;
    };
    const guard = <T extends object>(target: T, name: string): T => new Proxy(target, {
        get(object, key, receiver) {
            const value: unknown = Reflect.get(object, key, receiver);
            if (typeof value !== "function") return value;
            return (...args: unknown[]) => {
                if (revoked != null) {
                    const error = refusal(`${name}.${String(key)}`);
                    // An async method refuses the way it fails: with a rejected promise.
                    if ((value as { [Symbol.toStringTag]?: string })[Symbol.toStringTag] === "AsyncFunction") return Promise.reject(error);
                    throw error;
                }
                return (value as (...a: unknown[]) => unknown).apply(object, args);
            };
        }
    });
    const fetchForTurn: typeof fetch = (input, init) => {
        if (revoked != null) return Promise.reject(refusal("services.fetch"));
        return services.fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, ended.signal]) : ended.signal });
    };
    return {
        services: {
            player: guard(services.player, "services.player"),
            music: guard(services.music, "services.music"),
            timers: guard(services.timers, "services.timers"),
            volume: guard(services.volume, "services.volume"),
            fetch: fetchForTurn
        },
        state: guard(state, "state"),
        revoke(why) {
            revoked ??= why;
            ended.abort(new HandlerRevokedError(intent, "services.fetch", why));
        }
    };
}
