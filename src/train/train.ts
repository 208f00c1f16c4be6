import fs from "node:fs";
import path from "node:path";
import type { Logger } from "pino";
import type { HarkConfig } from "../config/schema.ts";
import type { EvalCase } from "../eval/dataset.ts";
import { HarkError } from "../errors.ts";
import { loadIntentDirs } from "../intents/load.ts";
import type { IntentSpec } from "../intents/types.ts";
import { GgufValueType, MIN_CONFIDENCE_KEY, setGgufMetadata } from "../llm/gguf.ts";
import { packageRoot } from "../paths.ts";
import { sha256File } from "../models/download.ts";
import { buildDataset, writeDataset } from "./data.ts";
import { evaluateModel, modelPredictions, type ModelUnderTest } from "./evaluate.ts";
import { chooseMinConfidence, type ThresholdChoice } from "./threshold.ts";
import { buildLoraDataset, changedIntents, learnedIntents } from "./lora-data.ts";
import { checkTrainerDependencies, doneEvent, runTrainer, type TrainerEvent } from "./python.ts";
import { appendRun, gitCommit, newRunId, summarize, type EvalSummary, type TrainingRun } from "./runs.ts";

/** What every training command needs. */
export interface TrainContext {
    config: HarkConfig;
    log: Logger;
    onEvent?: (event: TrainerEvent) => void;
    /** CPU threads for PyTorch; 0: all cores. */
    threads?: number;
    /** Evaluate on at most this many development sentences (all by default). */
    devLimit?: number;
}

/**
 * Hand-written test sentences shipped with hark (every file in test/eval but hark.jsonl, which is the intents' own
 * examples plus these): always development data, never trained on.
 */
export const DEV_ONLY_FILES = fs.readdirSync(path.join(packageRoot, "test", "eval")).filter((f) => f.endsWith(".jsonl") && f !== "hark.jsonl").sort().map((f) => path.join(packageRoot, "test", "eval", f));

/** The labelled real phrasings in a shared data folder ($HARK_SHARED_DIR/data or ../shared/data), when present. */
export function sharedDataFiles(dir = path.join(process.env.HARK_SHARED_DIR ?? path.resolve(packageRoot, "..", "shared"), "data")): string[] {
    return ["snips_train.jsonl", "slurp_devel.jsonl"].map((f) => path.join(dir, f)).filter((f) => fs.existsSync(f));
}

/** Share of each real-data file kept for development. */
export const DEV_SHARE = 0.15;

/**
 * The development split as the benchmarks score accuracy on it: the held-out share of the real phrasings and the
 * hand-written sentences, without the sets reported on their own (precision, household).
 */
export function developmentSplit(intents: readonly IntentSpec[]): EvalCase[] {
    const { dev } = buildDataset({ intents, real: { files: sharedDataFiles(), devShare: DEV_SHARE }, devOnly: DEV_ONLY_FILES, seed: 1, maxPerIntent: 1, minPerIntent: 1, outside: 1 });
    return withoutPrecisionSets(dev);
}

/**
 * Development cases without the sets that are measured on their own and never tuned on (thresholds included): the
 * no-action-only precision sets, the speech sets, and the household requests written before their intents were built.
 */
function withoutPrecisionSets(cases: readonly EvalCase[]): EvalCase[] {
    return cases.filter((c) => !/^(near-miss|spoken-|household)/.test(c.source ?? ""));
}

async function loadSpecs(config: HarkConfig, log: Logger): Promise<IntentSpec[]> {
    const set = await loadIntentDirs(config.paths.intentsDirs);
    for (const problem of set.problems) log.warn(problem.message);
    return set.intents.map((i) => i.spec);
}

async function score(ctx: TrainContext, subject: ModelUnderTest, cases: readonly EvalCase[], engines: "model" | "router" = "model"): Promise<EvalSummary> {
    return summarize(await evaluateModel({ config: ctx.config, log: ctx.log, subject, cases, engines }));
}

function limit(cases: readonly EvalCase[], n: number | undefined): EvalCase[] {
    if (n == null || cases.length <= n) return [...cases];
    const step = cases.length / n;
    return Array.from({ length: n }, (_, i) => cases[Math.floor(i * step)]!);
}

/**
 * The default share of no-action development sentences a model alone may act on. The lowest threshold within it is
 * also where accuracy on the split peaks for hark-intent-v2 (docs/precision.md): a wrong action costs more than a miss.
 */
export const FALSE_ACTION_TARGET = 0.005;

/**
 * Chooses a model's (or a model and adapter's) confidence threshold on development cases (without the precision sets,
 * which are never tuned on) for a false-action target, and writes it into `files` as `hark.min_confidence`: the model
 * and its other exports, or the adapter.
 */
