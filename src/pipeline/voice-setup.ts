import fs from "node:fs";
import path from "node:path";
import type { Logger } from "pino";
import type { RoomOutput } from "../audio/output.ts";
import type { PlayedAudio } from "../audio/played.ts";
import type { HarkConfig } from "../config/schema.ts";
import { chainFrontEnds, type AudioFrontEnd } from "../frontend/frontend.ts";
import { packageRoot } from "../paths.ts";
import { GrammarTranscriber } from "../stt/grammar.ts";
import { WhisperTranscriber } from "../stt/whisper.ts";
import type { Transcriber } from "../stt/transcriber.ts";
import { SileroVad } from "../vad/silero.ts";
import type { VoiceActivityDetector } from "../vad/vad.ts";
import type { WakeWordDetector } from "../wake/detector.ts";
import { OpenWakeWordDetector, packagedModelsDir } from "../wake/openwakeword.ts";
import { knownSlotValues, type Assistant } from "./assistant.ts";
import { CONFIRMATION_ANSWERS } from "./confirmation.ts";
import { VoicePipeline, type VoicePipelineOptions, type VoiceTurns } from "./voice.ts";

/** The engines the voice loop uses, chosen by config. */
export interface VoiceEngines {
    wake: WakeWordDetector;
    vad: VoiceActivityDetector;
    /** Noise suppression before everything that listens, when the config asks for it. */
    frontEnd: AudioFrontEnd | null;
    transcriber: Transcriber;
    dispose(): Promise<void>;
}

/** Creates the wake-word engine named in the config. */
export async function createWakeWordDetector(config: HarkConfig): Promise<WakeWordDetector> {
    const w = config.wake;
    if (w.engine === "porcupine") {
        const { PorcupineDetector } = await import("../wake/porcupine.ts");
        return PorcupineDetector.create({ accessKey: w.porcupineAccessKey, keyword: w.keyword, sensitivity: w.thresholdScore, refractoryMs: w.refractoryMs });
    }
    return OpenWakeWordDetector.create({ keyword: w.keyword, thresholdScore: w.thresholdScore, refractoryMs: w.refractoryMs, ...(w.modelsDir ? { modelsDir: w.modelsDir } : {}) });
}

/** Which transcriber the config asks for: `auto` means whisper when its model file exists. */
export function chooseTranscriber(config: HarkConfig): "grammar" | "whisper" {
    const s = config.stt;
    if (s.engine !== "auto") return s.engine;
    return s.whisperModel && fs.existsSync(s.whisperModel) ? "whisper" : "grammar";
}

/**
 * Words of stt.fillersBefore and stt.fillersAfter that nlu.fillerWords lacks. The grammar leaves them out: the text
 * matcher would keep such a word, and a request heard with it would then match nothing.
 */
export function fillersNotDropped(config: HarkConfig): string[] {
    return [...new Set([...config.stt.fillersBefore, ...config.stt.fillersAfter])].filter((word) => !config.nlu.fillerWords.includes(word));
}

/** The grammar transcriber with the config's acoustic model, dictionary and extra pronunciations. */
export function createGrammarTranscriber(config: HarkConfig, log: Logger): Promise<GrammarTranscriber> {
    const s = config.stt;
    const notDropped = fillersNotDropped(config);
    if (notDropped.length) log.warn({ words: notDropped }, `not listening for ${notDropped.join(", ")} around requests: add them to nlu.fillerWords too`);
    const typedToo = (word: string): boolean => !notDropped.includes(word);
    return GrammarTranscriber.create({
        log, pronunciations: s.pronunciations, ...(s.confidence ? {} : { referenceLmPath: null }),
        around: { before: s.fillersBefore.filter(typedToo), after: s.fillersAfter.filter(typedToo), leadingPhrases: config.nlu.leadingPhrases },
        ...(s.hmmDir ? { hmmDir: s.hmmDir } : {}), ...(s.dictionaryPath ? { dictionaryPath: s.dictionaryPath } : {})
    });
}

