import readline from "node:readline";
import type { Command } from "commander";
import { parseParamAssignments } from "../llm/params.ts";
import { parseLoraOption, type LlmOverrides } from "../llm/profile.ts";
import { loadConfig } from "../config/load.ts";
import type { HarkConfig } from "../config/schema.ts";
import { createLogger, type Logger } from "../log/logger.ts";

/** Global options every command sees. */
export interface GlobalOptions {
    config?: string;
    logLevel?: string;
}

/**
 * Loads the config and a logger for a command. One-shot commands log warnings only unless told otherwise; `hark run`
 * logs what the config says, else warnings on a terminal (where it prints its own transcript) and info to a journal.
 */
export function setup(command: Command, defaultLevel?: string): { config: HarkConfig; log: Logger; file: string | null } {
    const globals = command.optsWithGlobals<GlobalOptions>();
    const { config, file } = loadConfig(globals.config ? { file: globals.config } : {});
    const level = globals.logLevel ?? defaultLevel ?? config.log.level ?? (process.stderr.isTTY ? "warn" : "info");
    const log = createLogger({ level, ...(config.log.pretty !== undefined ? { pretty: config.log.pretty } : {}) });
    return { config, log, file };
}

/** Prints the intent files that failed to load, with a pointer to the full check. */
export function warnProblems(problems: readonly { message: string }[]): void {
    if (problems.length === 0) return;
    process.stderr.write(`hark: ${problems.length} intent file(s) could not be loaded (the others work); run "hark intents check" for details:\n`);
    for (const p of problems) process.stderr.write(`  - ${p.message}\n`);
}

/** Options of commands that understand text: which LLM profile, model, adapters and parameters. */
export interface LlmCliOptions {
    profile?: string;
    model?: string;
    lora: string[];
    param: string[];
    llm: boolean;
}

/** Adds `--profile`, `--model`, `--lora`, `--param` and `--no-llm` to a command. */
export function addLlmOptions(command: Command): Command {
    const collect = (value: string, previous: string[]): string[] => [...previous, value];
    return command
        .option("--profile <name>", "LLM profile to use (llm.profiles in the config, or a catalog model name)")
        .option("--model <name|file.gguf>", "use this model in the profile (a catalog name or a GGUF path)")
        .option("--lora <file[:scale]>", "LoRA adapter instead of the profile's (repeatable)", collect, [])
        .option("--param <name=value>", "model parameter, e.g. temperature=0.2 (repeatable)", collect, [])
        .option("--no-llm", "templates only: do not load a language model");
}

/** The command line's LLM choices, checked (unknown parameter names get a "did you mean"). */
export function llmOverrides(options: LlmCliOptions): LlmOverrides | false {
    if (!options.llm) return false;
    const overrides: LlmOverrides = {};
    if (options.profile) overrides.profile = options.profile;
    if (options.model) overrides.model = options.model;
    if (options.lora.length) overrides.lora = options.lora.map(parseLoraOption);
    if (options.param.length) overrides.params = parseParamAssignments(options.param);
    return overrides;
}

/** One line from stdin (after `prompt` on a terminal), or null when stdin ends first. */
export async function readLine(prompt: string): Promise<string | null> {
    const lines = readline.createInterface({ input: process.stdin, output: prompt ? process.stderr : undefined, terminal: Boolean(prompt) });
    if (prompt) process.stderr.write(prompt);
    try {
        for await (const line of lines) return line;
        return null;
    } finally {
        lines.close();
    }
}
