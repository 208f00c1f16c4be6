import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Logger } from "pino";
import { durationMs, speechLevelDbfs, writeWav } from "../audio/pcm.ts";
import type { Playback } from "../audio/player.ts";
import type { AudioSource } from "../audio/source.ts";
import { errorMessage } from "../errors.ts";
import { round2, type TraceRecord, type TraceStage } from "../trace/trace.ts";
import type { Transcriber } from "../stt/transcriber.ts";
import { Endpointer, type EndpointerOptions } from "../vad/endpointer.ts";
import type { VoiceActivityDetector } from "../vad/vad.ts";
import type { WakeWordDetector } from "../wake/detector.ts";
import type { Assistant } from "./assistant.ts";

/** Where the voice loop is. */
export type VoiceState = "idle" | "listening" | "recording" | "transcribing" | "understanding" | "acting" | "speaking";

/** Said when the wake word was heard but nobody spoke. */
export const NOTHING_HEARD = "Sorry, I didn't hear anything.";

/** Options for {@link VoicePipeline}. */
export interface VoicePipelineOptions {
    assistant: Assistant;
    wake: WakeWordDetector;
    vad: VoiceActivityDetector;
    endpointer: EndpointerOptions;
    transcriber: Transcriber;
    log: Logger;
    /** Play replies and feedback sounds. Defaults to `true`. */
    speak?: boolean;
    /** Write each reply here (turn n > 1 gets "-n" before the extension). */
    replyWav?: string;
    /** Feedback sounds by event; a missing entry plays nothing. */
    sounds?: Partial<Record<"wake" | "done" | "error", string>>;
    /** After a reply that asks a question, listen this long without the wake word. Defaults to 5000 ms; 0 turns it off. */
    followUpMs?: number;
    /** Keep each utterance as a WAV in this folder; `null` stores no audio. */
    saveUtterancesDir?: string | null;
    /** Ignore input while a feedback sound plays (a live microphone hears the speaker). Defaults to `true`. While a
     *  reply is spoken only the wake word is listened for, whatever this says. */
    muteWhilePlaying?: boolean;
    /** Said when what was heard is turned down or not understood. Defaults to "Sorry, I didn't catch that.". */
    notUnderstoodReply?: string;
    /** Speech shorter than this, or quieter (dBFS), that is not understood gets no spoken answer. Defaults to 400 ms and -50 dBFS. */
    quietBelowSpeechMs?: number;
    quietBelowDbfs?: number;
    /**
     * A room hark hears through a satellite: replies play there, not on this machine's speaker (whose music and
     * sounds the room's wake word leaves alone), and its turns are traced with its name. Absent: this machine.
     */
    room?: { name: string; output: RoomOutput };
}

/** Where a room's replies are heard: a satellite's speaker. */
export interface RoomOutput {
    /** Plays a reply (a WAV file) in the room; resolves once it has started, its `done` when it has been heard. */
    play(file: string): Promise<Playback>;
    /** Stops everything playing in the room (a reply, a timer's announcement); returns whether anything was. */
    stopAll(): boolean;
}

/**
 * The voice loop as a state machine driven by audio events: listening for the wake word → recording until the
 * endpointer ends the utterance → transcribing → understanding and acting (the text loop) → speaking → listening.
 * The same code runs on a microphone, a file or a pipe.
 */
export class VoicePipeline {
    private state: VoiceState = "idle";
    private endpointer: Endpointer | null = null;
    private audioStages: TraceStage[] = [];
    private turns = 0;
    /** The reply being spoken, while hark talks. */
    private speech: Playback | null = null;
    private readonly listeners: Array<(record: TraceRecord) => void> = [];
    private readonly stateListeners: Array<(state: VoiceState) => void> = [];
    /** When the loop began handling the current audio event; `null` while it waits for the next. */
    private busySince: number | null = null;

    public constructor(private readonly o: VoicePipelineOptions) {}

