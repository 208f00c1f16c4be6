import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Logger } from "pino";
import { checkPcmFormat, PcmChunkConverter, type PcmFormat } from "../audio/convert.ts";
import { readAudioFile } from "../audio/file.ts";
import { concatSamples, SAMPLE_RATE_HZ, samplesIn } from "../audio/pcm.ts";
import type { HarkConfig } from "../config/schema.ts";
import { errorMessage } from "../errors.ts";
import type { Transcriber } from "../stt/transcriber.ts";
import { EspeakSpeaker } from "../tts/espeak.ts";
import { runProgram } from "../util/program.ts";
import type { WakeWordDetector } from "../wake/detector.ts";
import { parseWyomingUri, WyomingServer, type WyomingConnection } from "../wyoming/connection.ts";
import { announceWyoming, type Announcement } from "../wyoming/zeroconf.ts";
import type { WyomingEvent } from "../wyoming/event.ts";
import type { IntentRegistry } from "../intents/registry.ts";
import type { RecognizerRouter } from "../nlu/router.ts";
import type { Speaker } from "../tts/speaker.ts";
import type { Assistant } from "./assistant.ts";
import { createWakeWordDetector } from "./voice-setup.ts";

/** What {@link serveWyoming} needs: the engines are built once by the caller and shared by every connection. */
export interface WyomingServiceOptions {
    config: HarkConfig;
    /** Runs hark's intents on a sentence (`handle`), and says whether a question waits for its answer. */
    turns: Pick<Assistant, "handleText" | "pendingQuestion">;
    /** Recognizes a sentence without acting on it (`intent`). */
    recognizer: Pick<RecognizerRouter, "recognize">;
    /** The intents loaded now, named in `info`. */
    intents: Pick<IntentRegistry, "intents">;
    /** The configured voice, for a `synthesize` that names none. */
    speaker: Speaker;
    transcriber: Transcriber;
    /** hark's version, for `info`. */
    version: string;
    log: Logger;
}

/** Wake-word models shipped with hark's openWakeWord engine, by name, with the phrase each listens for. */
const WAKE_PHRASES: Record<string, string> = { hey_jarvis: "hey jarvis", alexa: "alexa", hey_mycroft: "hey mycroft", hey_rhasspy: "hey rhasspy" };
/** Longest audio one `transcribe` takes, so a peer that never sends `audio-stop` cannot fill the memory. */
const MAX_TRANSCRIBE_MS = 60_000;
const CHUNK_SAMPLES = 1024;

/**
 * Serves hark over the Wyoming protocol, as Home Assistant uses Wyoming services: `asr` (the transcriber: audio in,
 * `transcript` out), `tts` (espeak-ng: `synthesize` in, audio out), `wake` (openWakeWord: `detect` and audio in,
 * `detection` out), `handle` (a `transcript` in, hark's intents run, `handled` or `not-handled` with the reply out) and
 * `intent` (`recognize` in, `intent` or `not-recognized` out, nothing run). Returns the listening server.
 */
export async function serveWyoming(uri: string, options: WyomingServiceOptions): Promise<WyomingService> {
    const shared = new SharedWork();
    const voices = await englishVoices();
    const server = await WyomingServer.listen(uri, async (connection) => {
        const log = options.log.child({ peer: connection.peer });
        log.info("Wyoming client connected");
        const session = new WyomingSession(connection, options, shared, voices, log);
        try {
            await session.run();
            log.info("Wyoming client disconnected");
        } catch (error) {
            log.warn({ err: error }, `Wyoming connection ended: ${errorMessage(error)}`);
        } finally {
            await session.dispose();
        }
    });
    options.log.info({ uri: server.uri }, "serving Wyoming (asr, tts, wake, handle, intent)");
    const announcement = options.config.wyoming.zeroconf ? await announce(server.uri, options.log) : null;
    return {
        uri: server.uri,
        async dispose() {
            await announcement?.dispose();
            await server.dispose();
        }
    };
}

/** hark's Wyoming services while they listen. */
export interface WyomingService {
    /** Where they listen (with the port the system chose for port 0). */
    readonly uri: string;
    /** Stops listening, closes every connection and takes back the announcement (safe twice). */
    dispose(): Promise<void>;
}

