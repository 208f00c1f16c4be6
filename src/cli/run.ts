import readline from "node:readline";
import type * as Chokidar from "chokidar";
import type { Command } from "commander";
import { MicrophoneSource } from "../audio/microphone.ts";
import { PcmStreamSource } from "../audio/stdin.ts";
import { intentOfError } from "../intents/load.ts";
import { loadConfig } from "../config/load.ts";
import { errorMessage } from "../errors.ts";
import type { Logger } from "../log/logger.ts";
import { Assistant } from "../pipeline/assistant.ts";
import { composeVoice, type Voice } from "../pipeline/compose.ts";
import type { SatelliteHub } from "../pipeline/satellites.ts";
import type { VoicePipeline } from "../pipeline/voice.ts";
import { SystemdNotifier, watchdogIntervalMs } from "../service/notify.ts";
import { Watchdog } from "../service/watchdog.ts";
import type { TraceRecord } from "../trace/trace.ts";
import { onFirstUse } from "../util/lazy.ts";
import type { Page, PageOptions } from "../web/assemble.ts";
import { writableConfigFile } from "../config/edit.ts";
import { addLlmOptions, llmOverrides, setup, type GlobalOptions, type LlmCliOptions } from "./common.ts";
import { Transcript } from "./transcript.ts";

interface RunOptions extends LlmCliOptions {
    text?: boolean;
    stdinAudio?: boolean;
    quiet?: boolean;
    stay?: boolean;
}

/** `hark run`: the assistant daemon. Microphone by default; `--text` or `--stdin-audio` for pipes. */
export function registerRun(program: Command): void {
    addLlmOptions(program.command("run")
        .description("run the assistant: listen on the microphone (or stdin), ring timers, reload intent files while running")
        .option("--text", "read one sentence per line from stdin instead of listening")
        .option("--stdin-audio", "read raw 16 kHz mono s16le audio from stdin instead of the microphone")
        .option("-q, --quiet", "print replies without speaking them")
        .option("--stay", "with --text or --stdin-audio: keep running when the input ends, to ring the timers that are set"))
        .action(async (options: RunOptions, command: Command) => {
            const { config, log, file } = setup(command);
            log.info({ config: file ?? "(defaults)", intentsDirs: config.paths.intentsDirs }, "hark starting");
            surviveIntentErrors(log);
            const service = serviceLink(config.service.stuckAfterS * 1000, log);
            void service.notifier?.status("loading intents and models");
            const assistant = await Assistant.create({ config, log, watchIntents: true, llm: llmOverrides(options) });
            log.info({ intents: assistant.intents.intents.map((i) => i.spec.name), problems: assistant.intents.problems.length }, "intents loaded");
            const transcript = process.stdout.isTTY ? new Transcript((line) => process.stdout.write(line)) : null;
            // A timer set in a satellite's room rings there once the voice loop has connected to the satellites.
            const rooms: Rooms = { hub: null, voice: null, page: null };
            rooms.page = config.ui.serve ? await startPage(assistant, { configFile: writableConfigFile(command.optsWithGlobals<GlobalOptions>().config, file), listening: !options.text, log, transcriber: () => rooms.voice?.engines.transcriber ?? null }) : null;
            if (rooms.page && transcript) process.stdout.write(`web page: ${rooms.page.server.url}\n`);
            assistant.startTimers({
                speak: !options.quiet, outputIn: (room) => rooms.hub?.outputIn(room) ?? null,
                onAnnounced: (record) => {
                    transcript?.turn(record);
                    rooms.page?.live.turn(record);
                }
            });
            const configWatcher = file ? watchConfig(file, assistant, log) : null;

            const controller = new AbortController();
            const stopped = new Promise<string>((resolve) => {
                process.once("SIGINT", () => resolve("SIGINT"));
                process.once("SIGTERM", () => resolve("SIGTERM"));
            });
            if (options.text && config.wyoming.serve) log.warn("wyoming.serve is for the voice loop; with --text nothing is served (hark wyoming serve serves on its own)");
            const work = options.text
                ? runText(assistant, options, controller.signal, log, service, transcript, rooms)
                : runVoice(assistant, options, controller.signal, log, service, transcript, rooms);
            const reason = await Promise.race([stopped, work.then(() => (options.stay ? new Promise<string>(() => undefined) : "end of input"))]);
            if (reason === "end of input") await tellPendingTimers(assistant);
            log.info({ reason }, "shutting down");
            service.watchdog?.stop();
            void service.notifier?.stopping();
            controller.abort();
            await work.catch((error: unknown) => log.error({ err: error }, "stopped with an error"));
            await configWatcher?.close();
            await rooms.page?.close();
            await assistant.dispose();
            log.info("stopped");
        });
}

