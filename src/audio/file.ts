import { spawn } from "node:child_process";
import fs from "node:fs";
import { HarkError } from "../errors.ts";
import { installHint, lastLine } from "../util/program.ts";
import { concatSamples, durationMs } from "./pcm.ts";
import { pcmEvents, type AudioEvent, type AudioSource } from "./source.ts";

/** Options for {@link FileSource}. */
export interface FileSourceOptions {
    /** Samples per chunk. Defaults to 1280 (80 ms, openWakeWord's frame). */
    chunkSamples?: number;
    /** Append this much silence after the file, so an utterance at the very end still gets its end-of-speech. Defaults to 1000 ms. */
    trailingSilenceMs?: number;
    /** Hand each chunk on when it would have been heard (as a microphone does), not as fast as it is read. Defaults to `false`. */
    realtime?: boolean;
}

/** Reads an audio file of any common rate, channel count or format (WAV, FLAC, MP3 ...) through sox, as 16 kHz mono. */
export class FileSource implements AudioSource {
    public readonly name: string;
    /** At the pace it was recorded, a file is heard as a microphone would hear it. */
    public readonly live: boolean;

    public constructor(private readonly file: string, private readonly options: FileSourceOptions = {}) {
        this.name = `file:${file}`;
        this.live = options.realtime ?? false;
    }

    public async *stream(signal: AbortSignal): AsyncIterable<AudioEvent> {
        if (!fs.existsSync(this.file)) throw new HarkError("HARK_AUDIO_FILE", `audio file ${this.file} does not exist`);
        const padSeconds = String((this.options.trailingSilenceMs ?? 1000) / 1000);
        // -R: sox dithers when it converts (and when it pads), from a random seed unless told otherwise; the same file
        // must give the same samples every time, or an evaluation moves without a change.
        const child = spawn("sox", ["-V1", "-R", this.file, "-t", "raw", "-r", "16000", "-c", "1", "-b", "16", "-e", "signed-integer", "-L", "-", "pad", "0", padSeconds], { signal, stdio: ["ignore", "pipe", "pipe"] });
        let stderr = "";
        child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
        const exited = new Promise<number | null>((resolve, reject) => {
            child.on("error", (error: NodeJS.ErrnoException) => {
                if (error.name === "AbortError") resolve(null);
                else reject(new HarkError("HARK_AUDIO_FILE", error.code === "ENOENT" ? `sox not found; ${installHint("sox")}` : error.message));
            });
            child.on("close", (code) => resolve(code));
        });
        exited.catch(() => undefined);
        const events = pcmEvents(this.name, child.stdout, this.options.chunkSamples ?? 1280, signal);
        yield* this.options.realtime ? paced(events) : events;
        const code = await exited;
        if (code !== 0 && code !== null && !signal.aborted) {
            throw new HarkError("HARK_AUDIO_FILE", `cannot read ${this.file}: ${lastLine(stderr) || `sox exited with ${code}`}`);
        }
    }
}

/** Reads a whole audio file as 16 kHz mono samples. */
export async function readAudioFile(file: string, signal = new AbortController().signal): Promise<Int16Array> {
    const chunks: Int16Array[] = [];
    for await (const event of new FileSource(file, { chunkSamples: 16_000, trailingSilenceMs: 0 }).stream(signal)) {
        if (event.type === "chunk") chunks.push(event.samples);
    }
    return concatSamples(chunks);
}

/** Audio events at the pace they were recorded: each chunk when its last sample would have been heard. */
async function* paced(events: AsyncIterable<AudioEvent>): AsyncIterable<AudioEvent> {
    const started = performance.now();
    for await (const event of events) {
        if (event.type === "chunk") {
            const due = started + event.timestampMs + durationMs(event.samples.length);
            const wait = due - performance.now();
            if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        }
        yield event;
    }
}
