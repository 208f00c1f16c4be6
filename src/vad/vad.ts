/** Says how likely a short frame of 16 kHz audio is speech. Engines live one per file beside this one. */
export interface VoiceActivityDetector {
    readonly name: string;
    /** Samples per frame the engine takes. */
    readonly frameSamples: number;
    /** Speech probability of one frame, 0..1. Frames must come in stream order. */
    probability(frame: Int16Array): Promise<number>;
    reset(): void;
    dispose(): Promise<void>;
}