export async function chooseThreshold(ctx: TrainContext, subject: ModelUnderTest, dev: readonly EvalCase[], target: number, files: readonly string[]): Promise<ChosenThreshold> {
    // The precision sets are never tuned on: they take none of the places a limit leaves.
    const tuning = limit(withoutPrecisionSets(dev), ctx.devLimit);
    const predictions = await modelPredictions({ config: ctx.config, log: ctx.log, subject, cases: tuning, engines: "model", minConfidence: 0 });
    const threshold = chooseMinConfidence(tuning, predictions, target);
    for (const file of files) setGgufMetadata(file, [{ key: MIN_CONFIDENCE_KEY, type: GgufValueType.FLOAT32, value: threshold.minConfidence }]);
    return {
        threshold,
        settings: { minConfidence: threshold.minConfidence, falseActionTarget: target, thresholdChosenOn: { cases: tuning.length, falseActionRate: threshold.falseActionRate, intentAccuracy: threshold.intentAccuracy } }
    };
}

/** A threshold chosen by {@link chooseThreshold}: what it does on the cases it was chosen on, and the run record's settings for it. */
export interface ChosenThreshold {
    threshold: ThresholdChoice;
    settings: { minConfidence: number; falseActionTarget: number; thresholdChosenOn: { cases: number; falseActionRate: number; intentAccuracy: number } };
}

/** {@link chooseThreshold} for a model already trained, on the development split of the intents in the config. */
export async function retuneThreshold(ctx: TrainContext, model: string, target: number): Promise<ChosenThreshold> {
    return chooseThreshold(ctx, { model, lora: [] }, developmentSplit(await loadSpecs(ctx.config, ctx.log)), target, [model]);
}

/** Options of {@link trainBase}. */
export interface BaseOptions {
    preset: "small" | "tiny";
    steps?: number;
    seed: number;
    outDir: string;
    name: string;
    realFiles: readonly string[];
    /** The share of no-action development sentences the model alone may act on; its threshold is chosen for it. Defaults to {@link FALSE_ACTION_TARGET}. */
    falseActionTarget?: number;
}

/**
 * Builds the training data from the intents (and real phrasings when given), trains a base model with the Python
 * trainer, chooses its confidence threshold on the development split for the false-action target and writes it into
 * the model (`hark.min_confidence`), scores its Q8_0 file on the development split (alone, and behind the templates),
 * and records the run.
 */
export async function trainBase(ctx: TrainContext, options: BaseOptions): Promise<TrainingRun> {
    await checkTrainerDependencies();
    const startedAt = new Date();
    const intents = await loadSpecs(ctx.config, ctx.log);
    const dataset = buildDataset({ intents, real: { files: options.realFiles, devShare: DEV_SHARE }, devOnly: DEV_ONLY_FILES, seed: options.seed });
    const dataDir = path.join(options.outDir, "data");
    writeDataset(dataset, dataDir);
    const events = await runTrainer(["base", "--data", dataDir, "--out", options.outDir, "--preset", options.preset, "--seed", String(options.seed), "--name", options.name,
        ...(options.steps ? ["--steps", String(options.steps)] : [])], { onEvent: ctx.onEvent, threads: ctx.threads });
    const done = doneEvent(events);
    const dev = limit(dataset.dev, ctx.devLimit);
    const subject = { model: done.files.q8_0!.path, lora: [] };
    const threshold = await chooseThreshold(ctx, subject, dataset.dev, options.falseActionTarget ?? FALSE_ACTION_TARGET, Object.values(done.files).map((f) => f.path));
    const files: Record<string, { path: string; sha256: string; bytes: number }> = {};
    for (const [kind, file] of Object.entries(done.files)) files[kind] = { path: file.path, sha256: await sha256File(file.path), bytes: fs.statSync(file.path).size };
    const model = files.q8_0!;
    const metrics = { "dev (model)": await score(ctx, subject, dev), "dev (templates + model)": await score(ctx, subject, dev, "router") };
    const run: TrainingRun = {
        id: newRunId("base", startedAt), kind: "base", startedAt: startedAt.toISOString(), seconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
        gitCommit: gitCommit(), seed: options.seed, dataHash: dataset.hash,
        settings: {
            preset: options.preset, steps: done.steps, name: options.name, realData: options.realFiles.map((f) => path.basename(f)), parameters: done.parameters, config: done.config,
            ...threshold.settings
        },
        outputs: [{ role: "model", ...model }, { role: "model-f32", ...files.f32! }],
        msPerStep: done.msPerStep,
        metrics
    };
    appendRun(ctx.config.paths.dataDir, run);
    return run;
}