/** The mDNS announcement of the services at `uri`; none for loopback or a unix socket, which no other machine reaches. */
async function announce(uri: string, log: Logger): Promise<Announcement | null> {
    const address = parseWyomingUri(uri);
    if (address.kind !== "tcp" || address.host === "localhost" || address.host === "::1" || address.host.startsWith("127.")) {
        log.warn({ uri }, "wyoming.zeroconf is on, but hark listens where no other machine can reach it; set wyoming.uri to tcp://0.0.0.0:10700 to be found");
        return null;
    }
    const announcement = await announceWyoming(address.port);
    log.info({ port: address.port }, "announced on the LAN (mDNS _wyoming._tcp)");
    return announcement;
}

/** Runs work on the shared engines one piece at a time (the transcriber and the assistant serve every connection). */
class SharedWork {
    private tail: Promise<unknown> = Promise.resolve();

    public run<T>(work: () => Promise<T>): Promise<T> {
        const result = this.tail.then(work, work);
        this.tail = result.catch(() => undefined);
        return result;
    }
}

/** The audio a client is streaming, and what it is for. */
interface Stream {
    purpose: "transcribe" | "detect";
    converter: PcmChunkConverter;
    chunks: Int16Array[];
    samples: number;
    detected: boolean;
}

/** One client's conversation: each event type has its handler. */
class WyomingSession {
    private stream: Stream | null = null;
    /** Set by `transcribe` or `detect`: what the next audio is for. */
    private next: Stream["purpose"] | null = null;
    private detector: WakeWordDetector | null = null;
    private detectorKeyword = "";

    public constructor(
        private readonly connection: WyomingConnection,
        private readonly o: WyomingServiceOptions,
        private readonly shared: SharedWork,
        private readonly voices: readonly Voice[],
        private readonly log: Logger
    ) {}

    public async run(): Promise<void> {
        for await (const event of this.connection) {
            try {
                await this.handle(event);
            } catch (error) {
                // A peer that hung up needs no answer; one bad request is answered with an error event, and the
                // connection stays up for the next.
                if (!this.connection.open) return;
                this.log.warn({ err: error, event: event.type }, `Wyoming ${event.type} failed: ${errorMessage(error)}`);
                await this.send("error", { text: errorMessage(error), code: (error as { code?: string }).code ?? "HARK_WYOMING_FAILED" });
            }
        }
    }

    private async handle(event: WyomingEvent): Promise<void> {
        const d = event.data;
        switch (event.type) {
            case "describe":
                return this.send("info", this.info());
            case "ping":
                return this.send("pong", { text: d.text ?? null });
            case "transcribe":
                this.next = "transcribe";
                return;
            case "detect":
                // The audio that follows is for detection even when the model asked for is missing: it is dropped then.
                this.next = "detect";
                return this.useWakeWord(Array.isArray(d.names) ? d.names.filter((n): n is string => typeof n === "string") : []);
            case "audio-start":
                // A format hark cannot read is refused now, not at the first chunk.
                checkPcmFormat(formatOf(d));
                this.stream = { purpose: this.next ?? "transcribe", converter: new PcmChunkConverter(), chunks: [], samples: 0, detected: false };
                return;
            case "audio-chunk":
                return this.audioChunk(formatOf(d), event.payload ?? Buffer.alloc(0), typeof d.timestamp === "number" ? d.timestamp : null);
            case "audio-stop":
                return this.audioStop();
            case "synthesize":
                return this.synthesize(String(d.text ?? ""), d.voice);
            case "transcript":
                return this.handleText(String(d.text ?? ""));
            case "recognize":
                return this.recognize(String(d.text ?? ""));
            default:
                this.log.debug({ event: event.type }, "Wyoming event ignored");
        }
    }

