import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Logger } from "pino";
import { durationMs, levelPercentile, meanPower, powerDbfs, speechLevelDbfs, writeWav } from "../audio/pcm.ts";
import type { RoomOutput } from "../audio/output.ts";
import type { Playback } from "../audio/player.ts";
import type { AudioSource } from "../audio/source.ts";
import type { AudioFrontEnd } from "../frontend/frontend.ts";
import { errorMessage } from "../errors.ts";
import { round2, type TraceRecord, type TraceStage } from "../trace/trace.ts";
import type { Transcriber } from "../stt/transcriber.ts";
import { Endpointer, type EndpointerOptions } from "../vad/endpointer.ts";
import type { VoiceActivityDetector } from "../vad/vad.ts";
import type { WakeWordDetector } from "../wake/detector.ts";
import type { Assistant } from "./assistant.ts";
import { INITIAL_VOICE_STATE, nextVoiceState, type VoiceEffect, type VoiceEvent, type VoiceMachineState, type VoiceState } from "./voice-machine.ts";

export type { VoiceState } from "./voice-machine.ts";

/** The stretch before now that tells the room's background: from 5 s back to 1.5 s back (the wake word is in between). */
const BACKGROUND_FROM_MS = 5000;
const BACKGROUND_UNTIL_MS = 1500;

/** Said when the wake word was heard but nobody spoke. */
export const NOTHING_HEARD = "Sorry, I didn't hear anything.";

/** What the voice loop asks of the text loop: {@link Assistant} is one. */
export type VoiceTurns = Pick<Assistant, "handleText" | "record" | "say" | "dropPending">;

/** Options for {@link VoicePipeline}. */
export interface VoicePipelineOptions {
    /** Understands and acts on what was heard. */
    turns: VoiceTurns;
    /** The room's speaker: replies and sounds play there, and the loop holds it (announcements wait, music pauses) from the wake word to the end of the reply. */
    output: RoomOutput;
    /** The room's name when it is a satellite's (traces name it); absent: this machine. */
    room?: string;
    wake: WakeWordDetector;
    vad: VoiceActivityDetector;
    /** Cleans the audio before anything listens to it (noise suppression); absent: the audio as it comes. */
    frontEnd?: AudioFrontEnd | null;
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
    /**
     * The wake word's score needed while hark's own music, reply or announcement plays (it masks the wake word at the
     * microphone); absent: the detector's own threshold.
     */
    playbackWakeThreshold?: number;
    /**
     * The wake word's score needed in a loud room: when the last 1.5 s rise less than `marginDb` above the loudest the
     * room was before them, other voices or noise mask the wake word. Absent: the detector's own threshold.
     */
    noisyWake?: { thresholdScore: number; marginDb: number };
    /** Said when what was heard is turned down or not understood. Defaults to "Sorry, I didn't catch that.". */
    notUnderstoodReply?: string;
    /** Speech shorter than this, or quieter (dBFS), that is not understood gets no spoken answer. Defaults to 400 ms and -50 dBFS. */
    quietBelowSpeechMs?: number;
    quietBelowDbfs?: number;
}

/**
 * The voice loop: listening for the wake word → recording until the endpointer ends the utterance → transcribing →
 * understanding and acting (the text loop) → speaking → listening. Its rules are the pure {@link nextVoiceState};
 * this class runs the effects that function asks for with the real engines and feeds their outcomes back as events.
 * The same code runs on a microphone, a file, a pipe or a satellite's stream.
 */
export class VoicePipeline {
    private machine: VoiceMachineState = INITIAL_VOICE_STATE;
    private endpointer: Endpointer | null = null;
    private audioStages: TraceStage[] = [];
    private turns = 0;
    /** The reply being spoken, while hark talks. */
    private speech: Playback | null = null;
    private readonly listeners: Array<(record: TraceRecord) => void> = [];
    private readonly stateListeners: Array<(state: VoiceState) => void> = [];
    private readonly levelListeners: Array<(dbfs: number) => void> = [];
    /** When the loop began handling the current audio event; `null` while it waits for the next. */
    private busySince: number | null = null;
    /** The running loop's signal, and whether its source is live (the wake word may then cancel a turn in progress). */
    private signal: AbortSignal = new AbortController().signal;
    private live = false;
    /** The turn being understood and acted on, which the wake word can call off on a live source. */
    private turn: { controller: AbortController; startedAt: number } | null = null;
    /** The live turn still being handled (its effects too), which the loop waits for when the audio ends. */
    private turnWork: Promise<void> = Promise.resolve();
    /** What the effects work on: the chunk that arrived, the wake word, the utterance, the reply to play. */
    private chunk: { samples: Int16Array; timestampMs: number } | null = null;
    private woken: Record<string, unknown> = {};
    private utterance: { samples: Int16Array; quiet: string | undefined } | null = null;
    private transcript: Awaited<ReturnType<Transcriber["transcribe"]>> | null = null;
    private reply: { file: string; spokenWav: string | undefined } | null = null;
    /** When the stream began, and its first chunk's audio time. */
    private streamStart = { at: 0, audioMs: 0 };
    /** The decode started at the speaker's last pause, and the samples it decodes. */
    private early: { samples: Int16Array; transcript: ReturnType<Transcriber["transcribe"]> } | null = null;
    /** Chunk levels of the last few seconds, for the room's background. */
    private levels: Array<{ atMs: number; ms: number; dbfs: number }> = [];
    /** Lets the room's announcements and music go on; held from the wake word to the end of the turn. */
    private release: (() => void) | null = null;

