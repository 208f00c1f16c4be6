import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { isDeepStrictEqual } from "node:util";
import type { Logger } from "pino";
import { RoomOutput } from "../audio/output.ts";
import { CommandPlayer, type Player } from "../audio/player.ts";
import { NotedPlayer, PlayedAudio } from "../audio/played.ts";
import type { HarkConfig } from "../config/schema.ts";
import { Dispatcher } from "../dispatch/dispatcher.ts";
import { errorMessage, HarkError, PlaybackError } from "../errors.ts";
import { describeBroad } from "../intents/broad.ts";
import type { LoadedIntent } from "../intents/compile.ts";
import { IntentRegistry } from "../intents/registry.ts";
import type { LlmOverrides } from "../llm/profile.ts";
import { DecisionPolicy, type TextEvidence } from "../nlu/decision.ts";
import type { Recognition } from "../nlu/recognizer.ts";
import { RecognizerRouter } from "../nlu/router.ts";
import { TemplateRecognizer } from "../nlu/templates.ts";
import { MusicService } from "../services/music.ts";
import type { Services } from "../services/services.ts";
import { COMMON_TIMER_NAMES, describeDuration, TimerService, type Timer } from "../services/timers.ts";
import { VolumeControl } from "../services/volume.ts";
import { StateStore } from "../state/store.ts";
import { EspeakSpeaker } from "../tts/espeak.ts";
import type { Speaker } from "../tts/speaker.ts";
import { round2, TraceWriter, TurnTrace, type TraceRecord, type TraceStage } from "../trace/trace.ts";
import { isBuiltinIntent } from "../paths.ts";
import { privateModes } from "../util/files.ts";
import { readAnswer, type PendingCall } from "./confirmation.ts";
import { createLlmRecognizer, selectedProfile, type LanguageModelEngine } from "./llm-setup.ts";

/** The language model's threshold when neither the config nor the model names one. */
const DEFAULT_LLM_MIN_CONFIDENCE = 0.3;

/** The slots the music folder knows values of. */
const MUSIC_SLOTS: ReadonlySet<string> = new Set(["song", "artist", "album", "genre", "playlist"]);

/** The music folder's titles, artists, albums, genres and playlists, by slot name. */
async function musicSlotValues(services: Services): Promise<Record<string, string[]>> {
    const tracks = await services.music.scan();
    const lists = await services.music.playlists();
    return {
        song: tracks.map((t) => t.title), artist: tracks.map((t) => t.artist).filter(Boolean), album: tracks.map((t) => t.album).filter(Boolean),
        genre: tracks.flatMap((t) => t.genres), playlist: [...lists.keys()]
    };
}

/**
 * Values wildcard slots are known to take, by slot name: the music folder's and the config's `stt.slotValues` (the
 * speech grammar hears these; the decision takes them for names).
 */
export async function knownSlotValues(services: Services, config: HarkConfig): Promise<Record<string, string[]>> {
    const values: Record<string, string[]> = { ...(await musicSlotValues(services)), label: await timerNames(services) };
    for (const [slot, list] of Object.entries(config.stt.slotValues)) values[slot] = [...(values[slot] ?? []), ...list];
    return values;
}

/** The known values of one slot; the music folder is read only for a music slot, the timers file for a timer's name. */
async function knownValuesOf(slot: string, services: Services, config: HarkConfig): Promise<string[]> {
    const own = MUSIC_SLOTS.has(slot) ? (await musicSlotValues(services))[slot] ?? [] : slot === "label" ? await timerNames(services) : [];
    return [...own, ...(config.stt.slotValues[slot] ?? [])];
}

/** Names a timer may be given aloud: the usual ones, and those of the timers set now. */
async function timerNames(services: Services): Promise<string[]> {
    const set = (await services.timers.list().catch(() => [])).map((t) => t.label).filter(Boolean);
    return [...new Set([...COMMON_TIMER_NAMES, ...set])];
}

/** Options for {@link Assistant.create}. */
export interface AssistantOptions {
    config: HarkConfig;
    log: Logger;
    /** Reload intents when their files change. Defaults to `false`. */
    watchIntents?: boolean;
    /** Replace the player (tests). */
    player?: Player;
    /** Replace `fetch` (tests). */
    fetch?: typeof fetch;
    /** Keep state in memory instead of `<dataDir>/state.json`. Defaults to `false`. */
    ephemeralState?: boolean;
    /** Command-line changes to the LLM profile, or `false` for templates only. Defaults to `{}` (the config's profile). */
    llm?: LlmOverrides | false;
    /**
     * Load the language model only when a sentence first reaches it (the templates did not answer): for one-shot
     * commands such as `hark ask`. Defaults to `false`: loaded now, so a daemon's first request does not wait.
     */
    llmWhenFirstAsked?: boolean;
}