    private info(): Record<string, unknown> {
        const hark = { name: "hark", url: "https://github.com/hark/hark" };
        const artifact = (name: string, description: string, attribution = hark, version: string | null = this.o.version) => ({ name, description, attribution, installed: true, version });
        const keyword = this.o.config.wake.keyword;
        const wakeModels = Object.entries(WAKE_PHRASES).filter(([name]) => this.o.config.wake.engine === "openwakeword" || name === keyword);
        return {
            asr: [{
                ...artifact("hark", `hark's ${this.o.transcriber.name} recognizer, built from its intents`),
                models: [{ ...artifact(this.o.transcriber.name, this.o.transcriber.name === "grammar" ? "pocketsphinx with a grammar of the intents' sentences" : "whisper.cpp"), languages: ["en"] }]
            }],
            tts: [{
                ...artifact("espeak-ng", "espeak-ng speech synthesis", { name: "eSpeak NG", url: "https://github.com/espeak-ng/espeak-ng" }, null),
                voices: this.voices.map((v) => ({ ...artifact(v.name, v.description, { name: "eSpeak NG", url: "https://github.com/espeak-ng/espeak-ng" }, null), languages: [v.language] }))
            }],
            wake: [{
                ...artifact("openwakeword", "openWakeWord wake-word models", { name: "openWakeWord", url: "https://github.com/dscripka/openWakeWord" }, null),
                models: wakeModels.map(([name, phrase]) => ({ ...artifact(name, phrase, { name: "openWakeWord", url: "https://github.com/dscripka/openWakeWord" }, null), languages: ["en"], phrase }))
            }],
            handle: [{ ...artifact("hark", "understands a sentence and runs hark's intents"), models: [{ ...artifact("hark-intents", this.intentList()), languages: ["en"] }] }],
            intent: [{ ...artifact("hark", "recognizes hark's intents without running them"), models: [{ ...artifact("hark-intents", this.intentList()), languages: ["en"] }] }]
        };
    }

    private intentList(): string {
        return this.o.intents.intents.map((i) => i.spec.name).join(", ");
    }

    private async useWakeWord(names: readonly string[]): Promise<void> {
        const configured = this.o.config.wake.keyword;
        const wanted = names.length === 0 || names.includes(configured) ? configured : names.find((n) => n in WAKE_PHRASES);
        if (wanted != null && this.detector && this.detectorKeyword === wanted) {
            this.detector.reset();
            return;
        }
        await this.detector?.dispose();
        this.detector = null;
        if (wanted == null) throw Object.assign(new Error(`no wake word model named ${names.join(" or ")}; hark has ${[configured, ...Object.keys(WAKE_PHRASES).filter((n) => n !== configured)].join(", ")}`), { code: "HARK_WAKE_MODEL" });
        // Each connection that asks for detection gets a detector of its own: it holds that stream's audio.
        const config = this.o.config;
        this.detector = await createWakeWordDetector({ ...config, wake: { ...config.wake, keyword: wanted } });
        this.detectorKeyword = wanted;
    }

    private async audioChunk(format: PcmFormat, bytes: Buffer, timestampMs: number | null): Promise<void> {
        // A chunk without audio-start (wake-word clients stream that way) starts the stream with its own format.
        this.stream ??= { purpose: this.next ?? "transcribe", converter: new PcmChunkConverter(), chunks: [], samples: 0, detected: false };
        const stream = this.stream;
        const samples = stream.converter.push(format, bytes);
        if (stream.purpose === "transcribe") {
            if (stream.samples >= samplesIn(MAX_TRANSCRIBE_MS)) return;
            stream.chunks.push(samples);
            stream.samples += samples.length;
            return;
        }
        if (!this.detector) return;
        const at = timestampMs ?? (stream.samples / SAMPLE_RATE_HZ) * 1000;
        stream.samples += samples.length;
        for (const detection of await this.detector!.process(samples, at)) {
            stream.detected = true;
            await this.send("detection", { name: this.detectorKeyword, timestamp: Math.round(detection.timestampMs), speaker: null });
        }
    }