    public constructor(private readonly o: VoicePipelineOptions) {}

    public get currentState(): VoiceState {
        return this.machine.state;
    }

    /** What the turn in progress heard, once it is transcribed (until the next recording begins); null before. */
    public get heard(): string | null {
        const busy = this.machine.state === "understanding" || this.machine.state === "acting" || this.machine.state === "speaking";
        return busy ? this.transcript?.text.trim() ?? null : null;
    }

    /** Called with each finished turn's trace. */
    public onTurn(listener: (record: TraceRecord) => void): void {
        this.listeners.push(listener);
    }

    /** Called on every state change (the watchdog and tests use it). */
    public onState(listener: (state: VoiceState) => void): void {
        this.stateListeners.push(listener);
    }

    /** Called with the level (dBFS) of every chunk of audio the loop hears, after the front end (the web page's meter). */
    public onLevel(listener: (dbfs: number) => void): void {
        this.levelListeners.push(listener);
    }

    /** How long the loop has been on one step (an audio event, a turn's handling), in ms; 0 while it waits. */
    public busyForMs(now = performance.now()): number {
        return Math.max(this.busySince == null ? 0 : now - this.busySince, this.turn ? now - this.turn.startedAt : 0);
    }

    /** Runs until the source ends or `signal` aborts; returns the turns' traces. */
    public async run(source: AudioSource, signal: AbortSignal): Promise<TraceRecord[]> {
        const records: TraceRecord[] = [];
        const collect = (r: TraceRecord): void => void records.push(r);
        this.listeners.push(collect);
        this.signal = signal;
        this.live = source.live === true;
        this.o.frontEnd?.reset({ live: this.live });
        this.levels = [];
        this.streamStart = { at: performance.now(), audioMs: Number.NaN };
        await this.dispatch({ type: "start" });
        try {
            for await (const event of source.stream(signal)) {
                if (signal.aborted) break;
                this.busySince = performance.now();
                try {
                    if (event.type === "chunk") {
                        // While a feedback sound plays the input is ignored (a live microphone hears the speaker).
                        if (this.o.muteWhilePlaying !== false && this.o.output.playing("sound")) continue;
                        if (Number.isNaN(this.streamStart.audioMs)) this.streamStart = { at: performance.now(), audioMs: event.timestampMs };
                        this.chunk = this.o.frontEnd ? { samples: this.o.frontEnd.process(event.samples), timestampMs: event.timestampMs } : event;
                        // Its level: for the room's background (only what the room sounds like while nobody talks to
                        // hark: not a request, not hark's own reply) and for whoever watches the meter.
                        const listening = this.machine.state === "listening";
                        if (listening || this.levelListeners.length) {
                            const dbfs = powerDbfs(meanPower(this.chunk.samples));
                            if (listening) this.hearBackground(this.chunk, dbfs);
                            for (const listener of this.levelListeners) listener(dbfs);
                        }
                        await this.dispatch({ type: "audio" });
                    } else if (event.type === "stop") {
                        await this.dispatch({ type: "end" });
                    }
                } finally {
                    this.busySince = null;
                }
            }
        } finally {
            // A turn from a live source may still be at work when the audio ends: it finishes first.
            await this.turnWork;
            this.listeners.splice(this.listeners.indexOf(collect), 1);
            this.setMachine(INITIAL_VOICE_STATE);
        }
        return records;
    }

    /** Starts a turn without hearing the wake word here (a satellite heard it): recording begins with the next audio. */
    public wakeUp(heardBy: string): void {
        this.woken = { heardBy };
        this.fire({ type: "wake" });
    }

