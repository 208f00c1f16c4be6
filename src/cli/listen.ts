import type { Command } from "commander";
import { FileSource } from "../audio/file.ts";
import { Assistant } from "../pipeline/assistant.ts";
import { createVoiceEngines, createVoicePipeline } from "../pipeline/voice-setup.ts";
import { addLlmOptions, llmOverrides, setup, warnProblems, type LlmCliOptions } from "./common.ts";

/** `hark listen FILE.wav`: the whole voice pipeline on a recording. */
export function registerListen(program: Command): void {
    addLlmOptions(program.command("listen")
        .description("run the voice pipeline on an audio file: wake word, endpointing, transcription, understanding, action, reply")
        .argument("<file>", "audio file (WAV, FLAC, MP3 ...; any rate and channel count)")
        .option("-o, --out <reply.wav>", "write the spoken reply here (a second turn gets reply-2.wav, ...)")
        .option("--json", "print every turn's trace record")
        .option("--speak", "also play replies and feedback sounds"))
        .action(async (file: string, options: { out?: string; json?: boolean; speak?: boolean } & LlmCliOptions, command: Command) => {
            const { config, log } = setup(command, "warn");
            const assistant = await Assistant.create({ config, log, llm: llmOverrides(options), llmWhenFirstAsked: true });
            const engines = await createVoiceEngines(config, assistant, log);
            try {
                warnProblems(assistant.intents.problems);
                const pipeline = createVoicePipeline(config, assistant, assistant.output, engines, log, { speak: options.speak ?? false, muteWhilePlaying: false, ...(options.out ? { replyWav: options.out } : {}) });
                const records = await pipeline.run(new FileSource(file), new AbortController().signal);
                if (options.json) {
                    process.stdout.write(`${JSON.stringify(records, null, 2)}\n`);
                } else if (records.length === 0) {
                    process.stdout.write(`no wake word ("${engines.wake.keyword}") heard in ${file}\n`);
                } else {
                    for (const r of records) {
                        const heard = r.stages.find((s) => s.name === "transcribe")?.output as { text?: string } | undefined;
                        process.stdout.write(`heard: ${heard?.text ?? "(nothing)"}\nintent: ${r.toolCall ? `${r.toolCall.name} ${JSON.stringify(r.toolCall.arguments)}` : "none"}\nreply: ${r.reply}\n`);
                        for (const s of r.stages) process.stdout.write(`  ${s.name.padEnd(10)} ${String(s.durationMs).padStart(8)} ms${s.error ? `  error: ${s.error.message}` : ""}\n`);
                    }
                }
                if (records.length === 0) process.exitCode = 1;
            } finally {
                await engines.dispose();
                await assistant.dispose();
            }
        });
}