    public get currentState(): VoiceState {
        return this.state;
    }

    /** Called with each finished turn's trace. */
    public onTurn(listener: (record: TraceRecord) => void): void {
        this.listeners.push(listener);
    }

    /** Called on every state change (the watchdog and tests use it). */
    public onState(listener: (state: VoiceState) => void): void {
        this.stateListeners.push(listener);
    }

    /** How long the loop has been handling one audio event (a chunk, an utterance's turn), in ms; 0 while it waits. */
    public busyForMs(now = performance.now()): number {
        return this.busySince == null ? 0 : now - this.busySince;
    }

    /** Runs until the source ends or `signal` aborts; returns the turns' traces. */
    public async run(source: AudioSource, signal: AbortSignal): Promise<TraceRecord[]> {
        const records: TraceRecord[] = [];
        const collect = (r: TraceRecord): void => void records.push(r);
        this.listeners.push(collect);
        this.setState("listening");
        try {
            for await (const event of source.stream(signal)) {
                if (signal.aborted) break;
                this.busySince = performance.now();
                try {
                    if (event.type === "chunk") await this.handleChunk(event.samples, event.timestampMs, signal);
                    else if (event.type === "stop" && this.state === "recording" && this.endpointer) {
                        // The stream ended mid-utterance: finish with what was said.
                        for (const e of this.endpointer.finish()) await this.handleEndpoint(e, signal);
                    }
                } finally {
                    this.busySince = null;
                }
            }
        } finally {
            this.listeners.splice(this.listeners.indexOf(collect), 1);
            this.setState("idle");
        }
        return records;
    }

    private async handleChunk(samples: Int16Array, timestampMs: number, signal: AbortSignal): Promise<void> {
        const assistant = this.o.assistant;
        // While a feedback sound plays the input is ignored; while hark speaks only the wake word is listened for,
        // so it can interrupt the reply but nothing hark says is recorded as a command.
        const playingSound = !this.o.room && assistant.services.player.active().some((p) => p.kind === "sound");
        if (this.o.muteWhilePlaying !== false && playingSound) return;

        if (this.state === "listening" || this.state === "speaking") {
            const detections = await this.o.wake.process(samples, timestampMs);
            const detection = detections[0];
            if (!detection) return;
            this.o.log.info({ keyword: detection.keyword, score: detection.score, atMs: Math.round(detection.timestampMs) }, "wake word");
            // The wake word interrupts whatever hark is playing or saying (in a satellite's room: its reply).
            this.speech = null;
            const interrupted = this.o.room ? this.o.room.output.stopAll() : assistant.services.player.stopAll(["speech"]) > 0 || assistant.services.music.stop();
            this.audioStages = [{ name: "wake", durationMs: 0, output: { keyword: detection.keyword, score: round2(detection.score), atMs: Math.round(detection.timestampMs), interrupted } }];
            await this.feedback("wake");
            this.startRecording(this.o.endpointer);
            return;
        }
        if (this.state === "recording" && this.endpointer) {
            for (const event of await this.endpointer.push(samples)) await this.handleEndpoint(event, signal);
        }
    }

    /** Starts a turn without hearing the wake word here (a satellite heard it): recording begins with the next audio. */
    public wakeUp(heardBy: string): void {
        if (this.state !== "listening" && this.state !== "speaking") return;
        const speech = this.speech;
        this.speech = null;
        speech?.stop();
        const interrupted = (this.o.room?.output.stopAll() ?? false) || speech != null;
        this.audioStages = [{ name: "wake", durationMs: 0, output: { heardBy, interrupted } }];
        this.startRecording(this.o.endpointer);
    }

    private startRecording(options: EndpointerOptions): void {
        this.endpointer = new Endpointer(this.o.vad, options);
        this.setState("recording");
    }