    /** Dispatches an event from outside the audio loop (a satellite, a playback's end, the turn's progress). */
    private fire(event: VoiceEvent): void {
        this.dispatch(event).catch((error: unknown) => this.o.log.error({ err: error, event: event.type }, "the voice loop failed to handle an event"));
    }

    /** Moves the machine on `event` and runs the effects it asks for, in order. */
    private async dispatch(event: VoiceEvent): Promise<void> {
        const { state, effects } = nextVoiceState(this.machine, event, { followUpMs: this.o.followUpMs ?? 5000, wakeDuringTurn: this.live });
        this.setMachine(state);
        for (const effect of effects) await this.runEffect(effect);
    }

    private async runEffect(effect: VoiceEffect): Promise<void> {
        switch (effect.type) {
            case "detect-wake": {
                const chunk = this.chunk!;
                const overPlayback = this.o.playbackWakeThreshold != null && this.o.output.active().some((p) => p.kind !== "sound");
                const roomRiseDb = overPlayback ? null : this.noisyRoomRise();
                const threshold = overPlayback ? this.o.playbackWakeThreshold : roomRiseDb != null ? this.o.noisyWake!.thresholdScore : undefined;
                const detection = (await this.o.wake.process(chunk.samples, chunk.timestampMs, threshold))[0];
                if (!detection) return;
                const inNoise = roomRiseDb != null ? { aboveRoomDb: round2(roomRiseDb) } : {};
                this.o.log.info({ keyword: detection.keyword, score: detection.score, atMs: Math.round(detection.timestampMs), overPlayback, ...inNoise }, "wake word");
                this.woken = { keyword: detection.keyword, score: round2(detection.score), atMs: Math.round(detection.timestampMs), ...(overPlayback ? { overPlayback } : {}), ...inNoise };
                return this.dispatch({ type: "wake" });
            }
            // A turn a satellite started may not have its endpointer yet when the next chunk arrives.
            case "push-endpointer":
                for (const event of this.endpointer ? await this.endpointer.push(this.chunk!.samples) : []) await this.endpointed(event);
                return;
            case "flush-endpointer":
                for (const event of this.endpointer?.finish() ?? []) await this.endpointed(event);
                return;
            case "interrupt":
                return this.interrupt();
            case "sound":
                return this.feedback(effect.kind);
            case "record": {
                if (effect.followUp) this.audioStages = [{ name: "follow-up", durationMs: 0, output: { windowMs: this.o.followUpMs ?? 5000 } }];
                const backgroundDbfs = this.background();
                this.endpointer = new Endpointer(this.o.vad, { ...this.o.endpointer, backgroundDbfs, ...(effect.followUp ? { noSpeechTimeoutMs: this.o.followUpMs ?? 5000 } : {}) });
                this.early = null;
                const stage = this.audioStages.at(-1);
                if (stage && backgroundDbfs != null) stage.output = { ...(stage.output as object), backgroundDbfs: Math.round(backgroundDbfs * 10) / 10 };
                return;
            }
            case "transcribe":
                return this.transcribe();
            case "understand": {
                // From a live source the loop goes on listening for the wake word meanwhile; from a file or a pipe
                // the turn holds the audio up, so what follows it in the file is heard after it.
                const turn = this.understand();
                if (!this.live) return turn;
                this.turnWork = turn.catch((error: unknown) => this.o.log.error({ err: error }, "the turn failed"));
                return;
            }
            case "cancel-turn":
                this.turn?.controller.abort(new Error("the wake word was heard again"));
                this.turn = null;
                return;
            case "play-reply":
                return this.playReply();
            case "say":
                return this.say(effect.key);
            case "reset-wake":
                this.o.wake.reset();
                return;
            case "drop-pending":
                this.o.turns.dropPending(this.o.room);
                return;
        }
    }

    /** The wake word stops hark talking in the room the loop listens in (and only there); the music waits, held. */
    private interrupt(): void {
        this.speech = null;
        const interrupted = this.o.output.stopAll(["speech", "announcement"]) > 0;
        this.audioStages = [{ name: "wake", durationMs: 0, output: { ...this.woken, interrupted } }];
    }

