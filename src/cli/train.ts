import path from "node:path";
import type { Command } from "commander";
import { setConfigValues, writableConfigFile } from "../config/edit.ts";
import { HarkError } from "../errors.ts";
import type { EvalCase } from "../eval/dataset.ts";
import { readUsage, usageFile } from "../eval/usage.ts";
import { loadIntentDirs } from "../intents/load.ts";
import { HARK_INTENT_MODEL, resolveProfile } from "../llm/profile.ts";
import { modelStore } from "../pipeline/llm-setup.ts";
import { buildDataset, writeDataset } from "../train/data.ts";
import { formatSeconds, progressPrinter } from "../train/python.ts";
import { readRuns, type EvalSummary } from "../train/runs.ts";
import { DEV_ONLY_FILES, DEV_SHARE, FALSE_ACTION_TARGET, retuneThreshold, sharedDataFiles, trainBase, trainLora } from "../train/train.ts";
import { setup, type GlobalOptions } from "./common.ts";

// Throughput of PyTorch's matrix products relative to this 2-core x86-64 development machine (about 150 GFLOP/s in
// float32): assumed for a Pi, not measured on one — the trainer prints real times when it runs there.
const PI_SLOWDOWN = { "Pi 4": 12, "Pi 5": 5 };

interface DataOptions { shared?: string; real: boolean; seed: string }

