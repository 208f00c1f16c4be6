import { spawn } from "node:child_process";
import type { Logger } from "pino";
import { installHint, lastLine } from "../util/program.ts";
import { durationMs } from "./pcm.ts";
import { pcmEvents, type AudioEvent, type AudioSource } from "./source.ts";

/** Options for {@link MicrophoneSource}. */
export interface MicrophoneOptions {
    /** ALSA device, e.g. "default" or "plughw:1,0". */
    device: string;
    sampleRateHz: number;
    channels: number;
    /** First wait before reopening a failed device; doubles each time up to `retryMaxMs`. */
    retryInitialMs: number;
    retryMaxMs: number;
    log: Logger;
    /** Samples per chunk. Defaults to 1280 (80 ms). */
    chunkSamples?: number;
    /** A device that delivers nothing for this long while audio is wanted is reopened. Defaults to 5000 ms. */
    stallMs?: number;
    /** Told when capture fails and when it works again (the service shows it in `systemctl status hark`). */
    onStatus?: (status: string) => void;
}

/**
 * Captures from ALSA through arecord at the configured rate and channel count, converted to 16 kHz mono by sox when
 * they differ. A device that vanishes, is busy or stops delivering audio is reopened with exponential back-off and
 * logged, never a crash loop.
 */
export class MicrophoneSource implements AudioSource {
    public readonly name: string;
    public readonly live = true;

    public constructor(private readonly o: MicrophoneOptions) {
        this.name = `microphone:${o.device}`;
    }

    public async *stream(signal: AbortSignal): AsyncIterable<AudioEvent> {
        let waitMs = this.o.retryInitialMs;
        let position = 0;
        let failed = false;
        const stallMs = this.o.stallMs ?? 5000;
        while (!signal.aborted) {
            const started = Date.now();
            const rate = String(this.o.sampleRateHz);
            const channels = String(this.o.channels);
            const child = spawn("arecord", ["-q", "-D", this.o.device, "-f", "S16_LE", "-r", rate, "-c", channels, "-t", "raw"], { signal, stdio: ["ignore", "pipe", "pipe"] });
            let stderr = "";
            child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
            // A device that only offers e.g. 48 kHz stereo is captured as it is and converted by sox.
            let pcm: NodeJS.ReadableStream = child.stdout;
            if (this.o.sampleRateHz !== 16_000 || this.o.channels !== 1) {
                const convert = spawn("sox", ["-t", "raw", "-r", rate, "-c", channels, "-b", "16", "-e", "signed-integer", "-L", "-",
                    "-t", "raw", "-r", "16000", "-c", "1", "-b", "16", "-e", "signed-integer", "-L", "-"], { signal, stdio: ["pipe", "pipe", "ignore"] });
                convert.on("error", (error) => this.o.log.error({ err: error }, "sox (sample-rate conversion) failed"));
                child.stdout.pipe(convert.stdin);
                convert.stdin.on("error", () => undefined);
                pcm = convert.stdout;
            }
            let stalled = false;
            const exited = new Promise<string>((resolve) => {
                child.on("error", (error: NodeJS.ErrnoException) => resolve(error.code === "ENOENT" ? `arecord not found; ${installHint("arecord")}` : error.message));
                child.on("close", (code, sig) => resolve(stalled
                    ? `no audio from ${this.o.device} for ${stallMs} ms (the device stopped delivering)`
                    : lastLine(stderr) || `arecord exited with ${code ?? sig}`));
            });
            // The stall clock runs only while the consumer waits for audio, not while it is busy with a chunk.
            let stallTimer: NodeJS.Timeout | undefined;
            const armStall = (): void => {
                stallTimer = setTimeout(() => { stalled = true; child.kill("SIGTERM"); }, stallMs);
            };
            armStall();
            try {
                for await (const event of pcmEvents(this.name, pcm as AsyncIterable<Buffer>, this.o.chunkSamples ?? 1280, signal)) {
                    clearTimeout(stallTimer);
                    if (event.type === "chunk") {
                        if (failed) this.o.onStatus?.(`capturing from ${this.o.device} again`);
                        failed = false;
                        yield { ...event, timestampMs: durationMs(position) };
                        position += event.samples.length;
                    } else if (event.type === "start" && position === 0) {
                        yield event;
                    }
                    armStall();
                }
            } finally {
                clearTimeout(stallTimer);
            }
            const reason = await exited;
            if (signal.aborted) break;
            // A device that delivered audio for a while earns a fresh back-off.
            if (Date.now() - started > 60_000) waitMs = this.o.retryInitialMs;
            this.o.log.error({ device: this.o.device, reason, retryInMs: waitMs }, "microphone failed; retrying (check the device with: arecord -l, or run hark doctor)");
            this.o.onStatus?.(`microphone ${this.o.device} failed: ${reason}; retrying in ${Math.round(waitMs / 1000)} s`);
            failed = true;
            await new Promise<void>((resolve) => {
                const timer = setTimeout(resolve, waitMs);
                signal.addEventListener("abort", () => { clearTimeout(timer); resolve(); }, { once: true });
            });
            waitMs = Math.min(waitMs * 2, this.o.retryMaxMs);
        }
        yield { type: "stop", reason: "aborted" };
    }
}
