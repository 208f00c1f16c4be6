import { execFile } from "node:child_process";
import { PassThrough } from "node:stream";
import { promisify } from "node:util";
import type { Logger } from "pino";
import { PcmChunkConverter } from "../audio/convert.ts";
import { RoomOutput } from "../audio/output.ts";
import type { Playback, PlaybackKind, Player } from "../audio/player.ts";
import { pcmEvents, type AudioEvent, type AudioSource } from "../audio/source.ts";
import type { HarkConfig } from "../config/schema.ts";
import { errorMessage } from "../errors.ts";
import { remainingMs, type TimerChange, type TimerService } from "../services/timers.ts";
import type { Transcriber } from "../stt/transcriber.ts";
import type { TraceRecord } from "../trace/trace.ts";
import { WyomingConnection } from "../wyoming/connection.ts";
import { createRoomEngines, createVoicePipeline, type VoiceEngines } from "./voice-setup.ts";
import type { VoicePipeline, VoiceTurns } from "./voice.ts";

const run = promisify(execFile);

/** One satellite from the config. */
export interface SatelliteConfig {
    name: string;
    uri: string;
}

/** What the hub needs: the shared engines (each room makes its own wake-word detector and VAD from the config: they hold audio). */
export interface SatelliteHubOptions {
    config: HarkConfig;
    /** Understands and acts on what each room heard (the turn names its room). */
    turns: VoiceTurns;
    /** The timers, so that each room's satellite is told of those set there. */
    timers: Pick<TimerService, "onChange">;
    transcriber: Transcriber;
    log: Logger;
    /** First wait before connecting again to a satellite that is unreachable or hung up; doubles up to `retryMaxMs`. Defaults to 1 s and 30 s. */
    retryInitialMs?: number;
    retryMaxMs?: number;
}

/** How a room is doing, for logs, tests and (later) the web page. */
export type SatelliteStatus = "connecting" | "streaming" | "disconnected";

/**
 * hark as the hub of Wyoming satellites (wyoming-satellite on a Pi Zero 2 W): it connects to each configured
 * satellite, starts it (`run-satellite`), and runs a voice loop per room on the audio it streams — wake word (unless the
 * satellite heard it), endpointing, the shared recognizer, the intents — and plays each reply on that room's speaker.
 */
export class SatelliteHub {
    private readonly controller = new AbortController();
    private readonly rooms: Room[];
    private readonly running: Promise<void>[];

    private readonly stopWatchingTimers: () => void;

    private constructor(satellites: readonly SatelliteConfig[], options: SatelliteHubOptions) {
        this.rooms = satellites.map((s) => new Room(s, options));
        this.running = this.rooms.map((room) => room.run(this.controller.signal));
        // A satellite shows the timers set in its room (wyoming-satellite runs its timer commands and sounds).
        this.stopWatchingTimers = options.timers.onChange((change) => {
            if (change.timer.room) this.rooms.find((r) => r.name === change.timer.room)?.tellTimer(change);
        });
    }

    /** Starts connecting to every satellite (in the background; an unreachable one is retried, the others go on). */
    public static start(satellites: readonly SatelliteConfig[], options: SatelliteHubOptions): SatelliteHub {
        const names = new Set<string>();
        for (const s of satellites) {
            if (names.has(s.name)) throw new Error(`two satellites are named ${s.name}; give each room its own name`);
            names.add(s.name);
        }
        return new SatelliteHub(satellites, options);
    }

    /** Each room's status by name. */
    public status(): Record<string, SatelliteStatus> {
        return Object.fromEntries(this.rooms.map((r) => [r.name, r.status]));
    }

    /** The named room's speaker (a timer that was set there rings there); `null` when its satellite is not connected now. */
    public outputIn(room: string): RoomOutput | null {
        return this.rooms.find((r) => r.name === room)?.output ?? null;
    }

    /** Called with every finished turn of every room (its record names the room). */
    public onTurn(listener: (record: TraceRecord) => void): void {
        for (const room of this.rooms) room.turnListeners.push(listener);
    }

    /** Called with each room's voice loop when its satellite connects (a new loop for every connection). */
    public onPipeline(listener: (room: string, pipeline: VoicePipeline) => void): void {
        for (const room of this.rooms) room.pipelineListeners.push(listener);
    }

    /** Disconnects from every satellite and stops their loops (safe twice). */
    public async dispose(): Promise<void> {
        this.stopWatchingTimers();
        this.controller.abort();
        await Promise.all(this.running);
    }
}

/** One satellite's room: its connection (kept up), its voice loop and its speaker. */
class Room {
    public status: SatelliteStatus = "connecting";
    /** The satellite's speaker while it is connected. */
    public output: RoomOutput | null = null;
    private connection: WyomingConnection | null = null;
    public readonly turnListeners: Array<(record: TraceRecord) => void> = [];
    public readonly pipelineListeners: Array<(room: string, pipeline: VoicePipeline) => void> = [];
    public readonly name: string;
    private readonly log: Logger;