/**
 * An error an intent's code throws outside its turn (from its own timer, an unawaited promise) is logged against the
 * intent and hark goes on; any other uncaught error still stops hark (systemd restarts it), as it would without this.
 */
function surviveIntentErrors(log: Logger): void {
    const handle = (error: unknown, how: string): void => {
        const intent = intentOfError(error);
        if (intent == null) {
            log.fatal({ err: error }, `${how} in hark itself; stopping`);
            process.exit(1);
        }
        log.error({ err: error, intent }, `${how} in the code of intent file ${intent}, after its turn; ignored (fix the intent)`);
    };
    process.on("uncaughtException", (error) => handle(error, "uncaught error"));
    process.on("unhandledRejection", (reason) => handle(reason, "unhandled promise rejection"));
}

/**
 * Applies edits of the config file's LLM settings while running: a new profile, model, adapter or parameter loads
 * the new model (the old one answers meanwhile). An invalid edit is logged and the running set-up kept.
 */
function watchConfig(file: string, assistant: Assistant, log: Logger): { close(): Promise<void> } {
    const watcher = onFirstUse<typeof Chokidar>("chokidar")().watch(file, { ignoreInitial: true, awaitWriteFinish: { stabilityThreshold: 200, pollInterval: 50 } });
    let applying = Promise.resolve();
    const apply = (): void => {
        applying = applying.then(async () => {
            try {
                const { config } = loadConfig({ file });
                await assistant.configureLlm(config);
                log.info({ file }, "config reloaded (LLM settings apply now; other sections after a restart)");
            } catch (error) {
                log.error({ file, err: error }, `config change not applied, keeping the running set-up: ${errorMessage(error)}`);
            }
        });
    };
    watcher.on("change", apply).on("add", apply);
    return { close: async () => { await watcher.close(); await applying; } };
}

/** What the voice loop, the timers and the web page share while hark runs. */
interface Rooms {
    hub: SatelliteHub | null;
    voice: Voice | null;
    page: Page | null;
}

/**
 * The web page, unless it cannot be served: hark goes on listening without it (a port in use by another program is
 * no reason to stop answering), and says how to fix it.
 */
async function startPage(assistant: Assistant, options: PageOptions): Promise<Page | null> {
    try {
        // The page's modules (the HTTP framework among them) are loaded only when it is served.
        const { servePage } = await import("../web/assemble.ts");
        const page = await servePage(assistant, options);
        options.log.info({ url: page.server.url, lan: assistant.config.ui.lan }, "web page served");
        return page;
    } catch (error) {
        options.log.warn(`the web page is not served: ${errorMessage(error)}; hark runs without it (ui.serve: false turns it off)`);
        return null;
    }
}

/** hark's link to systemd when it runs as the service: notifications, and the watchdog once the loop runs. */
interface ServiceLink {
    notifier: SystemdNotifier | null;
    watchdog: Watchdog | null;
    /** Start-up is done: tells systemd, and starts the watchdog over the voice loop (text mode: over the event loop). */
    ready(status: string, pipeline: VoicePipeline | null): void;
}

function serviceLink(stuckAfterMs: number, log: Logger): ServiceLink {
    const notifier = SystemdNotifier.fromEnvironment({ log: log.child({ component: "systemd" }) });
    const intervalMs = watchdogIntervalMs();
    const link: ServiceLink = {
        notifier, watchdog: null,
        ready(status, pipeline) {
            if (!notifier) return;
            void notifier.ready(status);
            if (intervalMs == null) return;
            link.watchdog = new Watchdog({
                intervalMs, stuckAfterMs, log, busyForMs: () => pipeline?.busyForMs() ?? 0, ping: () => notifier.watchdog()
            });
            link.watchdog.start();
            log.info({ intervalMs, stuckAfterMs }, "systemd watchdog on");
        }
    };
    return link;
}

