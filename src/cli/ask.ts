import type { Command } from "commander";
import { Assistant } from "../pipeline/assistant.ts";
import { actionFailed, speakError } from "../trace/read.ts";
import type { TraceRecord } from "../trace/trace.ts";
import { describeCall } from "./transcript.ts";
import { addLlmOptions, llmOverrides, readLine, setup, warnProblems, type LlmCliOptions } from "./common.ts";

interface AskOptions extends LlmCliOptions {
    quiet?: boolean;
    json?: boolean;
    out?: string;
    wait: boolean;
    yes?: boolean;
    dryRun?: boolean;
}

/** `hark ask "play baby shark"`: one sentence through the whole text loop. */
export function registerAsk(program: Command): void {
    addLlmOptions(program.command("ask")
        .description("understand a sentence, run it, and print (and speak) the reply; exits 0 when it acted, 2 when nothing was understood, 1 when it failed")
        .argument("<text...>", "what you would say")
        .option("-q, --quiet", "do not speak the reply")
        .option("--json", "print the whole trace record")
        .option("-o, --out <file.wav>", "also write the spoken reply to a WAV file")
        .option("--no-wait", "return at once instead of waiting for music that was started to finish")
        .option("--dry-run", "only print the call hark would make: no handler runs, nothing is spoken or traced")
        .option("-y, --yes", "answer yes when hark asks before acting (\"Cancel the pizza timer?\"); otherwise the answer is read from stdin"))
        .action(async (words: string[], options: AskOptions, command: Command) => {
            const { config, log } = setup(command, "warn");
            const assistant = await Assistant.create({ config, log, llm: llmOverrides(options), llmWhenFirstAsked: true });
            try {
                warnProblems(assistant.intents.problems);
                if (options.dryRun) {
                    const record = await assistant.handleText(words.join(" "), { source: "cli", dryRun: true });
                    const call = record.toolCall;
                    process.stdout.write(options.json ? `${JSON.stringify(record, null, 2)}\n` : `${call ? `${describeCall(call.name, call.arguments)} (${call.engine}, ${call.confidence.toFixed(2)})` : "no action"}\n`);
                    process.exitCode = exitCodeOf(record);
                    return;
                }
                const turn = { source: "cli", speak: !options.quiet, ...(options.out ? { replyWav: options.out } : {}) };
                let record = await assistant.handleText(words.join(" "), turn);
                process.stdout.write(options.json ? `${JSON.stringify(record, null, 2)}\n` : `${record.reply}\n`);
                if (assistant.pendingQuestion()) {
                    // hark asks before acting on a request it is not sure of: the answer is the next line.
                    const answer = options.yes ? "yes" : await readLine(process.stdin.isTTY ? "(yes/no) " : "");
                    record = await assistant.handleText(answer ?? "no", turn);
                    process.stdout.write(options.json ? `${JSON.stringify(record, null, 2)}\n` : `${record.reply}\n`);
                }
                process.exitCode = exitCodeOf(record);
                const unspoken = speakError(record);
                if (unspoken) {
                    process.stderr.write(`hark: could not speak the reply: ${unspoken.message}\n  (no sound device? use --quiet, or --out reply.wav to write it to a file)\n`);
                }
                if (options.wait && assistant.services.player.active().some((p) => p.kind === "music")) {
                    process.stderr.write("(playing; press Ctrl-C to stop)\n");
                    const stop = (): void => void assistant.services.music.stop();
                    process.once("SIGINT", stop);
                    await assistant.services.music.whenIdle();
                    process.off("SIGINT", stop);
                }
            } finally {
                await assistant.dispose();
            }
        });
}

/**
 * 0: acted (or answered a question); 2: nothing was understood; 1: the turn or its handler failed. A reply that could
 * not be played (no sound card) is reported on stderr, and the turn still counts.
 */
export function exitCodeOf(record: TraceRecord): number {
    if (actionFailed(record)) return 1;
    if (record.toolCall == null && !record.stages.some((s) => s.name === "confirm")) return 2;
    return 0;
}
