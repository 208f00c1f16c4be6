import { spawn } from "node:child_process";
import type { Logger } from "pino";
import { installHint, lastLine } from "../util/program.ts";
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
}

/**
 * Captures from ALSA through arecord. The device is opened at 16 kHz mono (ALSA's plug layer converts); a device
 * that vanishes or is busy is reopened with exponential back-off and logged, never a crash loop.
 */
export class MicrophoneSource implements AudioSource {
    public readonly name: string;

    public constructor(private readonly o: MicrophoneOptions) {
        this.name = `microphone:${o.device}`;
    }

    public async *stream(signal: AbortSignal): AsyncIterable<AudioEvent> {
        let waitMs = this.o.retryInitialMs;
        let position = 0;
        while (!signal.aborted) {
            const started = Date.now();
            const child = spawn("arecord", ["-q", "-D", this.o.device, "-f", "S16_LE", "-r", "16000", "-c", "1", "-t", "raw"], { signal, stdio: ["ignore", "pipe", "pipe"] });
            let stderr = "";
            child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
            const exited = new Promise<string>((resolve) => {
                child.on("error", (error: NodeJS.ErrnoException) => resolve(error.code === "ENOENT" ? `arecord not found; ${installHint("arecord")}` : error.message));
                child.on("close", (code, sig) => resolve(lastLine(stderr) || `arecord exited with ${code ?? sig}`));
            });
            for await (const event of pcmEvents(this.name, child.stdout, this.o.chunkSamples ?? 1280, signal)) {
                if (event.type === "chunk") {
                    yield { ...event, timestampMs: (position / 16_000) * 1000 };
                    position += event.samples.length;
                } else if (event.type === "start" && position === 0) {
                    yield event;
                }
            }
            const reason = await exited;
            if (signal.aborted) break;
            // A device that delivered audio for a while earns a fresh back-off.
            if (Date.now() - started > 60_000) waitMs = this.o.retryInitialMs;
            this.o.log.error({ device: this.o.device, reason, retryInMs: waitMs }, "microphone failed; retrying (check the device with: arecord -l)");
            await new Promise<void>((resolve) => {
                const timer = setTimeout(resolve, waitMs);
                signal.addEventListener("abort", () => { clearTimeout(timer); resolve(); }, { once: true });
            });
            waitMs = Math.min(waitMs * 2, this.o.retryMaxMs);
        }
        yield { type: "stop", reason: "aborted" };
    }
}
