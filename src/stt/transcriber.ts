import type { TemplateIntent } from "../template/index.ts";

/** What a transcriber heard. */
export interface Transcript {
    text: string;
    /** Engine name, e.g. `"grammar"` or `"whisper"`. */
    engine: string;
    /** How sure the engine is that this is what was said, 0..1; absent when it cannot tell. */
    confidence?: number;
    /** Engine-specific detail for the trace. */
    detail?: Record<string, unknown>;
}

/** Turns one utterance (16 kHz mono samples) into text. Engines live one per file beside this one. */
export interface Transcriber {
    readonly name: string;
    /** Adapts to the loaded intents (a grammar, a prompt); `slotValues` are known values of wildcard slots. */
    setIntents(intents: readonly TemplateIntent[], slotValues?: Readonly<Record<string, readonly string[]>>): void;
    transcribe(samples: Int16Array, signal?: AbortSignal): Promise<Transcript>;
    dispose(): Promise<void>;
}
