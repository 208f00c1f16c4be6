import type { Command } from "commander";
import { readAudioFile } from "../audio/file.ts";
import { samplesIn } from "../audio/pcm.ts";
import { HarkError } from "../errors.ts";
import { Assistant } from "../pipeline/assistant.ts";
import { chooseTranscriber, createTranscriber, createWakeWordDetector } from "../pipeline/voice-setup.ts";
import type { WakeDetection } from "../wake/detector.ts";
import { setup } from "./common.ts";

/** `hark transcribe FILE.wav`: speech to text only. */
export function registerTranscribe(program: Command): void {
    program.command("transcribe")
        .description("transcribe an audio file: what follows the wake word, or the whole file when none is heard (or with --whole)")
        .argument("<file>", "audio file")
        .option("--engine <engine>", "grammar (pocketsphinx with the intents' grammar) or whisper; default: the config's stt.engine")
        .option("--whole", "transcribe the whole file, wake word and all")
        .option("--json", "print the transcript object")
        .action(async (file: string, options: { engine?: string; json?: boolean; whole?: boolean }, command: Command) => {
            const { config, log } = setup(command, "warn");
            const engine = options.engine ?? chooseTranscriber(config);
            if (engine !== "grammar" && engine !== "whisper") throw new HarkError("HARK_STT_ENGINE", `unknown engine "${engine}"; available: grammar, whisper`);
            let samples = await readAudioFile(file);
            let wake: WakeDetection | null = null;
            if (!options.whole) {
                wake = await findWakeWord(samples, config);
                if (wake) samples = samples.subarray(Math.min(samples.length, samplesIn(wake.timestampMs)));
                else process.stderr.write(`hark: no wake word ("${config.wake.keyword}") heard; transcribing the whole file\n`);
            }
            const assistant = await Assistant.create({ config, log, ephemeralState: true, llm: false });
            const transcriber = await createTranscriber(config, assistant, log, engine);
            try {
                const started = performance.now();
                const transcript = await transcriber.transcribe(samples);
                const ms = Math.round(performance.now() - started);
                const after = wake ? { wake: { keyword: wake.keyword, score: Math.round(wake.score * 100) / 100, atMs: Math.round(wake.timestampMs) } } : {};
                process.stdout.write(options.json ? `${JSON.stringify({ ...transcript, ...after, durationMs: ms }, null, 2)}\n` : `${transcript.text}\n`);
            } finally {
                await transcriber.dispose();
                await assistant.dispose();
            }
        });
}

/** Where the wake word first ends in the recording, or null when it is not heard. */
async function findWakeWord(samples: Int16Array, config: Parameters<typeof createWakeWordDetector>[0]): Promise<WakeDetection | null> {
    const detector = await createWakeWordDetector(config);
    try {
        // The detector takes audio of any length and says where in it each detection ended.
        return (await detector.process(samples, 0))[0] ?? null;
    } finally {
        await detector.dispose();
    }
}
