import fs from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import YAML from "yaml";
import { commentedConfig } from "../config/commented.ts";
import { ConfigSchema } from "../config/schema.ts";
import { userConfigPath } from "../paths.ts";
import { setup, type GlobalOptions } from "./common.ts";

/** `hark config schema|show|init`. */
export function registerConfig(program: Command): void {
    const config = program.command("config").description("the configuration file");

    config.command("schema")
        .description("print the JSON Schema of the config (point your editor's YAML/JSON language server at it)")
        .action(() => {
            process.stdout.write(`${JSON.stringify(ConfigSchema, null, 2)}\n`);
        });

    config.command("show")
        .description("print the effective configuration (file + environment + defaults)")
        .action((_options: unknown, command: Command) => {
            const { config: effective, file } = setup(command, "warn");
            process.stdout.write(`# from ${file ?? "defaults only"}\n${YAML.stringify(effective)}`);
        });

    config.command("init")
        .description("write a config file with every key, its default and what it does, to edit")
        .option("--force", "overwrite an existing file")
        .action((options: { force?: boolean }, command: Command) => {
            const target = command.optsWithGlobals<GlobalOptions>().config ?? userConfigPath();
            if (fs.existsSync(target) && !options.force) {
                process.stderr.write(`hark: ${target} exists; use --force to overwrite it\n`);
                process.exitCode = 1;
                return;
            }
            fs.mkdirSync(path.dirname(target), { recursive: true });
            // Defaults only: the target file may not exist yet, so it is not loaded.
            fs.writeFileSync(target, commentedConfig());
            process.stdout.write(`wrote ${target}\n`);
        });
}
