/**
 * A stage between the microphone and everything that listens (wake word, VAD, recognizer): it takes 16 kHz mono audio
 * in chunks of any size and gives back as many samples as it took, a fixed few milliseconds late. Engines live one
 * per file beside this one.
 */
export interface AudioFrontEnd {
    readonly name: string;
    /** Cleans a chunk; the result has the chunk's length. */
    process(samples: Int16Array): Int16Array;
    /**
     * Forgets the stream so far (a new stream begins). `live`: its audio arrives as it is spoken (a microphone, a
     * satellite), so a stage that follows the clock (the echo canceller) can; false for a file or a pipe read at
     * hark's own pace, which no speaker of this machine was heard in. Absent: live.
     */
    reset(stream?: { live?: boolean }): void;
    dispose(): void;
}

/** Several front ends one after another (the echo taken out before the noise); null for none. */
export function chainFrontEnds(stages: readonly AudioFrontEnd[]): AudioFrontEnd | null {
    if (stages.length <= 1) return stages[0] ?? null;
    return {
        name: stages.map((s) => s.name).join("+"),
        process: (samples) => stages.reduce((audio, stage) => stage.process(audio), samples),
        reset: (stream) => stages.forEach((s) => s.reset(stream)),
        dispose: () => stages.forEach((s) => s.dispose())
    };
}
