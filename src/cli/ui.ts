import os from "node:os";
import type { Command } from "commander";
import { writableConfigFile } from "../config/edit.ts";
import { HarkError } from "../errors.ts";
import { Assistant } from "../pipeline/assistant.ts";
import { pageToken, tokenFile } from "../web/access.ts";
import { addLlmOptions, llmOverrides, setup, warnProblems, type GlobalOptions, type LlmCliOptions } from "./common.ts";

interface UiOptions extends LlmCliOptions {
    port?: string;
    showToken?: boolean;
}

/** `hark ui`: the web page alone, for a machine that is not listening (hark run serves it too). */
export function registerUi(program: Command): void {
    addLlmOptions(program.command("ui")
        .description("serve the web page alone (try sentences, read turns, label them, see intents, run evals, switch models); hark run serves it too")
        .option("--port <n>", "port (default: ui.port in the config, 8731)")
        .option("--show-token", "print the page's token, and the address to open it from another machine (ui.lan: true), then exit"))
        .action(async (options: UiOptions, command: Command) => {
            const { config, log, file } = setup(command, "warn");
            const port = options.port == null ? config.ui.port : Number(options.port);
            if (!Number.isInteger(port) || port < 1 || port > 65535) throw new HarkError("HARK_USAGE", `--port ${options.port}: give a port number from 1 to 65535`);
            if (options.showToken) {
                const token = pageToken(config.paths.dataDir);
                process.stdout.write(`${token}\n(kept in ${tokenFile(config.paths.dataDir)}, readable by you only)\n`);
                const addresses = lanAddresses();
                if (!config.ui.lan) process.stdout.write("the page is served to this machine only; set ui.lan: true in the config to open it from the LAN\n");
                else for (const address of addresses) process.stdout.write(`open: http://${address}:${port}/?token=${token}\n`);
                return;
            }
            const assistant = await Assistant.create({ config, log, watchIntents: true, llm: llmOverrides(options), llmWhenFirstAsked: true });
            try {
                warnProblems(assistant.intents.problems);
                const configFile = writableConfigFile(command.optsWithGlobals<GlobalOptions>().config, file);
                // Loaded here: `hark --help` reads every command's options, and should not load an HTTP framework for it.
                const { servePage } = await import("../web/assemble.ts");
                const page = await servePage(assistant, { configFile, listening: false, port, log });
                process.stdout.write(`hark's page: ${page.server.url}${config.ui.lan ? ` (and on the LAN with its token: hark ui --show-token)` : ""}\npress Ctrl-C to stop\n`);
                await new Promise<void>((resolve) => {
                    process.once("SIGINT", resolve);
                    process.once("SIGTERM", resolve);
                });
                await page.close();
            } finally {
                await assistant.dispose();
            }
        });
}

/** This machine's LAN addresses (IPv4, not loopback). */
function lanAddresses(): string[] {
    return Object.values(os.networkInterfaces()).flatMap((list) => list ?? []).filter((a) => a.family === "IPv4" && !a.internal).map((a) => a.address);
}
