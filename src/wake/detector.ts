/** A wake word heard at a point in the stream. */
export interface WakeDetection {
    keyword: string;
    /** Model score, 0..1. */
    score: number;
    /** Stream time of the end of the frame that fired. */
    timestampMs: number;
}

/**
 * Listens for a wake word in 16 kHz mono audio. Engines live one per file beside this one.
 * `process` takes chunks of any size and returns the detections they completed.
 */
export interface WakeWordDetector {
    readonly name: string;
    readonly keyword: string;
    /**
     * `thresholdScore`: the score a detection needs for these samples, in place of the engine's own (hark asks for
     * less while its own playback masks the wake word); an engine with no score to compare ignores it.
     */
    process(samples: Int16Array, timestampMs: number, thresholdScore?: number): Promise<WakeDetection[]>;
    /** Forgets buffered audio (after a detection, or when listening resumes after hark spoke). */
    reset(): void;
    dispose(): Promise<void>;
}