    private async handleEndpoint(event: Awaited<ReturnType<Endpointer["push"]>>[number], signal: AbortSignal): Promise<void> {
        if (event.type === "speech-start") return;
        this.endpointer = null;
        if (event.type === "no-speech") {
            this.audioStages.push({ name: "endpoint", durationMs: 0, output: { speech: false } });
            if (this.audioStages.some((s) => s.name === "follow-up")) {
                // Nobody answered a follow-up question: that is fine, go back to waiting for the wake word (a call
                // that waited for "yes" lapses).
                this.o.assistant.dropPending(this.o.room?.name);
                this.backToListening();
                return;
            }
            await this.reply(NOTHING_HEARD, "error");
            this.backToListening();
            return;
        }
        const levelDbfs = Math.round(speechLevelDbfs(event.samples) * 10) / 10;
        this.audioStages.push({ name: "endpoint", durationMs: 0, output: { speechMs: Math.round(event.speechMs), utteranceMs: Math.round(durationMs(event.samples.length)), levelDbfs, reason: event.reason } });
        // Too short or too quiet to have been a request: if it is not understood, nothing is said about it.
        const quiet = event.speechMs < (this.o.quietBelowSpeechMs ?? 400) ? `${Math.round(event.speechMs)} ms of speech is too short to be a request`
            : levelDbfs < (this.o.quietBelowDbfs ?? -50) ? `speech at ${levelDbfs} dBFS is too quiet to be a request` : undefined;
        if (this.o.saveUtterancesDir) {
            fs.mkdirSync(this.o.saveUtterancesDir, { recursive: true });
            const file = path.join(this.o.saveUtterancesDir, `${new Date().toISOString().replace(/[:.]/g, "-")}.wav`);
            writeWav(file, event.samples);
            this.audioStages.at(-1)!.output = { ...(this.audioStages.at(-1)!.output as object), savedAs: file };
        }

        this.setState("transcribing");
        const started = performance.now();
        let text: string;
        let transcript: Awaited<ReturnType<Transcriber["transcribe"]>>;
        try {
            transcript = await this.o.transcriber.transcribe(event.samples, signal);
            text = transcript.text.trim();
            this.audioStages.push({ name: "transcribe", durationMs: round2(performance.now() - started), output: { text, engine: transcript.engine, ...(transcript.detail ?? {}) } });
        } catch (error) {
            this.audioStages.push({ name: "transcribe", durationMs: round2(performance.now() - started), error: { code: (error as { code?: string }).code ?? "HARK_STT_FAILED", message: errorMessage(error) } });
            this.o.log.error({ err: error }, "transcription failed");
            await this.reply("Sorry, I couldn't make out what you said.", "error");
            this.backToListening();
            return;
        }
        if (!text) {
            if (quiet) this.audioStages.push({ name: "quiet", durationMs: 0, output: { reason: quiet } });
            await this.reply(quiet ? "" : this.o.notUnderstoodReply ?? "Sorry, I didn't catch that.", "error");
            this.backToListening();
            return;
        }

        this.setState("understanding");
        this.turns++;
        const speak = this.o.speak !== false;
        // The reply is synthesised to a file and played here, not by the assistant, so that listening for the wake
        // word goes on while hark talks.
        const spokenWav = speak && !this.o.replyWav ? path.join(this.replyDir(), `reply-${this.turns}.wav`) : undefined;
        const replyWav = this.o.replyWav ? numbered(this.o.replyWav, this.turns) : spokenWav;
        const record = await this.o.assistant.handleText(text, {
            source: "voice", ...(this.o.room ? { room: this.o.room.name } : {}), speak: false, signal, audioStages: this.audioStages, onPhase: (phase) => this.setState(phase),
            transcript: { engine: transcript.engine, ...(transcript.confidence != null ? { confidence: transcript.confidence } : {}) },
            ...(quiet ? { quietIfNotUnderstood: quiet } : {}),
            ...(replyWav ? { replyWav } : {})
        });
        this.audioStages = [];
        for (const listener of this.listeners) listener(record);
        await this.feedback(record.error ? "error" : "done");
        const question = record.reply.trim().endsWith("?");
        if (speak && replyWav && record.reply && fs.existsSync(replyWav)) {
            try {
                const playback = await this.play(replyWav);
                this.speech = playback;
                this.o.wake.reset();
                this.setState("speaking");
                playback.done.catch(() => "finished" as const).then((how) => {
                    if (spokenWav) fs.rmSync(spokenWav, { force: true });
                    if (this.speech !== playback) return; // interrupted by the wake word: a new turn has begun
                    this.speech = null;
                    if (this.state === "speaking") this.afterReply(question && how === "finished");
                });
                return;
            } catch (error) {
                this.o.log.warn({ err: error }, "could not speak the reply");
            }
        }
        this.afterReply(question);
    }