    public constructor(private readonly satellite: SatelliteConfig, private readonly o: SatelliteHubOptions) {
        this.name = satellite.name;
        this.log = o.log.child({ room: satellite.name });
    }

    /** Connects, streams until the satellite goes away, and connects again after a growing wait, until `signal` aborts. */
    public async run(signal: AbortSignal): Promise<void> {
        const engines = await createRoomEngines(this.o.config);
        let waitMs = this.o.retryInitialMs ?? 1000;
        try {
            while (!signal.aborted) {
                this.status = "connecting";
                try {
                    const connection = await WyomingConnection.connect(this.satellite.uri, { signal, timeoutMs: 10_000 });
                    waitMs = this.o.retryInitialMs ?? 1000;
                    await this.serve(connection, engines, signal);
                    // wyoming-satellite serves one server at a time: it hangs up on a second one at once.
                    if (!signal.aborted) this.log.warn(`satellite ${this.name} hung up (if at once: Home Assistant or another hark may be connected to it); connecting again`);
                } catch (error) {
                    if (signal.aborted) break;
                    this.log.warn({ uri: this.satellite.uri, retryInMs: waitMs }, `satellite ${this.name}: ${errorMessage(error)}; trying again in ${Math.round(waitMs / 1000)} s`);
                }
                this.status = "disconnected";
                await sleep(waitMs, signal);
                waitMs = Math.min(waitMs * 2, this.o.retryMaxMs ?? 30_000);
            }
        } finally {
            await engines.dispose();
        }
    }

    /** One connection: starts the satellite and runs the room's voice loop on its audio until either side stops. */
    private async serve(connection: WyomingConnection, engines: Omit<VoiceEngines, "transcriber" | "dispose">, signal: AbortSignal): Promise<void> {
        // A new connection is a new stream: the voice loop starts it with a fresh wake-word detector.
        const audio = new PassThrough();
        const speaker = new SatelliteSpeaker(connection, this.log);
        const output = new RoomOutput(speaker);
        this.output = output;
        this.connection = connection;
        const pipeline = createVoicePipeline(this.o.config, this.o.turns, output, { ...engines, transcriber: this.o.transcriber }, this.log, { speak: true, room: this.name });
        this.tellSatellite(pipeline, connection, engines.wake.keyword);
        for (const listener of this.pipelineListeners) listener(this.name, pipeline);
        const stop = new AbortController();
        const onAbort = () => stop.abort();
        signal.addEventListener("abort", onAbort, { once: true });
        const source: AudioSource = { name: `satellite:${this.name}`, live: true, stream: (s: AbortSignal): AsyncIterable<AudioEvent> => pcmEvents(`satellite:${this.name}`, audio, 1280, s) };
        const loop = pipeline.run(source, stop.signal);
        try {
            await connection.send({ type: "run-satellite", data: {} });
            this.status = "streaming";
            this.log.info({ uri: this.satellite.uri }, `satellite ${this.name} connected`);
            const converter = new PcmChunkConverter();
            for await (const event of eventsUntil(connection, stop.signal)) {
                const d = event.data;
                if (event.type === "audio-chunk" && event.payload) {
                    const samples = converter.push({ rateHz: Number(d.rate ?? 16000), width: Number(d.width ?? 2), channels: Number(d.channels ?? 1) }, event.payload);
                    audio.write(Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength));
                } else if (event.type === "run-pipeline") {
                    const snd = d.snd_format as { rate?: number; width?: number; channels?: number } | undefined;
                    if (snd) speaker.format = { rate: Number(snd.rate ?? 22050), width: Number(snd.width ?? 2), channels: Number(snd.channels ?? 1) };
                    // A satellite with its own wake word starts the pipeline at speech to text: the turn begins now.
                    if (d.start_stage === "asr") pipeline.wakeUp("satellite");
                } else if (event.type === "ping") {
                    await connection.send({ type: "pong", data: { text: d.text ?? null } });
                }
            }
        } finally {
            signal.removeEventListener("abort", onAbort);
            // Stopped first: half an utterance from a satellite that went away is dropped, not acted on.
            stop.abort();
            audio.end();
            output.stopAll();
            this.output = null;
            this.connection = null;
            await loop.catch((error: unknown) => this.log.error({ err: error }, `the voice loop of ${this.name} stopped with an error`));
            connection.close();
        }
    }

    /** Tells the satellite of a timer set in its room: started, updated, cancelled, finished (Wyoming's timer events). */
    public tellTimer({ kind, timer }: TimerChange): void {
        const connection = this.connection;
        if (!connection?.open) return;
        const seconds = (ms: number) => Math.round(ms / 1000);
        const data: Record<string, unknown> = kind === "started"
            ? {
                id: timer.id, total_seconds: seconds(timer.durationMs), name: timer.label || null,
                start_hours: Math.floor(timer.durationMs / 3_600_000), start_minutes: Math.floor(timer.durationMs / 60_000) % 60, start_seconds: seconds(timer.durationMs) % 60
            }
            : kind === "updated"
                ? { id: timer.id, is_active: timer.pausedRemainingMs == null, total_seconds: seconds(remainingMs(timer)) }
                : { id: timer.id };
        connection.send({ type: `timer-${kind}`, data }).catch((error: unknown) => this.log.debug({ err: error, kind }, "could not tell the satellite of the timer"));
    }

    /** Tells the satellite what the loop does (it shows it, and its debug recordings follow it). */
    private tellSatellite(pipeline: VoicePipeline, connection: WyomingConnection, keyword: string): void {
        const send = (type: string, data: Record<string, unknown>) => {
            if (connection.open) connection.send({ type, data }).catch((error: unknown) => this.log.debug({ err: error, type }, "could not tell the satellite"));
        };
        let previous = pipeline.currentState;
        pipeline.onState((state) => {
            if (state === "recording" && (previous === "listening" || previous === "speaking")) send("detection", { name: keyword, timestamp: null, speaker: null });
            if (state === "transcribing") send("voice-stopped", { timestamp: null });
            previous = state;
        });
        pipeline.onTurn((record) => {
            send("transcript", { text: record.input.text });
            for (const listener of this.turnListeners) listener(record);
        });
    }
}

