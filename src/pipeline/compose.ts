import type { Logger } from "pino";
import { packageVersion } from "../paths.ts";
import type { Transcriber } from "../stt/transcriber.ts";
import type { Assistant } from "./assistant.ts";
import { SatelliteHub } from "./satellites.ts";
import { createVoiceEngines, createVoicePipeline, type VoiceEngines } from "./voice-setup.ts";
import type { VoicePipeline, VoicePipelineOptions } from "./voice.ts";
import { serveWyoming, type WyomingService } from "./wyoming-service.ts";

/**
 * Everything hark listens with, built once: the shared engines (the recognizer decodes one utterance at a time for
 * every room), this machine's voice loop, a voice loop per satellite, and Home Assistant's Wyoming services. Each part
 * is handed only what it uses of the assistant.
 */
export interface Voice {
    engines: VoiceEngines;
    /** This machine's room: its microphone (or a file, or stdin) and its speaker. */
    local: VoicePipeline;
    satellites: SatelliteHub | null;
    wyoming: WyomingService | null;
    /** Stops the rooms and the services, then the engines. */
    dispose(): Promise<void>;
}

/** Builds hark's voice from the assistant's config: satellites and the Wyoming service only when configured. */
export async function composeVoice(assistant: Assistant, log: Logger, overrides: Pick<VoicePipelineOptions, "speak" | "replyWav" | "muteWhilePlaying"> = {}): Promise<Voice> {
    const config = assistant.config;
    const engines = await createVoiceEngines(config, assistant, log);
    let wyoming: WyomingService | null = null;
    try {
        wyoming = config.wyoming.serve ? await startWyoming(config.wyoming.uri, assistant, engines.transcriber, log) : null;
    } catch (error) {
        await engines.dispose();
        throw error;
    }
    const satellites = config.satellites.length
        ? SatelliteHub.start(config.satellites, { config, turns: assistant, timers: assistant.services.timers, transcriber: engines.transcriber, log: log.child({ component: "satellites" }) })
        : null;
    const local = createVoicePipeline(config, assistant, assistant.output, engines, log, overrides);
    return {
        engines, local, satellites, wyoming,
        async dispose() {
            await satellites?.dispose();
            await wyoming?.dispose();
            await engines.dispose();
        }
    };
}

/** Starts hark's Wyoming services at `uri` on a transcriber the caller owns (`hark run` shares its voice loop's). */
export function startWyoming(uri: string, assistant: Assistant, transcriber: Transcriber, log: Logger): Promise<WyomingService> {
    return serveWyoming(uri, {
        config: assistant.config, turns: assistant, recognizer: assistant.router, intents: assistant.intents, speaker: assistant.speaker,
        transcriber, version: packageVersion(), log: log.child({ component: "wyoming" })
    });
}