/** Options for one turn. */
export interface TurnOptions {
    /** Where the text came from, for the trace ("cli", "stdin", "stt"). Defaults to "text". */
    source?: string;
    /** The room it was heard in (a satellite's name), for the trace. */
    room?: string;
    /** The transcript the text is, when it was heard: its engine and confidence feed the decision. */
    transcript?: TextEvidence["transcript"];
    /**
     * Why a turn that is not understood gets no spoken answer (speech too short or too quiet to have been a request);
     * absent: it gets `conversation.notUnderstoodReply`.
     */
    quietIfNotUnderstood?: string;
    /** Speak the reply through the player. Defaults to `false`. */
    speak?: boolean;
    /** Write the spoken reply to this WAV file. */
    replyWav?: string;
    signal?: AbortSignal;
    /** Stages that ran before the text existed (wake word, endpointing, transcription), put first in the trace. */
    audioStages?: TraceStage[];
    /**
     * Recognize and decide only: the call that would be made is in the record, but no handler runs, nothing is spoken,
     * a question waiting for "yes" is left alone, and the turn is not written to the trace. Defaults to `false`.
     */
    dryRun?: boolean;
    /** Told when the turn moves on to running the handler and to speaking (the voice loop's states). */
    onPhase?: (phase: "acting" | "speaking") => void;
}

/**
 * The text loop: text → recognizer router → dispatcher → reply (spoken and/or written), traced as one record.
 * Audio stages plug in in front of {@link Assistant.handleText}.
 */
export class Assistant {
    private constructor(
        public readonly config: HarkConfig,
        public readonly log: Logger,
        public readonly intents: IntentRegistry,
        public readonly router: RecognizerRouter,
        public readonly dispatcher: Dispatcher,
        public readonly services: Services,
        /** This machine's room output (`services.player` is it): the voice loop holds it and plays through it. */
        public readonly output: RoomOutput,
        public readonly speaker: Speaker,
        private readonly traces: TraceWriter,
        private readonly llmOverrides: LlmOverrides | false,
        private readonly llmWhenFirstAsked: boolean
    ) {}

    /** The LLM set-up in use (profile and the settings that shape its prompt), or null without an LLM. */
    private llmKey: string | null = null;
    /** Calls that asked "...?" and wait for "yes", by room ("" for this machine): a yes answers its own room only. */
    private readonly pending = new Map<string, PendingCall>();
    /** Whether the last trace write failed (warned once until one succeeds). */
    private traceFailing = false;
    /** The language-model engine in use, or null. */
    private llm: LanguageModelEngine | null = null;

