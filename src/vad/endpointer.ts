import { concatSamples, durationMs, meanPower, powerDbfs, samplesIn } from "../audio/pcm.ts";
import type { VoiceActivityDetector } from "./vad.ts";

/** Options for {@link Endpointer}. */
export interface EndpointerOptions {
    /** Probability at or above which a frame is speech. Defaults to 0.5. */
    speechThreshold?: number;
    /** Silence after speech that ends the utterance. Defaults to 700 ms. */
    endSilenceMs?: number;
    /**
     * Silence after the last speech kept at the end of the utterance; the rest of the `endSilenceMs` wait is not
     * handed on. Once this much silence follows speech, a `pause` event carries the utterance as it will be if the
     * silence goes on, so it can be decoded while the endpointer still waits. Defaults to 200 ms.
     */
    keepSilenceMs?: number;
    /** Audio kept from before speech starts, so the first syllable is not cut. Defaults to 300 ms. */
    preRollMs?: number;
    /** Speech shorter than this is a noise, not an utterance. Defaults to 250 ms. */
    minSpeechMs?: number;
    /** An utterance is cut off at this length. Defaults to 10 000 ms. */
    maxUtteranceMs?: number;
    /** Give up when no speech starts within this time. Defaults to 5000 ms. */
    noSpeechTimeoutMs?: number;
    /**
     * A frame counts as speech only when it is also this much louder than the room's background. A TV or other people
     * talking sound like speech to the VAD; without this the utterance runs on through them to the maximum length.
     * Defaults to 10 dB; 0 turns it off.
     */
    noiseMarginDb?: number;
    /** The room's level before the wake word (dBFS); unknown (null): the margin is not applied. */
    backgroundDbfs?: number | null;
}

/** Frames a level is smoothed over (about 100 ms). */
const SMOOTHING_FRAMES = 3;

/** What the endpointer decided about the audio so far. */
export type EndpointEvent =
    | { type: "speech-start"; atMs: number }
    /** The speaker paused: if nothing more is said, the utterance will be `samples` (this very array). */
    | { type: "pause"; samples: Int16Array }
    | { type: "utterance"; samples: Int16Array; reason: "silence" | "max-length"; speechMs: number }
    | { type: "no-speech" };

/**
 * Finds one utterance in a stream: waits for speech, keeps a pre-roll, ends after enough silence or at the maximum
 * length, and reports "no speech" when nobody talks. Feed it audio after the wake word; make a new one per turn.
 */
export class Endpointer {
    private readonly o: Required<EndpointerOptions>;
    private pending = new Int16Array(0);
    private readonly preRoll: Int16Array[] = [];
    private readonly speech: Int16Array[] = [];
    private elapsedMs = 0;
    private speaking = false;
    private speechMs = 0;
    private silenceMs = 0;
    private done = false;
    /** The utterance as of the pause in progress (see {@link EndpointerOptions.keepSilenceMs}); null while speech goes on. */
    private paused: Int16Array | null = null;
    /** The last frames' power, for the smoothed level. */
    private readonly powers: number[] = [];

    public constructor(private readonly vad: VoiceActivityDetector, options: EndpointerOptions = {}) {
        this.o = {
            speechThreshold: options.speechThreshold ?? 0.5,
            endSilenceMs: options.endSilenceMs ?? 700,
            keepSilenceMs: options.keepSilenceMs ?? 200,
            preRollMs: options.preRollMs ?? 300,
            minSpeechMs: options.minSpeechMs ?? 250,
            maxUtteranceMs: options.maxUtteranceMs ?? 10_000,
            noSpeechTimeoutMs: options.noSpeechTimeoutMs ?? 5000,
            noiseMarginDb: options.noiseMarginDb ?? 10,
            backgroundDbfs: options.backgroundDbfs ?? null
        };
        vad.reset();
    }

    /** Feeds audio; returns what it completed (at most one utterance or no-speech, after which it is done). */
    public async push(samples: Int16Array): Promise<EndpointEvent[]> {
        const events: EndpointEvent[] = [];
        if (this.done) return events;
        const all = concatSamples([this.pending, samples]);
        const n = this.vad.frameSamples;
        const frameMs = durationMs(n);
        let offset = 0;
        for (; offset + n <= all.length && !this.done; offset += n) {
            const frame = all.slice(offset, offset + n);
            // Every frame goes into the smoothed level, whatever the VAD says of it.
            const loud = this.aboveBackground(frame);
            const isSpeech = (await this.vad.probability(frame)) >= this.o.speechThreshold && loud;
            this.elapsedMs += frameMs;
            if (!this.speaking) {
                this.preRoll.push(frame);
                while (this.preRoll.length * n > samplesIn(this.o.preRollMs)) this.preRoll.shift();
                if (isSpeech) {
                    this.speaking = true;
                    this.speechMs = frameMs;
                    this.silenceMs = 0;
                    this.speech.push(...this.preRoll.splice(0));
                    events.push({ type: "speech-start", atMs: this.elapsedMs - frameMs });
                } else if (this.elapsedMs >= this.o.noSpeechTimeoutMs) {
                    this.done = true;
                    events.push({ type: "no-speech" });
                }
                continue;
            }
            this.speech.push(frame);
            if (isSpeech) {
                this.speechMs += frameMs + this.silenceMs;
                this.silenceMs = 0;
                this.paused = null;
            } else {
                this.silenceMs += frameMs;
                if (this.paused == null && this.silenceMs >= this.o.keepSilenceMs && this.o.keepSilenceMs < this.o.endSilenceMs && this.speechMs >= this.o.minSpeechMs) {
                    this.paused = concatSamples(this.speech);
                    events.push({ type: "pause", samples: this.paused });
                }
            }
            const lengthMs = durationMs(this.speech.length * n);
            if (this.silenceMs >= this.o.endSilenceMs) {
                if (this.speechMs < this.o.minSpeechMs) {
                    // A click or a cough: forget it and keep waiting for real speech.
                    this.speaking = false;
                    this.speech.length = 0;
                    this.paused = null;
                    continue;
                }
                this.done = true;
                events.push({ type: "utterance", samples: this.paused ?? concatSamples(this.speech), reason: "silence", speechMs: this.speechMs });
            } else if (lengthMs >= this.o.maxUtteranceMs) {
                this.done = true;
                events.push({ type: "utterance", samples: concatSamples(this.speech), reason: "max-length", speechMs: this.speechMs });
            }
        }
        this.pending = all.slice(offset);
        return events;
    }

    /** Whether `frame` stands out from the background by the margin (always, without a margin or a background). */
    private aboveBackground(frame: Int16Array): boolean {
        if (this.o.noiseMarginDb <= 0 || this.o.backgroundDbfs == null) return true;
        this.powers.push(meanPower(frame));
        if (this.powers.length > SMOOTHING_FRAMES) this.powers.shift();
        return powerDbfs(this.powers.reduce((a, b) => a + b, 0) / this.powers.length) >= this.o.backgroundDbfs + this.o.noiseMarginDb;
    }

    /** Ends the stream: an utterance in progress is returned as it is, otherwise "no speech". */
    public finish(): EndpointEvent[] {
        if (this.done) return [];
        this.done = true;
        if (this.speaking && this.speechMs >= this.o.minSpeechMs) return [{ type: "utterance", samples: this.paused ?? concatSamples(this.speech), reason: "silence", speechMs: this.speechMs }];
        return [{ type: "no-speech" }];
    }
}