    private replyDirPath: string | null = null;

    /** A private temporary folder for spoken replies, removed when the process exits. */
    private replyDir(): string {
        if (this.replyDirPath == null) {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hark-replies-"));
            process.once("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
            this.replyDirPath = dir;
        }
        return this.replyDirPath;
    }

    /** After a reply: a question opens the follow-up window; anything else goes back to the wake word. */
    private afterReply(question: boolean): void {
        const followUpMs = this.o.followUpMs ?? 5000;
        if (question && followUpMs > 0) {
            // A question was asked: listen for the answer without the wake word.
            this.audioStages = [{ name: "follow-up", durationMs: 0, output: { windowMs: followUpMs } }];
            this.startRecording({ ...this.o.endpointer, noSpeechTimeoutMs: followUpMs });
            return;
        }
        this.backToListening();
    }

    /** Speaks a reply that is not a turn (nothing heard, nothing understood) and records it as one; "" says nothing. */
    private async reply(text: string, sound: "error"): Promise<void> {
        this.setState("speaking");
        if (text) await this.feedback(sound);
        if (this.o.speak !== false && text) {
            try {
                if (this.o.room) {
                    const wav = path.join(this.replyDir(), "said.wav");
                    await this.o.assistant.say(text, { speak: false, replyWav: wav });
                    await (await this.play(wav)).done;
                } else {
                    await this.o.assistant.say(text);
                }
            } catch (error) {
                this.o.log.warn({ err: error }, "could not speak");
            }
        }
        const record: TraceRecord = {
            id: crypto.randomUUID(), time: new Date().toISOString(), input: { text: "", source: "voice" }, ...(this.o.room ? { room: this.o.room.name } : {}), stages: this.audioStages,
            toolCall: null, result: null, reply: text, error: null, totalMs: 0
        };
        this.o.assistant.record(record);
        for (const listener of this.listeners) listener(record);
        this.audioStages = [];
    }

    /** Plays a reply where the loop listens: the room's satellite, or this machine's speaker. */
    private play(file: string): Promise<Playback> {
        return this.o.room ? this.o.room.output.play(file) : this.o.assistant.services.player.play(file, "speech");
    }

    private async feedback(kind: "wake" | "done" | "error"): Promise<void> {
        const file = this.o.sounds?.[kind];
        // A satellite plays its own sounds (it is told of the wake word and the transcript).
        if (!file || this.o.speak === false || this.o.room) return;
        try {
            const playback = await this.o.assistant.services.player.play(file, "sound");
            await playback.done;
        } catch (error) {
            this.o.log.debug({ err: error, kind }, "feedback sound failed");
        }
    }

    private backToListening(): void {
        this.o.wake.reset();
        this.setState("listening");
    }

    private setState(state: VoiceState): void {
        if (state === this.state) return;
        this.state = state;
        this.o.log.debug({ state }, "voice state");
        for (const listener of this.stateListeners) listener(state);
    }
}

function numbered(file: string, n: number): string {
    if (n === 1) return file;
    const ext = path.extname(file);
    return `${file.slice(0, file.length - ext.length)}-${n}${ext}`;
}