    public static async create(options: AssistantOptions): Promise<Assistant> {
        const { config, log } = options;
        usableDataDir(config.paths.dataDir);
        const intents = await IntentRegistry.create({ dirs: config.paths.intentsDirs, log: log.child({ component: "intents" }), watch: options.watchIntents ?? false });
        const templates = new TemplateRecognizer(intents.intents.map((i) => i.spec), { fuzzy: config.nlu.fuzzy, fillerWords: config.nlu.fillerWords, leadingPhrases: config.nlu.leadingPhrases });
        // This machine's room: everything played here (replies, sounds, announcements, music) goes through it.
        // What this machine's speaker plays is noted for the echo canceller (audio.echoCancellation).
        const played = options.player == null && config.audio.echoCancellation ? new PlayedAudio() : null;
        const local = options.player ?? new CommandPlayer({ commands: config.player, startupCheckMs: config.player.startupCheckMs, stopGraceMs: config.player.stopGraceMs, log: log.child({ component: "player" }) });
        const player = new RoomOutput(played ? new NotedPlayer(local, played, log.child({ component: "player" })) : local, played);
        const services: Services = {
            player,
            music: new MusicService({
                dir: config.music.dir, extensions: config.music.extensions, player,
                cacheFile: path.join(config.paths.dataDir, "music-index.json"), log: log.child({ component: "music" })
            }),
            timers: new TimerService({ file: path.join(config.paths.dataDir, "timers.json"), log: log.child({ component: "timers" }) }),
            volume: new VolumeControl(config.volume),
            fetch: options.fetch ?? fetch
        };
        // The music folder is read in the background from now on, so the first request need not wait for it.
        services.music.index();
        const policy = new DecisionPolicy(
            {
                minTranscriptConfidence: config.stt.minConfidence, sureTranscriptConfidence: config.stt.sureConfidence, confirmHeardChanges: config.stt.confirmChanges,
                askAboutHeard: { below: config.stt.askBelowConfidence, question: config.conversation.heardQuestion },
                askUnlessSureInLoudRoom: config.stt.askInLoudRoom
            },
            (slot) => knownValuesOf(slot, services, config)
        );
        const router = new RecognizerRouter([{ recognizer: templates, minConfidence: config.nlu.minConfidence }], intents.intents.map((i) => i.spec), policy);
        const intentsLog = log.child({ component: "intents" });
        const warnBroad = (loaded: readonly LoadedIntent[]): void => {
            // hark's own intents are checked by its tests; the check costs about 30 ms of every start.
            if (loaded.every((i) => isBuiltinIntent(i.file))) return;
            const files = new Map(loaded.map((i) => [i.spec.name, i.file]));
            for (const broad of templates.broadTemplates()) intentsLog.warn({ file: files.get(broad.intent), template: broad.template }, describeBroad(broad));
        };
        warnBroad(intents.intents);
        intents.onChange(async (set) => {
            await router.setIntents(set.intents.map((i) => i.spec));
            warnBroad(set.intents);
        });
        const state = new StateStore(options.ephemeralState ? null : path.join(config.paths.dataDir, "state.json"), log);
        const dispatcher = new Dispatcher({ timeoutMs: config.dispatch.timeoutMs, log: log.child({ component: "dispatch" }), services, state, config });
        const speaker = new EspeakSpeaker({ voice: config.tts.voice, speedWpm: config.tts.speedWpm });
        const traces = new TraceWriter({ file: config.trace.enabled ? config.trace.file : null, maxFileBytes: config.trace.maxFileBytes, keepFiles: config.trace.keepFiles, maxRecordBytes: config.trace.maxRecordBytes });
        const assistant = new Assistant(config, log, intents, router, dispatcher, services, player, speaker, traces, options.llm ?? {}, options.llmWhenFirstAsked ?? false);
        try {
            await assistant.configureLlm(config);
        } catch (error) {
            await assistant.dispose();
            throw error;
        }
        return assistant;
    }

    /**
     * Loads the LLM profile `config` selects (with the command line's overrides) behind the templates, replacing the
     * one in use; nothing happens when the profile and its settings are unchanged. The old model answers until the new
     * one is ready. A running daemon calls this when the config file changes.
     */
    public async configureLlm(config: HarkConfig): Promise<void> {
        const profile = selectedProfile(config, this.llmOverrides);
        const { examplesPerIntent, maxArgumentLength, gpu, minConfidence } = config.llm;
        // What a loaded model depends on; whether the file is on disk too, so a config reload after "hark models pull"
        // picks it up. A new threshold alone is applied without loading the model again.
        const key = profile && JSON.stringify({ profile, present: fs.existsSync(profile.modelFile), examplesPerIntent, maxArgumentLength, gpu });
        if (key === this.llmKey) {
            if (this.llm) this.router.setMinConfidence("llm", minConfidence ?? this.llm.suggestedMinConfidence ?? DEFAULT_LLM_MIN_CONFIDENCE);
            return;
        }
        const recognizer = profile && await createLlmRecognizer(profile, config, this.log.child({ component: "llm" }), { whenFirstAsked: this.llmWhenFirstAsked });
        const threshold = minConfidence ?? recognizer?.suggestedMinConfidence ?? DEFAULT_LLM_MIN_CONFIDENCE;
        const old = await this.router.replace("llm", recognizer && { recognizer, minConfidence: threshold });
        this.llm = recognizer;
        await old?.dispose?.();
        this.llmKey = key;
        if (old != null || recognizer != null) this.log.info({ profile: recognizer ? profile?.name : null, ...(recognizer ? { minConfidence: threshold } : {}) }, recognizer ? "LLM profile in use" : "LLM off");
    }

