import type { ResolvedWhen } from "../resolve/when.ts";
import type { IntentSpec } from "../intents/types.ts";

/** What a recognizer understood: which intent, with which arguments, how sure, and which engine said so. */
export interface Recognition {
    intent: string;
    args: Record<string, unknown>;
    /** 0..1; 1 means an exact template match. */
    confidence: number;
    /** Engine name, e.g. `"template"` or `"llm"`. */
    source: string;
    /** Engine-specific detail for the trace (the template that matched, the raw model output, ...). */
    detail?: Record<string, unknown>;
    /** The intent's date arguments resolved to local start and end (set by the router; see `src/resolve`). */
    resolved?: Record<string, ResolvedWhen | null>;
}

/**
 * Turns text into an intent call. Engines live one per file beside this one; the router asks them in order.
 * `recognize` returns `null` for "no match".
 */
export interface Recognizer {
    readonly name: string;
    /** Rebuilds whatever the engine compiled from the intents (called on every intent reload). */
    setIntents(intents: readonly IntentSpec[]): void | Promise<void>;
    recognize(text: string, signal?: AbortSignal): Promise<Recognition | null>;
    dispose?(): void | Promise<void>;
}
