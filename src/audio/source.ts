import { bytesToSamples, durationMs } from "./pcm.ts";

/** Something that produces 16 kHz mono 16-bit audio: a microphone, a file, a pipe. */
export type AudioEvent =
    | { type: "start"; source: string }
    /** `samples` is 16 kHz mono; `timestampMs` is the stream time of its first sample. */
    | { type: "chunk"; samples: Int16Array; timestampMs: number }
    | { type: "stop"; reason: "end" | "aborted" };

/** Engines live one per file beside this one (`microphone.ts`, `file.ts`, `stdin.ts`). */
export interface AudioSource {
    readonly name: string;
    /**
     * Audio comes at the pace it is spoken (a microphone, a satellite) and goes on while hark works: the wake word is
     * then listened for during a turn too, and interrupts it. Absent or false (a file, a pipe): hark takes the audio
     * at its own pace, and a turn holds it up until it is done, so what follows in the file is heard after it.
     */
    readonly live?: boolean;
    /** Yields start, chunks, then stop. Ends on abort; a source that cannot recover throws. */
    stream(signal: AbortSignal): AsyncIterable<AudioEvent>;
}

/** Re-slices a byte stream of s16le PCM into fixed-size sample chunks, yielding typed events. */
export async function* pcmEvents(name: string, bytes: AsyncIterable<Buffer>, chunkSamples: number, signal: AbortSignal): AsyncIterable<AudioEvent> {
    yield { type: "start", source: name };
    let pending: Buffer = Buffer.alloc(0);
    let position = 0;
    const chunkBytes = chunkSamples * 2;
    for await (const data of bytes) {
        if (signal.aborted) break;
        pending = pending.length ? Buffer.concat([pending, data]) : data;
        while (pending.length >= chunkBytes) {
            const samples = bytesToSamples(pending.subarray(0, chunkBytes));
            pending = pending.subarray(chunkBytes);
            yield { type: "chunk", samples, timestampMs: durationMs(position) };
            position += chunkSamples;
        }
    }
    if (!signal.aborted && pending.length >= 2) {
        yield { type: "chunk", samples: bytesToSamples(pending), timestampMs: durationMs(position) };
    }
    yield { type: "stop", reason: signal.aborted ? "aborted" : "end" };
}