    /**
     * Runs one turn from text to reply. Never throws for a failing stage: the trace says what went wrong. A turn the
     * decision turns down runs nothing; one it wants confirmed asks its question, and the next turn's "yes" runs it.
     */
    public async handleText(text: string, options: TurnOptions = {}): Promise<TraceRecord> {
        const maxText = this.config.conversation.maxTextChars;
        if (text.length > maxText) {
            // Not read at all: matching is fast for a sentence, not for a pasted page.
            const trace = new TurnTrace(`${text.slice(0, maxText)}…`, options.source ?? "text");
            trace.record.stages.push(...(options.audioStages ?? []), { name: "limit", durationMs: 0, output: { chars: text.length, maxTextChars: maxText } });
            trace.record.reply = "That is too long for me. Please ask in a sentence or two.";
            return this.finish(trace, options);
        }
        const trace = new TurnTrace(text, options.source ?? "text");
        const record = trace.record;
        if (options.room) record.room = options.room;
        record.stages.push(...(options.audioStages ?? []));
        const pending = options.dryRun ? null : this.takePending(options.room);
        // An answer heard no better than any other unsure transcript confirms nothing.
        const heardClearly = (options.transcript?.confidence ?? 1) >= this.config.stt.minConfidence;
        const answer = pending && heardClearly ? readAnswer(text) : null;
        if (pending && answer) {
            record.stages.push({ name: "confirm", durationMs: 0, output: { question: pending.question, answer, intent: pending.intent, args: pending.args } });
            if (answer === "yes") await this.act(trace, pending, { engine: pending.engine, confidence: pending.confidence }, text, options);
            else record.reply = "OK, I won't.";
            return this.finish(trace, options);
        }
        const routed = await trace.stage("recognize", () => this.router.recognize(text, { ...(options.signal ? { signal: options.signal } : {}), ...(options.transcript ? { evidence: { transcript: options.transcript } } : {}) }), (r) => ({
            intent: r.recognition?.intent ?? null,
            args: r.recognition?.args ?? null,
            ...(r.recognition?.resolved ? { resolved: r.recognition.resolved } : {}),
            confidence: r.recognition?.confidence ?? null,
            engine: r.recognition?.source ?? null,
            decision: r.decision,
            attempts: r.attempts.map((a) => ({ engine: a.engine, verdict: a.verdict, durationMs: round2(a.durationMs), intent: a.result?.intent, args: a.result?.args, confidence: a.result?.confidence, detail: a.result?.detail, error: a.error }))
        }));
        const { recognition, decision } = routed;
        // People asked "Did you say ...?" often say the request again instead of "yes": the same call twice is a yes.
        const repeated = pending != null && recognition != null && decision.verdict === "confirm" && recognition.intent === pending.intent && isDeepStrictEqual(recognition.args, pending.args);
        if (pending) {
            record.stages.push({
                name: "confirm", durationMs: 0,
                output: repeated ? { question: pending.question, answer: "the same request again", intent: pending.intent, args: pending.args } : { question: pending.question, answer: null, dropped: "the answer was no yes or no" }
            });
        }
        if (repeated) {
            await this.act(trace, recognition, { engine: recognition.source, confidence: recognition.confidence }, text, options);
        } else if (recognition == null || decision.verdict === "reject") {
            record.reply = options.quietIfNotUnderstood ? "" : this.config.conversation.notUnderstoodReply;
            if (options.quietIfNotUnderstood) record.stages.push({ name: "quiet", durationMs: 0, output: { reason: options.quietIfNotUnderstood } });
        } else if (options.dryRun) {
            record.toolCall = { name: recognition.intent, arguments: recognition.args, confidence: recognition.confidence, engine: recognition.source };
            record.stages.push({ name: "dry-run", durationMs: 0, output: { decision: decision.verdict } });
            record.reply = decision.verdict === "confirm" ? `(dry run; hark would first ask: ${decision.question})` : "(dry run; the handler was not run)";
        } else if (decision.verdict === "confirm") {
            this.pending.set(options.room ?? "", {
                intent: recognition.intent, args: recognition.args, ...(recognition.resolved ? { resolved: recognition.resolved } : {}),
                question: decision.question, engine: recognition.source, confidence: recognition.confidence,
                expiresAt: performance.now() + this.config.conversation.confirmWithinMs
            });
            record.reply = decision.question;
        } else {
            await this.act(trace, recognition, { engine: recognition.source, confidence: recognition.confidence }, text, options);
        }
        return this.finish(trace, options);
    }

