import { pcmEvents, type AudioEvent, type AudioSource } from "./source.ts";

/** Raw 16 kHz mono signed 16-bit little-endian PCM on a stream (stdin by default): `arecord -f S16_LE -r 16000 | hark run --stdin`. */
export class PcmStreamSource implements AudioSource {
    public readonly name = "stdin";

    public constructor(private readonly input: NodeJS.ReadableStream = process.stdin, private readonly chunkSamples = 1280) {}

    public stream(signal: AbortSignal): AsyncIterable<AudioEvent> {
        return pcmEvents(this.name, this.input as AsyncIterable<Buffer>, this.chunkSamples, signal);
    }
}