    private async endpointed(event: Awaited<ReturnType<Endpointer["push"]>>[number]): Promise<void> {
        if (event.type === "speech-start") return;
        // Audio read faster than it was spoken (a file) reaches the end of the utterance at once: nothing to win there.
        if (event.type === "pause") return this.heardAsSpoken() ? this.decodeEarly(event.samples) : undefined;
        this.endpointer = null;
        if (event.type === "no-speech") {
            this.audioStages.push({ name: "endpoint", durationMs: 0, output: { speech: false } });
            return this.dispatch({ type: "no-speech" });
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
        this.utterance = { samples: event.samples, quiet };
        return this.dispatch({ type: "utterance" });
    }

    /**
     * Whether the audio comes about as fast as it was spoken (a microphone, a satellite, `arecord` piped in), judged by
     * the stream itself: its audio time against the time it took to arrive.
     */
    private heardAsSpoken(): boolean {
        const audioMs = (this.chunk?.timestampMs ?? 0) - this.streamStart.audioMs;
        return performance.now() - this.streamStart.at >= 0.8 * audioMs;
    }

    /**
     * Starts decoding the utterance as it stands at a pause, while the endpointer waits to see whether the speaker goes
     * on. If they do, this decode is simply not used (it is left to finish: stopping pocketsphinx mid-decode would
     * cost a restart of the decoders, longer than the decode).
     */
    private decodeEarly(samples: Int16Array): void {
        const transcript = this.o.transcriber.transcribe(samples, this.signal);
        transcript.catch(() => undefined);
        this.early = { samples, transcript };
    }

    private async transcribe(): Promise<void> {
        const { samples, quiet } = this.utterance!;
        const started = performance.now();
        // The utterance ended at the pause that was being decoded: the same samples, so the same transcript.
        const early = this.early?.samples === samples ? this.early.transcript : null;
        this.early = null;
        try {
            const transcript = await (early ?? this.o.transcriber.transcribe(samples, this.signal));
            const text = transcript.text.trim();
            this.transcript = transcript;
            this.audioStages.push({ name: "transcribe", durationMs: round2(performance.now() - started), output: { text, engine: transcript.engine, ...(early ? { decodedDuringPause: true } : {}), ...(transcript.detail ?? {}) } });
            if (!text && quiet) this.audioStages.push({ name: "quiet", durationMs: 0, output: { reason: quiet } });
            return this.dispatch({ type: "transcribed", text });
        } catch (error) {
            this.audioStages.push({ name: "transcribe", durationMs: round2(performance.now() - started), error: { code: (error as { code?: string }).code ?? "HARK_STT_FAILED", message: errorMessage(error) } });
            this.o.log.error({ err: error }, "transcription failed");
            return this.dispatch({ type: "transcribed", text: "", failed: true });
        }
    }

    private async understand(): Promise<void> {
        const transcript = this.transcript!;
        const quiet = this.utterance?.quiet;
        const turn = { controller: new AbortController(), startedAt: performance.now() };
        this.turn = turn;
        const current = () => this.turn === turn;
        this.turns++;
        const speak = this.o.speak !== false;
        // The reply is synthesised to a file and played here, not by the assistant, so that listening for the wake
        // word goes on while hark talks.
        const spokenWav = speak && !this.o.replyWav ? path.join(this.replyDir(), `reply-${this.turns}.wav`) : undefined;
        const replyWav = this.o.replyWav ? numbered(this.o.replyWav, this.turns) : spokenWav;
        const audioStages = this.audioStages;
        this.audioStages = [];
        // The wake stage says how far the wake word rose above the room only where the room was loud (noisyRoomRise).
        const record = await this.o.turns.handleText(transcript.text.trim(), {
            source: "voice", ...(this.o.room ? { room: this.o.room } : {}), speak: false, signal: AbortSignal.any([this.signal, turn.controller.signal]), audioStages,
            onPhase: (phase) => current() && this.fire({ type: "phase", phase }),
            transcript: { engine: transcript.engine, ...(transcript.confidence != null ? { confidence: transcript.confidence } : {}), ...(this.woken.aboveRoomDb != null ? { loudRoom: true } : {}) },
            ...(quiet ? { quietIfNotUnderstood: quiet } : {}),
            ...(replyWav ? { replyWav } : {})
        });
        for (const listener of this.listeners) listener(record);
        // Called off by the wake word: a new turn has begun, and this one's reply is not played.
        if (!current()) return;
        this.turn = null;
        const playable = speak && replyWav != null && record.reply !== "" && fs.existsSync(replyWav);
        this.reply = playable ? { file: replyWav, spokenWav } : null;
        return this.dispatch({ type: "turn-done", failed: record.error != null, question: record.reply.trim().endsWith("?"), playable });
    }

    private async playReply(): Promise<void> {
        const { file, spokenWav } = this.reply!;
        try {
            const playback = await this.play(file);
            this.speech = playback;
            this.o.wake.reset();
            playback.done.catch(() => "finished" as const).then((how) => {
                if (spokenWav) fs.rmSync(spokenWav, { force: true });
                if (this.speech !== playback) return; // interrupted by the wake word: a new turn has begun
                this.speech = null;
                this.fire({ type: "reply-ended", finished: how === "finished" });
            });
        } catch (error) {
            this.o.log.warn({ err: error }, "could not speak the reply");
            return this.dispatch({ type: "reply-ended", finished: true });
        }
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

    /** Speaks a notice that is not a turn (nothing heard, nothing understood) and records it as one; "" says nothing. */
    private async say(key: "nothing-heard" | "not-understood" | "transcribe-failed"): Promise<void> {
        const text = key === "nothing-heard" ? NOTHING_HEARD
            : key === "transcribe-failed" ? "Sorry, I couldn't make out what you said."
                : this.utterance?.quiet ? "" : this.o.notUnderstoodReply ?? "Sorry, I didn't catch that.";
        if (text) await this.feedback("error");
        if (this.o.speak !== false && text) {
            try {
                const wav = path.join(this.replyDir(), "said.wav");
                await this.o.turns.say(text, { speak: false, replyWav: wav });
                await (await this.play(wav)).done;
            } catch (error) {
                this.o.log.warn({ err: error }, "could not speak");
            }
        }
        const record: TraceRecord = {
            id: crypto.randomUUID(), time: new Date().toISOString(), input: { text: "", source: "voice" }, ...(this.o.room ? { room: this.o.room } : {}), stages: this.audioStages,
            toolCall: null, result: null, reply: text, error: null, totalMs: 0
        };
        this.o.turns.record(record);
        for (const listener of this.listeners) listener(record);
        this.audioStages = [];
        return this.dispatch({ type: "said" });
    }

    private play(file: string): Promise<Playback> {
        return this.o.output.play(file, "speech");
    }

    private async feedback(kind: "wake" | "done" | "error"): Promise<void> {
        const file = this.o.sounds?.[kind];
        if (!file || this.o.speak === false) return;
        try {
            await (await this.o.output.play(file, "sound")).done;
        } catch (error) {
            this.o.log.debug({ err: error, kind }, "feedback sound failed");
        }
    }

    /** Keeps each listening chunk's level for the last few seconds: the room's background, heard before the wake word. */
    private hearBackground(chunk: { samples: Int16Array; timestampMs: number }, dbfs: number): void {
        this.levels.push({ atMs: chunk.timestampMs, ms: durationMs(chunk.samples.length), dbfs });
        while (this.levels.length && this.levels[0]!.atMs < chunk.timestampMs - BACKGROUND_FROM_MS) this.levels.shift();
    }

    /**
     * The room's level (median, dBFS) while listening from 5 s to 1.5 s before now — before the wake word was said — or
     * null when less than a second of it was heard (a follow-up after a reply: the endpointer then goes by the VAD alone).
     */
    private background(): number | null {
        const room = this.roomLevels();
        return room ? levelPercentile(room, 0.5) : null;
    }

    /** The listening chunks' levels (dBFS) from 5 s to 1.5 s before now, or null when less than a second was heard. */
    private roomLevels(): number[] | null {
        const now = this.chunk?.timestampMs ?? 0;
        const before = this.levels.filter((l) => l.atMs >= now - BACKGROUND_FROM_MS && l.atMs <= now - BACKGROUND_UNTIL_MS);
        return before.reduce((ms, l) => ms + l.ms, 0) >= 1000 ? before.map((l) => l.dbfs) : null;
    }

    /**
     * In a loud room, how far (dB) the loudest of the last 1.5 s rises above the loudest the room was from 5 s to 1.5 s
     * back (its 90th percentile); null when that is the margin or more (a quiet room, or too little heard yet).
     */
    private noisyRoomRise(): number | null {
        const margin = this.o.noisyWake?.marginDb ?? 0;
        if (margin <= 0) return null;
        const room = this.roomLevels();
        if (room == null) return null;
        const now = this.chunk?.timestampMs ?? 0;
        const rise = Math.max(...this.levels.filter((l) => l.atMs > now - BACKGROUND_UNTIL_MS).map((l) => l.dbfs)) - levelPercentile(room, 0.9);
        return rise < margin ? rise : null;
    }

    private setMachine(next: VoiceMachineState): void {
        const changed = next.state !== this.machine.state;
        this.machine = next;
        if (!changed) return;
        const talking = next.state !== "listening" && next.state !== "idle";
        if (talking) this.release ??= this.o.output.hold();
        else {
            this.release?.();
            this.release = null;
        }
        this.o.log.debug({ state: next.state }, "voice state");
        for (const listener of this.stateListeners) listener(next.state);
    }
}

function numbered(file: string, n: number): string {
    if (n === 1) return file;
    const ext = path.extname(file);
    return `${file.slice(0, file.length - ext.length)}-${n}${ext}`;
}