/**
 * A satellite's speaker as a player: audio-start, chunks and audio-stop in the format its run-pipeline asked for.
 * hark's feedback sounds play on it too (leave wyoming-satellite's own --awake-wav and --done-wav unset). Music is
 * played on this machine only.
 */
class SatelliteSpeaker implements Player {
    public format = { rate: 22050, width: 2, channels: 1 };
    private readonly playing = new Set<Playback>();

    public constructor(private readonly connection: WyomingConnection, private readonly log: Logger) {}

    public active(): readonly Playback[] {
        return [...this.playing];
    }

    public takeLateFailures(): string[] {
        return [];
    }

    public async play(file: string, kind: PlaybackKind): Promise<Playback> {
        const { rate, width, channels } = this.format;
        if (width !== 2) throw new Error(`the satellite asked for ${width}-byte samples; hark sends 16-bit audio (use --snd-command-width 2)`);
        const { stdout: pcm } = await run("sox", ["-V1", "-R", file, "-t", "raw", "-r", String(rate), "-c", String(channels), "-b", "16", "-e", "signed-integer", "-L", "-"], { encoding: "buffer", maxBuffer: 64 << 20 });
        const format = { rate, width, channels };
        const frameBytes = width * channels;
        const chunkBytes = 1024 * frameBytes;
        const seconds = pcm.length / frameBytes / rate;
        let stopped = false;
        const started = performance.now();
        await this.connection.send({ type: "audio-start", data: { ...format, timestamp: 0 } });
        const sending = (async () => {
            for (let at = 0; at < pcm.length && !stopped; at += chunkBytes) {
                await this.connection.send({ type: "audio-chunk", data: { ...format, timestamp: Math.round((at / frameBytes / rate) * 1000) }, payload: pcm.subarray(at, at + chunkBytes) });
            }
            await this.connection.send({ type: "audio-stop", data: { timestamp: Math.round(seconds * 1000) } });
        })();
        // The satellite plays in real time: heard once the audio has had time to play out.
        const done = sending.then(async () => {
            if (!stopped) await sleep(Math.max(0, seconds * 1000 - (performance.now() - started)), null);
            return stopped ? "stopped" as const : "finished" as const;
        }, (error: unknown) => {
            this.log.debug({ err: error }, "the audio did not reach the satellite");
            return "stopped" as const;
        });
        const playback: Playback = { file, kind, done, paused: false, stop: () => void (stopped = true), pause: () => false, resume: () => false };
        this.playing.add(playback);
        void done.then(() => this.playing.delete(playback));
        return playback;
    }

    public stopAll(kinds?: readonly PlaybackKind[]): number {
        let count = 0;
        for (const p of this.playing) {
            if (kinds && !kinds.includes(p.kind)) continue;
            p.stop();
            count++;
        }
        return count;
    }
}

/** The connection's events until it closes or `signal` aborts. */
async function* eventsUntil(connection: WyomingConnection, signal: AbortSignal) {
    const aborted = new Promise<null>((resolve) => signal.addEventListener("abort", () => resolve(null), { once: true }));
    for (;;) {
        const event = await Promise.race([connection.next(), aborted]);
        if (event == null) return;
        yield event;
    }
}

function sleep(ms: number, signal: AbortSignal | null): Promise<void> {
    return new Promise((resolve) => {
        const timer = setTimeout(resolve, ms);
        signal?.addEventListener("abort", () => {
            clearTimeout(timer);
            resolve();
        }, { once: true });
    });
}
