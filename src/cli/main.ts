import { Command, Option } from "commander";
import { HarkError } from "../errors.ts";
import { packageVersion } from "../paths.ts";
import { TemplateSyntaxError } from "../template/index.ts";

const version = packageVersion();

const program = new Command("hark")
    .description("Offline voice assistant: intents, local recognition, local language models.")
    .version(version, "-V, --version")
    .addOption(new Option("-c, --config <file>", "config file (YAML or JSON); default $HARK_CONFIG, ~/.config/hark/config.yaml, /etc/hark/config.yaml"))
    .addOption(new Option("--log-level <level>", "log level for this command").choices(["fatal", "error", "warn", "info", "debug", "trace", "silent"]))
    .showHelpAfterError();

type Register = (program: Command) => void;

/** Every command, in the order help lists them; each module is imported only when its command is wanted. */
const COMMANDS: Record<string, () => Promise<Register>> = {
    ask: async () => (await import("./ask.ts")).registerAsk,
    run: async () => (await import("./run.ts")).registerRun,
    listen: async () => (await import("./listen.ts")).registerListen,
    transcribe: async () => (await import("./transcribe.ts")).registerTranscribe,
    trace: async () => (await import("./trace.ts")).registerTrace,
    ui: async () => (await import("./ui.ts")).registerUi,
    eval: async () => (await import("./eval.ts")).registerEval,
    intents: async () => (await import("./intents.ts")).registerIntents,
    models: async () => (await import("./models.ts")).registerModels,
    config: async () => (await import("./config.ts")).registerConfig,
    service: async () => (await import("./service.ts")).registerService,
    wyoming: async () => (await import("./wyoming.ts")).registerWyoming,
    doctor: async () => (await import("./doctor.ts")).registerDoctor,
    train: async () => (await import("./train.ts")).registerTrain
};

/** The command named on the command line (the first word that is no option or option value), if any. */
function commandName(args: readonly string[]): string | undefined {
    for (let i = 0; i < args.length; i++) {
        const arg = args[i]!;
        if (arg === "-c" || arg === "--config" || arg === "--log-level") i++;
        else if (!arg.startsWith("-")) return arg;
    }
    return undefined;
}

// A command loads its own modules only (`hark ask` does not import the trainer): help, and a word that is no command,
// get them all.
const named = commandName(process.argv.slice(2));
for (const name of named != null && named in COMMANDS ? [named] : Object.keys(COMMANDS)) (await COMMANDS[name]!())(program);

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
