import fs from "node:fs";
import path from "node:path";
import { Command, Option } from "commander";
import { HarkError } from "../errors.ts";
import { packageRoot } from "../paths.ts";
import { TemplateSyntaxError } from "../template/index.ts";
import { registerAsk } from "./ask.ts";
import { registerConfig } from "./config.ts";
import { registerDoctor } from "./doctor.ts";
import { registerEval } from "./eval.ts";
import { registerIntents } from "./intents.ts";
import { registerListen } from "./listen.ts";
import { registerModels } from "./models.ts";
import { registerTrace } from "./trace.ts";
import { registerTranscribe } from "./transcribe.ts";
import { registerRun } from "./run.ts";
import { registerService } from "./service.ts";
import { registerTrain } from "./train.ts";

const { version } = JSON.parse(fs.readFileSync(path.join(packageRoot, "package.json"), "utf8")) as { version: string };

const program = new Command("hark")
    .description("Offline voice assistant: intents, local recognition, local language models.")
    .version(version, "-V, --version")
    .addOption(new Option("-c, --config <file>", "config file (YAML or JSON); default $HARK_CONFIG, ~/.config/hark/config.yaml, /etc/hark/config.yaml"))
    .addOption(new Option("--log-level <level>", "log level for this command").choices(["fatal", "error", "warn", "info", "debug", "trace", "silent"]))
    .showHelpAfterError();

registerAsk(program);
registerRun(program);
registerListen(program);
registerTranscribe(program);
registerTrace(program);
registerEval(program);
registerIntents(program);
registerModels(program);
registerConfig(program);
registerService(program);
registerDoctor(program);
registerTrain(program);

// `hark ... | head` closes the pipe early: that is not an error.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(0);
    throw error;
});

try {
    await program.parseAsync();
} catch (error) {
    // Errors a user can fix are printed as one clear line; anything else keeps its stack for a bug report.
    if (error instanceof HarkError || error instanceof TemplateSyntaxError) {
        process.stderr.write(`hark: ${error.message}\n`);
        process.exitCode = 2;
    } else {
        throw error;
    }
}