    /** The question a call waits on for "yes" in `room` (absent: this machine), or null. */
    public pendingQuestion(room?: string): string | null {
        const pending = this.pending.get(room ?? "");
        return pending && performance.now() <= pending.expiresAt ? pending.question : null;
    }

    /** Forgets the call that waits for "yes" in `room` (nobody answered the question). */
    public dropPending(room?: string): void {
        this.pending.delete(room ?? "");
    }

    /** The call waiting for "yes" in `room`, unless it lapsed; either way there is none waiting there afterwards. */
    private takePending(room?: string): PendingCall | null {
        const pending = this.pending.get(room ?? "");
        this.pending.delete(room ?? "");
        return pending && performance.now() <= pending.expiresAt ? pending : null;
    }

    /** Runs the handler for a decided call and records what it did. */
    private async act(trace: TurnTrace, call: Pick<Recognition, "intent" | "args" | "resolved">, by: { engine: string; confidence: number }, text: string, options: TurnOptions): Promise<void> {
        const record = trace.record;
        const { intent: name, args } = call;
        const intent = this.intents.get(name);
        if (intent == null) {
            record.reply = this.config.conversation.notUnderstoodReply;
            return;
        }
        record.toolCall = { name, arguments: args, confidence: by.confidence, engine: by.engine };
        options.onPhase?.("acting");
        const outcome = await trace.stage("dispatch", () => this.dispatcher.dispatch(intent, args, text, { ...(options.signal ? { signal: options.signal } : {}), ...(call.resolved ? { resolved: call.resolved } : {}), ...(options.room ? { room: options.room } : {}) }), (o) => o);
        record.result = { ok: outcome.ok, ...(outcome.data !== undefined ? { data: outcome.data } : {}) };
        record.toolCall.arguments = outcome.args;
        record.reply = outcome.speech;
        if (outcome.error) record.error = outcome.error;
    }

    /** Speaks the reply when asked to, and writes the trace. */
    private async finish(trace: TurnTrace, options: TurnOptions): Promise<TraceRecord> {
        const record = trace.record;
        if (options.dryRun) return trace.finish();
        // A player that failed after it had started, or a timers file that had to be moved aside, is told with the next reply.
        const failures = [...this.services.player.takeLateFailures(), ...this.services.timers.takeNotices()];
        if (failures.length) {
            record.stages.push({ name: "notices", durationMs: 0, output: failures });
            record.reply = [...failures, record.reply].filter(Boolean).join(" ");
        }
        record.reply = cutAtWord(record.reply, this.config.conversation.maxReplyChars);
        if (record.reply && (options.speak || options.replyWav)) {
            options.onPhase?.("speaking");
            try {
                await trace.stage("speak", () => this.say(record.reply, options), () => ({ wav: options.replyWav ?? null, played: options.speak ?? false }));
            } catch (error) {
                this.notSpoken(record, error, { what: "the reply", level: "warn" });
            }
        }
        const done = trace.finish();
        this.record(done);
        this.log.info({ turn: done.id, intent: done.toolCall?.name ?? null, totalMs: done.totalMs }, "turn done");
        return done;
    }

    /**
     * Records why a turn's words could not be spoken. No sound card is a set-up hark works in (the words are printed,
     * and `hark run` shows them): logged at info; any other failure is news, at `level`.
     */
    private notSpoken(record: TraceRecord, error: unknown, how: { what: string; level: "warn" | "error"; timer?: Timer }): void {
        record.error ??= { code: (error as { code?: string }).code ?? "HARK_TTS_FAILED", message: errorMessage(error) };
        const fields = { err: error, ...(how.timer ? { timer: how.timer } : {}) };
        if (error instanceof PlaybackError) this.log.info(fields, `could not play ${how.what}`);
        else this.log[how.level](fields, `could not speak ${how.what}`);
    }

    /** Appends a finished turn to the trace file (the voice loop uses it for turns that never reached text). */
    public record(turn: TraceRecord): void {
        // A trace that cannot be written (a full disk) never costs the turn its answer.
        try {
            this.traces.write(turn);
            this.traceFailing = false;
        } catch (error) {
            if (!this.traceFailing) this.log.warn({ err: error }, `could not write the trace (${errorMessage(error)}); turns go on untraced until it works again`);
            this.traceFailing = true;
        }
    }