/** `hark train data | base | threshold | lora | runs`: hark's own intent model, its LoRA adapters, and the record of every run. */
export function registerTrain(program: Command): void {
    const train = program.command("train").description("train hark's intent model and LoRA adapters on your intents (needs python3-torch; see README)");
    const dataOptions = (command: Command): Command => command
        .option("--shared <dir>", "folder with snips_train.jsonl / slurp_devel.jsonl (default $HARK_SHARED_DIR/data or ../shared/data, when present)")
        .option("--no-real", "templates, examples and hark's own refusals only: no real phrasings")
        .option("--seed <n>", "random seed (data sampling and training)", "1");
    const realFiles = (o: DataOptions): string[] => (o.real ? sharedDataFiles(o.shared) : []);

    dataOptions(train.command("data")
        .description("write the training pairs ({input, output} JSONL) and the development split, with their hash")
        .option("--out <dir>", "where to write train.jsonl, dev.jsonl and data.json", "train-data"))
        .action(async (options: DataOptions & { out: string }, command: Command) => {
            const { config, log } = setup(command, "warn");
            const set = await loadIntentDirs(config.paths.intentsDirs);
            for (const p of set.problems) log.warn(p.message);
            const dataset = buildDataset({ intents: set.intents.map((i) => i.spec), real: { files: realFiles(options), devShare: DEV_SHARE }, devOnly: DEV_ONLY_FILES, seed: Number(options.seed) });
            const files = writeDataset(dataset, options.out);
            process.stdout.write(`${dataset.train.length} training pairs → ${files.train}\n${dataset.dev.length} development sentences → ${files.dev}\ndata hash ${dataset.hash}\n`);
        });

    dataOptions(train.command("base")
        .description("train a base intent model from scratch (about 36 min on 2 cores for the small preset)")
        .option("--preset <name>", "small (the shipped model) or tiny (a smoke test)", "small")
        .option("--steps <n>", "training steps (default: the preset's)")
        .option("--name <name>", "model name", "hark-intent")
        .option("--out <dir>", "output folder (default DATA_DIR/train/RUN)")
        .option("--threads <n>", "CPU threads for training (default all)", "0")
        .option(...FALSE_ACTIONS_OPTION))
        .action(async (options: DataOptions & { preset: string; steps?: string; name: string; out?: string; threads: string; falseActions: string }, command: Command) => {
            const { config, log } = setup(command, "warn");
            if (options.preset !== "small" && options.preset !== "tiny") throw new HarkError("HARK_TRAIN_PRESET", `--preset ${options.preset}: choose small or tiny`);
            const share = falseActionShare(options.falseActions);
            const outDir = path.resolve(options.out ?? path.join(config.paths.dataDir, "train", `${options.name}-${Date.now()}`));
            const run = await trainBase({ config, log, onEvent: progressPrinter(), threads: Number(options.threads) }, {
                preset: options.preset, steps: options.steps ? Number(options.steps) : undefined, seed: Number(options.seed), outDir, name: options.name, realFiles: realFiles(options),
                falseActionTarget: share
            });
            process.stdout.write(`run ${run.id}: ${run.outputs[0]!.path}\nconfidence threshold ${run.settings.minConfidence} (chosen for at most ${share * 100}% false actions on the development split)\n${formatMetrics(run.metrics)}`);
            process.stdout.write(`use it: hark ask --model ${run.outputs[0]!.path} "play some jazz"  (or set it as a profile's model)\n`);
        });

    train.command("threshold")
        .description("choose a trained model's confidence threshold again, for another false-action share, and write it into the model file")
        .option("--model <file.gguf>", "the model (default: the hark-intent profile's)")
        .option(...FALSE_ACTIONS_OPTION)
        .action(async (options: { model?: string; falseActions: string }, command: Command) => {
            const { config, log } = setup(command, "warn");
            const share = falseActionShare(options.falseActions);
            const model = path.resolve(options.model ?? baseModelOf(config));
            const { threshold, settings } = await retuneThreshold({ config, log }, model, share);
            process.stdout.write(`${model}: confidence threshold ${threshold.minConfidence} on ${settings.thresholdChosenOn.cases} development sentences (false actions ${pct(threshold.falseActionRate)}, accuracy ${pct(threshold.intentAccuracy)}, for at most ${pct(share)})\n`);
        });

    train.command("lora")
        .description("teach the base model your new or changed intents with a LoRA adapter; prints accuracy before and after")
        .option("--intent <name...>", "intents to teach (default: those new or changed since the base model was trained)")
        .option("--base <file.gguf>", "base model (default: the hark-intent profile's)")
        .option("--out <file.gguf>", "adapter file (default DATA_DIR/lora/intents-TIME.gguf)")
        .option("--steps <n>", "training steps", "600")
        .option("--rank <n>", "LoRA rank", "8")
        .option("--replay <n>", "pairs of the base data mixed in so nothing is forgotten", "3000")
        .option("--profile <name>", "save a profile with the base model and this adapter in the config, and use it")
        .option("--shared <dir>", "folder with real phrasings to replay (default $HARK_SHARED_DIR/data or ../shared/data, when present)")
        .option("--seed <n>", "random seed", "1")
        .option("--threads <n>", "CPU threads for training (default all)", "0")
        .option("--usage", "also learn from the turns you labelled (usage.jsonl in the data folder: hark trace --label, or the web page)")
        .option(...FALSE_ACTIONS_OPTION)
        .action(async (options: { intent?: string[]; base?: string; out?: string; steps: string; rank: string; replay: string; profile?: string; shared?: string; seed: string; threads: string; falseActions: string; usage?: boolean }, command: Command) => {
            const { config, log, file } = setup(command, "warn");
            const baseModel = path.resolve(options.base ?? baseModelOf(config));
            const out = path.resolve(options.out ?? path.join(config.paths.dataDir, "lora", `intents-${Date.now()}.gguf`));
            const result = await trainLora({ config, log, onEvent: progressPrinter(), threads: Number(options.threads) }, {
                baseModel, intents: options.intent, out, steps: Number(options.steps), rank: Number(options.rank), replay: Number(options.replay), seed: Number(options.seed), realFiles: sharedDataFiles(options.shared),
                falseActionTarget: falseActionShare(options.falseActions), ...(options.usage ? { usage: labelledTurns(config.paths.dataDir) } : {})
            });
            const { run } = result;
            process.stdout.write(`taught: ${result.targets.join(", ")}\n${run.msPerStep.toFixed(0)} ms per step here; on a ${Object.entries(PI_SLOWDOWN).map(([pi, x]) => `${pi} about ${formatSeconds((run.msPerStep * x * Number(options.steps)) / 1000)}`).join(", on a ")} (estimated)\n\n`);
            process.stdout.write("                                      before    after\n");
            for (const [name, after] of Object.entries(result.after)) {
                const before = result.before[name]!;
                process.stdout.write(`${`${name} (${after.cases})`.padEnd(36)} ${pct(before.intentAccuracy).padStart(8)} ${pct(after.intentAccuracy).padStart(8)}  accuracy\n`);
                if (name === "dev") process.stdout.write(`${"".padEnd(36)} ${pct(before.slotF1).padStart(8)} ${pct(after.slotF1).padStart(8)}  slot F1\n${"".padEnd(36)} ${pct(before.falseActionRate).padStart(8)} ${pct(after.falseActionRate).padStart(8)}  false actions\n`);
            }
            const drop = (result.before.dev?.intentAccuracy ?? 0) - (result.after.dev?.intentAccuracy ?? 0);
            if (drop > 0.01) process.stdout.write(`\nwarning: the adapter costs ${pct(drop)} on the development split; try more --replay or fewer --steps\n`);
            process.stdout.write(`\nrun ${run.id}: adapter ${out}, confidence threshold ${run.settings.minConfidence} (chosen with the adapter)\n`);
            if (options.profile) {
                const target = writableConfigFile(command.optsWithGlobals<GlobalOptions>().config, file);
                setConfigValues(target, [[["llm", "profiles", options.profile], { model: baseModel, lora: [{ path: out, scale: 1 }] }], [["llm", "profile"], options.profile], [["llm", "enabled"], true]]);
                process.stdout.write(`profile "${options.profile}" saved in ${target} and in use\n`);
            } else {
                process.stdout.write(`use it: hark ask --lora ${out} "..."  or  hark train lora ... --profile NAME\n`);
            }
        });

    train.command("runs")
        .description("every training run: data hash, seed, commit, settings, metrics and output files")
        .option("--json", "print the records as JSON")
        .action((options: { json?: boolean }, command: Command) => {
            const { config } = setup(command, "warn");
            const runs = readRuns(config.paths.dataDir);
            if (options.json) {
                process.stdout.write(`${JSON.stringify(runs, null, 2)}\n`);
                return;
            }
            if (runs.length === 0) {
                process.stdout.write(`no training runs yet in ${config.paths.dataDir}; "hark train base" or "hark train lora" makes one\n`);
                return;
            }
            for (const run of runs) {
                process.stdout.write(`${run.id}  ${run.kind}  ${run.startedAt.slice(0, 16).replace("T", " ")}  ${formatSeconds(run.seconds)}  seed ${run.seed}  data ${run.dataHash.slice(0, 12)}  commit ${run.gitCommit?.slice(0, 12) ?? "-"}\n`);
                process.stdout.write(`    ${Object.entries(run.settings).filter(([k]) => k !== "config").map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(",") : v !== null && typeof v === "object" ? JSON.stringify(v) : String(v)}`).join(" ")}\n`);
                for (const o of run.outputs) process.stdout.write(`    ${o.role}: ${o.path} (${(o.bytes / 1e6).toFixed(1)} MB, sha256 ${o.sha256.slice(0, 16)})\n`);
                process.stdout.write(formatMetrics(run.metrics, "    "));
            }
        });
}

/**
 * The model of the profile in use (one not made by "hark train base" is refused with a clear error), or the shipped
 * one when the profile cannot be resolved (its model is not downloaded, say).
 */
function baseModelOf(config: Parameters<typeof modelStore>[0]): string {
    try {
        return resolveProfile(config.llm, modelStore(config)).modelFile;
    } catch {
        return HARK_INTENT_MODEL;
    }
}

const FALSE_ACTIONS_OPTION = [
    "--false-actions <share>",
    "the share of no-action development sentences the model alone may act on; its confidence threshold is chosen for it",
    String(FALSE_ACTION_TARGET)
] as const;

function falseActionShare(option: string): number {
    const share = Number(option);
    if (!(share >= 0 && share < 1)) throw new HarkError("HARK_TRAIN_OPTION", `--false-actions ${option}: give a share between 0 and 1, e.g. 0.005 for 0.5%`);
    return share;
}

function pct(x: number): string {
    return `${(x * 100).toFixed(1)}%`;
}

function formatMetrics(metrics: Record<string, EvalSummary>, indent = ""): string {
    return Object.entries(metrics).map(([name, m]) =>
        `${indent}${name.padEnd(40)} ${String(m.cases).padStart(5)} cases  accuracy ${pct(m.intentAccuracy).padStart(6)}  false actions ${pct(m.falseActionRate).padStart(5)}  slot F1 ${pct(m.slotF1).padStart(6)}  p50 ${m.p50Ms.toFixed(1)} ms\n`).join("");
}

/** The labelled turns for --usage; none yet is an error that says how to make some. */
function labelledTurns(dataDir: string): { file: string; cases: EvalCase[] } {
    const cases = readUsage(dataDir);
    if (cases.length === 0) throw new HarkError("HARK_TRAIN_USAGE", `no labelled turns in ${usageFile(dataDir)} yet; label turns with hark trace --label N or on the web page's Turns tab`);
    return { file: usageFile(dataDir), cases };
}