/** Options of {@link trainLora}. */
export interface LoraOptions {
    baseModel: string;
    /** Intents to teach; by default those new or changed since the base model was trained. */
    intents?: readonly string[];
    out: string;
    steps: number;
    rank: number;
    replay: number;
    seed: number;
    realFiles: readonly string[];
    /** As {@link BaseOptions.falseActionTarget}, for the model with the adapter applied. */
    falseActionTarget?: number;
    /** Labelled turns to learn from (`usage.jsonl`), with the file they came from for the run's record. */
    usage?: { file: string; cases: readonly EvalCase[] };
}

/** Before and after, on the taught intents' examples, their held-out sentences and the development split. */
export interface LoraResult {
    run: TrainingRun;
    targets: string[];
    before: Record<string, EvalSummary>;
    after: Record<string, EvalSummary>;
}

/**
 * Teaches the base model new or changed intents with a LoRA adapter: builds their data plus a replay sample,
 * trains, chooses the adapted model's own confidence threshold (written into the adapter), and scores the base model
 * with and without the adapter.
 */
export async function trainLora(ctx: TrainContext, options: LoraOptions): Promise<LoraResult> {
    await checkTrainerDependencies();
    const startedAt = new Date();
    const intents = await loadSpecs(ctx.config, ctx.log);
    const learned = learnedIntents(options.baseModel);
    // With labelled turns and nothing new in the intents, the intents those turns should have called are taught.
    const changed = changedIntents(intents, learned).map((i) => i.name);
    const labelled = (options.usage?.cases ?? []).flatMap((c) => (c.expect ? [c.expect.intent] : []));
    let targets = options.intents?.length ? [...options.intents] : changed.length ? changed : labelled;
    const unknown = targets.filter((t) => !intents.some((i) => i.name === t));
    if (unknown.length) throw new HarkError("HARK_TRAIN_LORA", `no intent called ${unknown.join(", ")} in ${ctx.config.paths.intentsDirs.join(", ")}; "hark intents list" shows them`);
    if (targets.length === 0) throw new HarkError("HARK_TRAIN_LORA", `every intent is as ${path.basename(options.baseModel)} learned it: nothing new to teach (add or edit an intent, or name one with --intent)`);
    targets = [...new Set(targets)];
    const dataset = buildLoraDataset({ intents, targets, replay: options.replay, real: { files: options.realFiles, devShare: DEV_SHARE }, devOnly: DEV_ONLY_FILES, seed: options.seed, nlu: ctx.config.nlu, ...(options.usage ? { usage: options.usage.cases } : {}) });
    const dataDir = `${options.out.replace(/\.gguf$/, "")}.data`;
    writeDataset(dataset, dataDir);
    const events = await runTrainer(["lora", "--base", options.baseModel, "--data", dataDir, "--out", options.out, "--rank", String(options.rank), "--steps", String(options.steps), "--seed", String(options.seed)],
        { onEvent: ctx.onEvent, threads: ctx.threads });
    const done = doneEvent(events);
    const adapted = { model: options.baseModel, lora: [{ path: options.out, scale: 1 }] };
    const threshold = await chooseThreshold(ctx, adapted, dataset.dev, options.falseActionTarget ?? FALSE_ACTION_TARGET, [options.out]);
    const sets: Record<string, EvalCase[]> = { "new intents: examples": dataset.targetExamples, "new intents: held-out sentences": dataset.targetHeldOut, dev: limit(dataset.dev, ctx.devLimit) };
    const measure = async (subject: ModelUnderTest): Promise<Record<string, EvalSummary>> => {
        const out: Record<string, EvalSummary> = {};
        for (const [name, cases] of Object.entries(sets)) if (cases.length) out[name] = await score(ctx, subject, cases);
        return out;
    };
    const before = await measure({ model: options.baseModel, lora: [] });
    const after = await measure(adapted);
    const run: TrainingRun = {
        id: newRunId("lora", startedAt), kind: "lora", startedAt: startedAt.toISOString(), seconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
        gitCommit: gitCommit(), seed: options.seed, dataHash: dataset.hash,
        settings: {
            intents: targets, steps: options.steps, rank: options.rank, replay: options.replay, trainPairs: dataset.train.length,
            ...(options.usage ? { usage: { file: options.usage.file, cases: options.usage.cases.length, sha256: await sha256File(options.usage.file) } } : {}),
            ...threshold.settings
        },
        baseModel: { path: options.baseModel, sha256: await sha256File(options.baseModel) },
        outputs: [{ role: "lora", ...done.files.lora! }],
        msPerStep: done.msPerStep,
        metrics: Object.fromEntries([...Object.entries(before).map(([k, v]) => [`${k} (before)`, v]), ...Object.entries(after).map(([k, v]) => [`${k} (after)`, v])])
    };
    appendRun(ctx.config.paths.dataDir, run);
    return { run, targets, before, after };
}
