import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Logger } from "pino";
import { CommandPlayer, type Player } from "../audio/player.ts";
import type { HarkConfig } from "../config/schema.ts";
import { Dispatcher } from "../dispatch/dispatcher.ts";
import { errorMessage } from "../errors.ts";
import { IntentRegistry } from "../intents/registry.ts";
import type { LlmOverrides } from "../llm/profile.ts";
import { RecognizerRouter } from "../nlu/router.ts";
import { TemplateRecognizer } from "../nlu/templates.ts";
import { MusicService } from "../services/music.ts";
import type { Services } from "../services/services.ts";
import { describeDuration, TimerService, type Timer } from "../services/timers.ts";
import { VolumeControl } from "../services/volume.ts";
import { StateStore } from "../state/store.ts";
import { EspeakSpeaker } from "../tts/espeak.ts";
import type { Speaker } from "../tts/speaker.ts";
import { round2, TraceWriter, TurnTrace, type TraceRecord, type TraceStage } from "../trace/trace.ts";
import { createLlmRecognizer, selectedProfile } from "./llm-setup.ts";

/** Said when no intent fits; nothing is run. */
export const REFUSAL = "Sorry, I don't know how to help with that.";

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
}

/** Options for one turn. */
export interface TurnOptions {
    /** Where the text came from, for the trace ("cli", "stdin", "stt"). Defaults to "text". */
    source?: string;
    /** Speak the reply through the player. Defaults to `false`. */
    speak?: boolean;
    /** Write the spoken reply to this WAV file. */
    replyWav?: string;
    signal?: AbortSignal;
    /** Stages that ran before the text existed (wake word, endpointing, transcription), put first in the trace. */
    audioStages?: TraceStage[];
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
        public readonly speaker: Speaker,
        private readonly traces: TraceWriter,
        private readonly llmOverrides: LlmOverrides | false
    ) {}

    /** The LLM set-up in use (profile and the settings that shape its prompt), or null without an LLM. */
    private llmKey: string | null = null;

    public static async create(options: AssistantOptions): Promise<Assistant> {
        const { config, log } = options;
        const intents = await IntentRegistry.create({ dirs: config.paths.intentsDirs, log: log.child({ component: "intents" }), watch: options.watchIntents ?? false });
        const templates = new TemplateRecognizer(intents.intents.map((i) => i.spec), { fuzzy: config.nlu.fuzzy, fillerWords: config.nlu.fillerWords, leadingPhrases: config.nlu.leadingPhrases });
        const router = new RecognizerRouter([{ recognizer: templates, minConfidence: config.nlu.minConfidence }], intents.intents.map((i) => i.spec));
        intents.onChange((set) => router.setIntents(set.intents.map((i) => i.spec)));

        const player = options.player ?? new CommandPlayer({ commands: config.player, startupCheckMs: config.player.startupCheckMs, log: log.child({ component: "player" }) });
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
        const state = new StateStore(options.ephemeralState ? null : path.join(config.paths.dataDir, "state.json"), log);
        const dispatcher = new Dispatcher({ timeoutMs: config.dispatch.timeoutMs, log: log.child({ component: "dispatch" }), services, state, config });
        const speaker = new EspeakSpeaker({ voice: config.tts.voice, speedWpm: config.tts.speedWpm });
        const traces = new TraceWriter(config.trace.enabled ? config.trace.file : null);
        const assistant = new Assistant(config, log, intents, router, dispatcher, services, speaker, traces, options.llm ?? {});
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
            this.router.setMinConfidence("llm", minConfidence);
            return;
        }
        const recognizer = profile && await createLlmRecognizer(profile, config, this.log.child({ component: "llm" }));
        const old = await this.router.replace("llm", recognizer && { recognizer, minConfidence });
        await old?.dispose?.();
        this.llmKey = key;
        if (old != null || recognizer != null) this.log.info({ profile: recognizer ? profile?.name : null }, recognizer ? "LLM profile in use" : "LLM off");
    }

    /** Runs one turn from text to reply. Never throws for a failing stage: the trace says what went wrong. */
    public async handleText(text: string, options: TurnOptions = {}): Promise<TraceRecord> {
        const trace = new TurnTrace(text, options.source ?? "text");
        const record = trace.record;
        record.stages.push(...(options.audioStages ?? []));
        const routed = await trace.stage("recognize", () => this.router.recognize(text, options.signal), (r) => ({
            intent: r.recognition?.intent ?? null,
            args: r.recognition?.args ?? null,
            confidence: r.recognition?.confidence ?? null,
            engine: r.recognition?.source ?? null,
            attempts: r.attempts.map((a) => ({ engine: a.engine, verdict: a.verdict, durationMs: round2(a.durationMs), confidence: a.result?.confidence, detail: a.result?.detail, error: a.error }))
        }));
        const recognition = routed.recognition;
        const intent = recognition ? this.intents.get(recognition.intent) : undefined;
        if (recognition == null || intent == null) {
            record.reply = REFUSAL;
        } else {
            record.toolCall = { name: recognition.intent, arguments: recognition.args, confidence: recognition.confidence, engine: recognition.source };
            options.onPhase?.("acting");
            const outcome = await trace.stage("dispatch", () => this.dispatcher.dispatch(intent, recognition.args, text, options.signal), (o) => o);
            record.result = { ok: outcome.ok, ...(outcome.data !== undefined ? { data: outcome.data } : {}) };
            record.toolCall.arguments = outcome.args;
            record.reply = outcome.speech;
            if (outcome.error) record.error = outcome.error;
        }
        if (record.reply && (options.speak || options.replyWav)) {
            options.onPhase?.("speaking");
            try {
                await trace.stage("speak", () => this.say(record.reply, options), () => ({ wav: options.replyWav ?? null, played: options.speak ?? false }));
            } catch (error) {
                record.error ??= { code: (error as { code?: string }).code ?? "HARK_TTS_FAILED", message: errorMessage(error) };
                this.log.warn({ err: error }, "could not speak the reply");
            }
        }
        const done = trace.finish();
        this.record(done);
        this.log.info({ turn: done.id, intent: done.toolCall?.name ?? null, totalMs: done.totalMs }, "turn done");
        return done;
    }

    /** Appends a finished turn to the trace file (the voice loop uses it for turns that never reached text). */
    public record(turn: TraceRecord): void {
        this.traces.write(turn);
    }

    /** Synthesises `text`; writes it to `replyWav` and/or plays it (waiting until it ends). */
    public async say(text: string, options: Pick<TurnOptions, "speak" | "replyWav" | "signal"> = { speak: true }): Promise<void> {
        const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), "hark-tts-"));
        try {
            const wav = options.replyWav ?? path.join(dir, "reply.wav");
            await this.speaker.synthesize(text, wav, options.signal);
            if (options.speak) {
                const playback = await this.services.player.play(wav, "speech");
                await playback.done;
            }
        } finally {
            await fs.promises.rm(dir, { recursive: true, force: true });
        }
    }

    /** Starts ringing timers: each one is announced when it ends (daemon mode). */
    public startTimers(): void {
        this.services.timers.start((timer: Timer, late: boolean) => {
            const what = `${timer.label ? `${timer.label} ` : ""}timer for ${describeDuration(timer.durationMs)}`;
            const speech = late ? `Your ${what} went off while I wasn't running.` : `Your ${what} is done.`;
            this.say(speech).catch((error: unknown) => this.log.error({ err: error, timer }, "could not announce the timer"));
        });
    }

    public async dispose(): Promise<void> {
        this.services.timers.stop();
        this.services.music.stop();
        this.services.player.stopAll();
        await this.router.dispose();
        await this.intents.dispose();
    }

    public async [Symbol.asyncDispose](): Promise<void> {
        await this.dispose();
    }
}
