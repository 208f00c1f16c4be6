import readline from "node:readline";
import type { Command } from "commander";
import { Assistant } from "../pipeline/assistant.ts";
import { setup } from "./common.ts";

/** `hark run`: the long-running assistant. Text lines on stdin are turns; timers ring; intents reload live. */
export function registerRun(program: Command): void {
    program.command("run")
        .description("run the assistant: each line on stdin is a turn; timers ring and intent files reload while it runs")
        .option("-q, --quiet", "print replies without speaking them")
        .option("--exit-on-eof", "stop when stdin closes (for scripts); by default hark keeps running for timers")
        .action(async (options: { quiet?: boolean; exitOnEof?: boolean }, command: Command) => {
            const { config, log, file } = setup(command);
            log.info({ config: file ?? "(defaults)", intentsDirs: config.paths.intentsDirs }, "hark starting");
            const assistant = await Assistant.create({ config, log, watchIntents: true });
            log.info({ intents: assistant.intents.intents.map((i) => i.spec.name), problems: assistant.intents.problems.length }, "intents loaded");
            assistant.startTimers();

            const controller = new AbortController();
            let queue = Promise.resolve();
            const lines = readline.createInterface({ input: process.stdin, terminal: false });
            lines.on("line", (line) => {
                const text = line.trim();
                if (!text) return;
                queue = queue.then(async () => {
                    const record = await assistant.handleText(text, { source: "stdin", speak: !options.quiet, signal: controller.signal });
                    process.stdout.write(`${record.reply}\n`);
                });
            });
            const stopped = new Promise<void>((resolve) => {
                const shutdown = (signal: string): void => {
                    log.info({ signal }, "shutting down");
                    controller.abort();
                    resolve();
                };
                process.once("SIGINT", () => shutdown("SIGINT"));
                process.once("SIGTERM", () => shutdown("SIGTERM"));
                lines.once("close", () => {
                    if (options.exitOnEof) shutdown("eof");
                    else log.info("stdin closed; still running for timers (send SIGTERM or press Ctrl-C to stop)");
                });
            });
            await stopped;
            lines.close();
            await queue;
            await assistant.dispose();
        });
}