/** Says, when hark stops at the end of its input, which timers are still set: they ring the next time it runs. */
async function tellPendingTimers(assistant: Assistant): Promise<void> {
    const pending = await assistant.services.timers.list().catch(() => []);
    if (pending.length) process.stderr.write(`hark: ${pending.length} timer(s) still set; they ring when hark runs again (--stay keeps it running for them)\n`);
}

/** Sentences from stdin, one per line. A script reads one reply per line; a terminal gets the transcript. */
async function runText(assistant: Assistant, options: RunOptions, signal: AbortSignal, log: Logger, service: ServiceLink, transcript: Transcript | null, rooms: Rooms): Promise<void> {
    const lines = readline.createInterface({ input: process.stdin, terminal: false });
    service.ready("reading sentences from stdin", null);
    signal.addEventListener("abort", () => lines.close(), { once: true });
    for await (const line of lines) {
        const text = line.trim();
        if (!text) continue;
        const record = await assistant.handleText(text, { source: "stdin", speak: !options.quiet, signal });
        rooms.page?.live.turn(record);
        if (transcript) transcript.turn(record);
        else process.stdout.write(`${record.reply}\n`);
    }
    if (!signal.aborted && options.stay) log.info("stdin closed; still running for timers (send SIGTERM or press Ctrl-C to stop)");
}

async function runVoice(assistant: Assistant, options: RunOptions, signal: AbortSignal, log: Logger, service: ServiceLink, transcript: Transcript | null, rooms: Rooms): Promise<void> {
    const config = assistant.config;
    // This machine's room, a room per satellite and the Wyoming services, on one shared recognizer.
    const voice = await composeVoice(assistant, log, { speak: !options.quiet });
    const { engines, local: pipeline, satellites, wyoming } = voice;
    const show = (record: TraceRecord): void => {
        rooms.page?.live.turn(record);
        if (transcript) transcript.turn(record);
        else process.stdout.write(`${record.room ? `[${record.room}] ` : ""}${record.input.text ? `"${record.input.text}" → ` : ""}${record.reply}\n`);
    };
    satellites?.onTurn(show);
    rooms.hub = satellites;
    rooms.voice = voice;
    const live = rooms.page?.live;
    if (live) {
        live.watch("", pipeline);
        satellites?.onPipeline((room, loop) => live.watch(room, loop));
    }
    try {
        pipeline.onTurn(show);
        if (!options.stdinAudio && config.audio.device === "none") {
            // A hub without a microphone of its own: the rooms are its satellites.
            if (!satellites && !wyoming) log.warn("audio.device is none, and there are no satellites and no Wyoming service: there is nothing to listen to");
            else log.info({ satellites: config.satellites.map((s) => s.name) }, "no microphone here (audio.device: none); serving the satellites");
            service.ready(`serving ${config.satellites.length} satellite(s)`, null);
        } else {
            const source = options.stdinAudio
                ? new PcmStreamSource(process.stdin)
                : new MicrophoneSource({ ...config.audio, log: log.child({ component: "microphone" }), onStatus: (status) => void service.notifier?.status(status) });
            log.info({ source: source.name, keyword: engines.wake.keyword, engine: engines.wake.name }, "listening for the wake word");
            service.ready(`listening for ${engines.wake.keyword} on ${source.name}`, pipeline);
            await pipeline.run(source, signal);
        }
        // The satellites' rooms and the Wyoming services go on after this machine's own audio ends, until hark is stopped.
        if ((satellites || wyoming) && !signal.aborted) {
            if (options.stdinAudio) log.info("stdin ended; still serving the satellites and Wyoming (send SIGTERM or press Ctrl-C to stop)");
            await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
        }
    } finally {
        rooms.hub = null;
        rooms.voice = null;
        await voice.dispose();
    }
}