/** Creates the transcriber named in the config, adapted to the intents (and kept so when they change). */
export async function createTranscriber(config: HarkConfig, assistant: Pick<Assistant, "intents" | "services">, log: Logger, engine = chooseTranscriber(config)): Promise<Transcriber> {
    const s = config.stt;
    const sttLog = log.child({ component: "stt" });
    const transcriber: Transcriber = engine === "whisper"
        ? await WhisperTranscriber.create({ modelPath: s.whisperModel || "(stt.whisperModel is empty)", language: s.language, threads: s.threads, log: sttLog })
        : await createGrammarTranscriber(config, sttLog);
    // The answers to a confirmation question ("yes", "no") must be hearable too.
    const rebuild = async (): Promise<void> => transcriber.setIntents([...assistant.intents.intents.map((i) => i.spec), CONFIRMATION_ANSWERS], await knownSlotValues(assistant.services, config));
    await rebuild();
    assistant.intents.onChange(rebuild);
    return transcriber;
}

/** The engines one room's voice loop has to itself: they hold its audio (the recognizer is shared). */
export async function createRoomEngines(config: HarkConfig, played: PlayedAudio | null = null, log?: Logger): Promise<Omit<VoiceEngines, "transcriber">> {
    const wake = await createWakeWordDetector(config);
    const vad = await SileroVad.create({ modelPath: config.vad.modelPath || path.join(packagedModelsDir(), "silero_vad.onnx") });
    const frontEnd = chainFrontEnds([
        ...(played ? await echoCanceller(config, played, log) : []),
        ...(config.audio.noiseSuppression === "rnnoise" ? [await (await import("../frontend/rnnoise.ts")).RnnoiseFrontEnd.create()] : [])
    ]);
    return {
        wake, vad, frontEnd,
        async dispose() {
            frontEnd?.dispose();
            await vad.dispose();
            await wake.dispose();
        }
    };
}

/**
 * The echo canceller for the room whose speaker `played` notes, or none (with a warning that says why) when its
 * binding is not built: hark still listens, only not through its own playback.
 */
async function echoCanceller(config: HarkConfig, played: PlayedAudio, log?: Logger): Promise<AudioFrontEnd[]> {
    const { EchoCancellerFrontEnd } = await import("../frontend/echo.ts");
    try {
        const a = config.audio;
        return [new EchoCancellerFrontEnd(played, { tailMs: a.echoTailMs, latencyMs: a.echoLatencyMs, suppressDb: a.echoSuppressDb })];
    } catch (error) {
        log?.warn({ err: error }, "listening without echo cancellation");
        return [];
    }
}

/** Creates every engine of the voice loop. */
export async function createVoiceEngines(config: HarkConfig, assistant: Pick<Assistant, "intents" | "services" | "output">, log: Logger): Promise<VoiceEngines> {
    const room = await createRoomEngines(config, assistant.output.played, log);
    const transcriber = await createTranscriber(config, assistant, log);
    return {
        ...room, transcriber,
        async dispose() {
            await transcriber.dispose();
            await room.dispose();
        }
    };
}

/** A room's voice loop wired from config: `turns` understands and acts, `output` is the room's speaker. */
export function createVoicePipeline(config: HarkConfig, turns: VoiceTurns, output: RoomOutput, engines: Omit<VoiceEngines, "dispose">, log: Logger, overrides: Pick<VoicePipelineOptions, "speak" | "replyWav" | "muteWhilePlaying" | "room"> = {}): VoicePipeline {
    const c = config.conversation;
    const sound = (configured: string, name: string): string => configured || path.join(packageRoot, "src", "audio", "sounds", `${name}.wav`);
    const { room, ...rest } = overrides;
    return new VoicePipeline({
        turns, output, ...(room ? { room } : {}), wake: engines.wake, frontEnd: engines.frontEnd, vad: engines.vad, transcriber: engines.transcriber, log: log.child({ component: "voice" }),
        endpointer: config.vad,
        followUpMs: c.followUpMs,
        ...(config.wake.engine === "openwakeword" ? { playbackWakeThreshold: config.wake.playbackThresholdScore, noisyWake: { thresholdScore: config.wake.noisyThresholdScore, marginDb: config.wake.noisyMarginDb } } : {}),
        notUnderstoodReply: c.notUnderstoodReply, quietBelowSpeechMs: c.quietBelowSpeechMs, quietBelowDbfs: c.quietBelowDbfs,
        sounds: c.feedbackSounds ? { wake: sound(c.wakeSound, "wake"), done: sound(c.doneSound, "done"), error: sound(c.errorSound, "error") } : {},
        saveUtterancesDir: config.audio.saveUtterances ? path.join(config.paths.dataDir, "utterances") : null,
        ...rest
    });
}
