/** Turns text into speech audio. Engines live one per file beside this one. */
export interface Speaker {
    readonly name: string;
    /** Writes `text` as a WAV file at `outFile`. */
    synthesize(text: string, outFile: string, signal?: AbortSignal): Promise<void>;
}
