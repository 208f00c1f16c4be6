import type { Command } from "commander";
import { Assistant } from "../pipeline/assistant.ts";
import { startWyoming } from "../pipeline/compose.ts";
import { createTranscriber } from "../pipeline/voice-setup.ts";
import type { WyomingService } from "../pipeline/wyoming-service.ts";
import { addLlmOptions, llmOverrides, setup, type LlmCliOptions } from "./common.ts";

/** `hark wyoming serve`: hark's recognizer, voices, wake words and intents as Wyoming services for Home Assistant. */
export function registerWyoming(program: Command): void {
    const wyoming = program.command("wyoming").description("the Wyoming protocol (Home Assistant's voice services)");
    addLlmOptions(wyoming.command("serve")
        .description("serve asr (speech to text), tts (espeak-ng), wake (openWakeWord), handle (run hark's intents) and intent (recognize only) over Wyoming until stopped")
        .option("--uri <uri>", "where to listen: tcp://HOST:PORT or unix:///path; default: the config's wyoming.uri (tcp://127.0.0.1:10700)"))
        .action(async (options: LlmCliOptions & { uri?: string }, command: Command) => {
            const { config, log } = setup(command, "info");
            const assistant = await Assistant.create({ config, log, watchIntents: true, llm: llmOverrides(options) });
            assistant.startTimers({ speak: true });
            const transcriber = await createTranscriber(config, assistant, log);
            let server: WyomingService | null = null;
            try {
                server = await startWyoming(options.uri ?? config.wyoming.uri, assistant, transcriber, log);
                process.stderr.write(`hark: serving Wyoming at ${server.uri} (Ctrl-C stops)\n`);
                await new Promise<void>((resolve) => {
                    process.once("SIGINT", resolve);
                    process.once("SIGTERM", resolve);
                });
            } finally {
                await server?.dispose();
                await transcriber.dispose();
                await assistant.dispose();
            }
        });
}
