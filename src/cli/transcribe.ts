import type { Command } from "commander";
import { readAudioFile } from "../audio/file.ts";
import { HarkError } from "../errors.ts";
import { Assistant } from "../pipeline/assistant.ts";
import { chooseTranscriber, createTranscriber } from "../pipeline/voice-setup.ts";
import { setup } from "./common.ts";

/** `hark transcribe FILE.wav`: speech to text only. */
export function registerTranscribe(program: Command): void {
    program.command("transcribe")
        .description("transcribe an audio file (the whole file is one utterance)")
        .argument("<file>", "audio file")
        .option("--engine <engine>", "grammar (pocketsphinx with the intents' grammar) or whisper; default: the config's stt.engine")
        .option("--json", "print the transcript object")
        .action(async (file: string, options: { engine?: string; json?: boolean }, command: Command) => {
            const { config, log } = setup(command, "warn");
            const engine = options.engine ?? chooseTranscriber(config);
            if (engine !== "grammar" && engine !== "whisper") throw new HarkError("HARK_STT_ENGINE", `unknown engine "${engine}"; available: grammar, whisper`);
            const assistant = await Assistant.create({ config, log, ephemeralState: true, llm: false });
            const transcriber = await createTranscriber(config, assistant, log, engine);
            try {
                const started = performance.now();
                const transcript = await transcriber.transcribe(await readAudioFile(file));
                const ms = Math.round(performance.now() - started);
                process.stdout.write(options.json ? `${JSON.stringify({ ...transcript, durationMs: ms }, null, 2)}\n` : `${transcript.text}\n`);
            } finally {
                await transcriber.dispose();
                await assistant.dispose();
            }
        });
}
