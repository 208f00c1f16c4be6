import type { Command } from "commander";
import { loadConfig } from "../config/load.ts";
import type { HarkConfig } from "../config/schema.ts";
import { createLogger, type Logger } from "../log/logger.ts";

/** Global options every command sees. */
export interface GlobalOptions {
    config?: string;
    logLevel?: string;
}

/** Loads the config and a logger for a command. One-shot commands log warnings only unless told otherwise. */
export function setup(command: Command, defaultLevel?: string): { config: HarkConfig; log: Logger; file: string | null } {
    const globals = command.optsWithGlobals<GlobalOptions>();
    const { config, file } = loadConfig(globals.config ? { file: globals.config } : {});
    const log = createLogger({ level: globals.logLevel ?? defaultLevel ?? config.log.level, pretty: config.log.pretty });
    return { config, log, file };
}

/** Prints the intent files that failed to load, with a pointer to the full check. */
export function warnProblems(problems: readonly { message: string }[]): void {
    if (problems.length === 0) return;
    process.stderr.write(`hark: ${problems.length} intent file(s) could not be loaded (the others work); run "hark intents check" for details:\n`);
    for (const p of problems) process.stderr.write(`  - ${p.message}\n`);
}
