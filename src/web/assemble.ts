import type { Logger } from "pino";
import { FileSource } from "../audio/file.ts";
import { packageVersion } from "../paths.ts";
import type { Assistant } from "../pipeline/assistant.ts";
import { Explainer } from "../pipeline/explain.ts";
import { createRoomEngines, createTranscriber, createVoicePipeline } from "../pipeline/voice-setup.ts";
import type { Transcriber } from "../stt/transcriber.ts";
import type { TraceRecord } from "../trace/trace.ts";
import { LiveFeed } from "./live.ts";
import { serveWeb, type WebServer } from "./server.ts";

/** What {@link servePage} needs besides the assistant. */
export interface PageOptions {
    /** The config file the Models page writes. */
    configFile: string;
    /** Whether a voice loop listens here (hark run) or the page is served alone (hark ui). */
    listening: boolean;
    /** The port, when not the config's ui.port. */
    port?: number;
    log: Logger;
    /**
     * The recognizer the voice loop uses, once it has one: a recording sent from the page is decoded by it too (one
     * utterance at a time). Until then (hark ui, run --text) one is made for the first recording.
     */
    transcriber?: () => Transcriber | null;
}

/** The page with its live feed (rooms are watched through it) and the way to stop it. */
export interface Page {
    server: WebServer;
    live: LiveFeed;
    close(): Promise<void>;
}

/** Serves the web page over an assistant: the same turns, recognizer, intents, eval and model switch the commands use. */
export async function servePage(assistant: Assistant, options: PageOptions): Promise<Page> {
    const { config } = assistant;
    const log = options.log.child({ component: "web" });
    const live = new LiveFeed();
    let explainer: Explainer | null = null;
    let configNow = config;
    let ownTranscriber: Promise<Transcriber> | null = null;
    const transcriber = async (): Promise<Transcriber> => options.transcriber?.() ?? await (ownTranscriber ??= createTranscriber(config, assistant, log));
    /** A recording as `hark listen` hears it: its own wake word and VAD state, nothing played. */
    const listen = async (file: string): Promise<TraceRecord[]> => {
        const room = await createRoomEngines(config);
        try {
            const pipeline = createVoicePipeline(config, assistant, assistant.output, { ...room, transcriber: await transcriber() }, log, { speak: false, muteWhilePlaying: false });
            pipeline.onTurn((record) => live.turn(record));
            return await pipeline.run(new FileSource(file), new AbortController().signal);
        } finally {
            await room.dispose();
        }
    };
    const server = await serveWeb({
        config, configFile: options.configFile, turns: assistant, recognizer: assistant.router, intents: assistant.intents,
        applyLlm: async (changed) => {
            await assistant.configureLlm(changed);
            // The explanations' model follows the switch.
            await explainer?.dispose();
            explainer = null;
            configNow = changed;
        },
        listen,
        explain: (text) => (explainer ??= new Explainer(configNow, log)).explain(text),
        live, listening: options.listening, version: packageVersion(), log
    }, { port: options.port ?? config.ui.port, lan: config.ui.lan });
    return {
        server, live,
        async close() {
            await server.close();
            await explainer?.dispose();
            await (await ownTranscriber?.catch(() => null))?.dispose();
        }
    };
}