    private async audioStop(): Promise<void> {
        const stream = this.stream;
        this.stream = null;
        this.next = null;
        if (stream == null) return;
        if (stream.purpose === "detect") {
            if (!stream.detected) await this.send("not-detected", {});
            return;
        }
        const samples = concatSamples(stream.chunks);
        const transcript = await this.shared.run(() => this.o.transcriber.transcribe(samples));
        const min = this.o.config.stt.minConfidence;
        // Speech that does not fit hark's sentences is not passed on as if it did: an empty transcript acts on nothing.
        const unsure = transcript.confidence != null && transcript.confidence < min;
        this.log.info({ text: transcript.text, confidence: transcript.confidence, unsure }, "Wyoming transcript");
        await this.send("transcript", { text: unsure ? "" : transcript.text });
    }

    private async synthesize(text: string, voice: unknown): Promise<void> {
        if (!text.trim()) throw Object.assign(new Error("synthesize needs text"), { code: "HARK_TTS_EMPTY" });
        const name = typeof voice === "object" && voice !== null ? (voice as { name?: unknown }).name : undefined;
        if (name != null && !this.voices.some((v) => v.name === name)) {
            throw Object.assign(new Error(`no espeak-ng voice named ${String(name)}; describe lists the voices`), { code: "HARK_TTS_VOICE" });
        }
        const speaker = name == null ? this.o.speaker : new EspeakSpeaker({ voice: String(name), speedWpm: this.o.config.tts.speedWpm });
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hark-wyoming-tts-"));
        try {
            const wav = path.join(dir, "reply.wav");
            await speaker.synthesize(text, wav);
            const samples = await readAudioFile(wav);
            const format = { rate: SAMPLE_RATE_HZ, width: 2, channels: 1 };
            await this.send("audio-start", { ...format, timestamp: 0 });
            for (let start = 0; start < samples.length; start += CHUNK_SAMPLES) {
                const chunk = samples.subarray(start, start + CHUNK_SAMPLES);
                await this.send("audio-chunk", { ...format, timestamp: Math.round((start / SAMPLE_RATE_HZ) * 1000) }, Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
            }
            await this.send("audio-stop", { timestamp: Math.round((samples.length / SAMPLE_RATE_HZ) * 1000) });
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    }

    private async handleText(text: string): Promise<void> {
        const record = await this.shared.run(() => this.o.turns.handleText(text, { source: "wyoming" }));
        const acted = record.toolCall != null && record.result?.ok !== false;
        const asked = this.o.turns.pendingQuestion() != null;
        await this.send(acted || asked ? "handled" : "not-handled", { text: record.reply });
    }

    private async recognize(text: string): Promise<void> {
        const { recognition, decision } = await this.shared.run(() => this.o.recognizer.recognize(text));
        if (recognition == null || decision.verdict === "reject") {
            await this.send("not-recognized", { text: this.o.config.conversation.notUnderstoodReply });
            return;
        }
        const entities = Object.entries(recognition.args).map(([name, value]) => ({ name, value }));
        await this.send("intent", { name: recognition.intent, entities, ...(decision.verdict === "confirm" ? { text: decision.question } : {}) });
    }

    private send(type: string, data: Record<string, unknown>, payload?: Buffer): Promise<void> {
        return this.connection.send({ type, data, ...(payload ? { payload } : {}) });
    }

    public async dispose(): Promise<void> {
        await this.detector?.dispose();
        this.detector = null;
    }
}

/** The audio format named in an event's data (Wyoming's `rate`, `width`, `channels`). */
function formatOf(data: Record<string, unknown>): PcmFormat {
    return { rateHz: Number(data.rate ?? SAMPLE_RATE_HZ), width: Number(data.width ?? 2), channels: Number(data.channels ?? 1) };
}

interface Voice {
    name: string;
    language: string;
    description: string;
}

/** espeak-ng's English voices (`espeak-ng --voices=en`), for `info` and to check a requested voice. */
async function englishVoices(): Promise<Voice[]> {
    const { stdout } = await runProgram(["espeak-ng", "--voices=en"], { timeoutMs: 10_000 });
    // mbrola voices (file mb/...) are listed whether or not their data is installed: left out.
    return stdout.split("\n").slice(1).map((line) => line.trim().split(/\s+/)).filter((cols) => cols.length >= 5 && !cols[4]!.startsWith("mb/"))
        .map((cols) => ({ name: cols[1]!, language: cols[1]!, description: cols[3]!.replaceAll("_", " ") }));
}