    /** Synthesises `text`; writes it to `replyWav` and/or plays it here (waiting until it ends), as speech or an announcement. */
    public async say(text: string, options: Pick<TurnOptions, "speak" | "replyWav" | "signal"> & { as?: "speech" | "announcement" } = { speak: true }): Promise<void> {
        const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), "hark-tts-"));
        try {
            const wav = options.replyWav ?? path.join(dir, "reply.wav");
            await this.speaker.synthesize(text, wav, options.signal);
            if (options.speak) {
                const playback = await this.output.play(wav, options.as ?? "speech");
                await playback.done;
            }
        } finally {
            await fs.promises.rm(dir, { recursive: true, force: true });
        }
    }

    /**
     * Starts ringing timers (daemon mode): each one is announced when it ends, and traced as a turn of source "timer";
     * `onAnnounced` sees that record (the terminal's transcript); `speak: false` announces in the trace and to it only.
     */
    public startTimers(options: { speak?: boolean; onAnnounced?: (record: TraceRecord) => void; outputIn?: (room: string) => Player | null } = {}): void {
        const speak = options.speak ?? true;
        this.services.timers.start((timer: Timer, late: boolean) => {
            const what = `${timer.label ? `${timer.label} ` : ""}timer for ${describeDuration(timer.durationMs)}`;
            const speech = late ? `Your ${what} went off while I wasn't running.` : `Your ${what} is done.`;
            const trace = new TurnTrace("", "timer");
            if (timer.room) trace.record.room = timer.room;
            trace.record.stages.push({ name: "timer", durationMs: 0, output: { id: timer.id, label: timer.label, durationMs: timer.durationMs, late } });
            trace.record.reply = speech;
            const spoken = speak ? trace.stage("speak", () => this.announce(speech, timer.room, options.outputIn), (where) => ({ played: true, where })) : Promise.resolve();
            void spoken
                .catch((error: unknown) => this.notSpoken(trace.record, error, { what: "the timer's announcement", level: "error", timer }))
                .then(() => {
                    const record = trace.finish();
                    this.record(record);
                    options.onAnnounced?.(record);
                });
        });
    }

    /**
     * Says a timer's announcement in the room it was set in, through that room's output (a satellite's speaker); here
     * when it was set here, or when that room's satellite is not connected. Resolves with where it was said.
     */
    private async announce(speech: string, room: string | undefined, outputIn: ((room: string) => Player | null) | undefined): Promise<string> {
        const output = room ? outputIn?.(room) : null;
        if (room && output) {
            const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), "hark-tts-"));
            try {
                const wav = path.join(dir, "announcement.wav");
                await this.speaker.synthesize(speech, wav);
                await (await output.play(wav, "announcement")).done;
                return room;
            } finally {
                await fs.promises.rm(dir, { recursive: true, force: true });
            }
        }
        if (room) this.log.warn({ room }, `the ${room} satellite is not connected; the timer's announcement plays here`);
        await this.say(speech, { speak: true, as: "announcement" });
        return "here";
    }

    public async dispose(): Promise<void> {
        this.services.timers.stop();
        this.services.music.stop();
        this.services.player.stopAll();
        await this.router.dispose();
        this.dispatcher.dispose();
        await this.intents.dispose();
    }

    public async [Symbol.asyncDispose](): Promise<void> {
        await this.dispose();
    }
}

/** `text` cut to at most `max` characters, at a word where there is one, marked with "…". */
function cutAtWord(text: string, max: number): string {
    if (text.length <= max) return text;
    const cut = text.slice(0, max - 1);
    const space = cut.lastIndexOf(" ");
    return `${space > max / 2 ? cut.slice(0, space) : cut}…`;
}

/** Makes the data folder (private, see privateModes, when hark makes it), or says in words why it cannot be used. */
function usableDataDir(dir: string): void {
    try {
        fs.mkdirSync(dir, { recursive: true, mode: privateModes().dir });
        fs.accessSync(dir, fs.constants.W_OK);
    } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        const why = code === "ENOTDIR" || code === "EEXIST" ? "part of that path is a file, not a folder" : code === "EACCES" || code === "EPERM" || code === "EROFS" ? "hark may not write there" : errorMessage(error);
        throw new HarkError("HARK_DATA_DIR", `cannot use ${dir} as the data folder (${why}); set paths.dataDir in the config, or HARK__PATHS__DATADIR, to a folder hark may write`);
    }
}
