import type { EvalCase } from "../eval/dataset.ts";
import { HarkError } from "../errors.ts";
import type { IntentSpec } from "../intents/types.ts";
import { readGgufHeader } from "../llm/gguf.ts";
import { trimTextValues } from "../llm/prompt.ts";
import { TemplateRecognizer } from "../nlu/templates.ts";
import { seededRandom } from "../util/random.ts";
import { normalizedText } from "../template/index.ts";
import { buildDataset, datasetHash, intentHash, modelOutput, type Dataset, type DatasetOptions, type TrainingPair } from "./data.ts";

/** The intents a base model learned, by name → {@link intentHash}, from its `hark.intents` metadata. */
export function learnedIntents(modelFile: string): Record<string, string> {
    const header = readGgufHeader(modelFile, "language model");
    const raw = header.metadata.get("hark.intents");
    if (typeof raw !== "string") throw new HarkError("HARK_TRAIN_BASE", `${modelFile} is not a model made by "hark train base" (it has no hark.intents): LoRA training needs one`);
    return JSON.parse(raw) as Record<string, string>;
}

/** Intents that are new since the base model was trained, or changed (templates, slots, examples or arguments). */
export function changedIntents(intents: readonly IntentSpec[], learned: Readonly<Record<string, string>>): IntentSpec[] {
    return intents.filter((i) => learned[i.name] !== intentHash(i));
}

/** A LoRA training set and what to measure it on. */
export interface LoraDataset extends Dataset {
    /** The intents being taught. */
    targets: string[];
    /** Their examples (what the person wrote down as meaning this intent). */
    targetExamples: EvalCase[];
    /** Their template sentences that were left out of training. */
    targetHeldOut: EvalCase[];
}

/**
 * Training pairs for an adapter: every pair of the target intents (template expansions and examples, examples
 * repeated so they weigh), plus a replay sample of everything else (other intents, refusals, real phrasings when
 * given) so the adapter does not forget what the base model knew. The development split stays out of training.
 * A sentence that was no action before but that a target's templates now match ("turn on the lights", once there is a
 * lights intent) is left out of both: replayed, it would teach the refusal the adapter is meant to undo, and as a
 * development case it would count the new intent's right answer as a false action.
 */
export function buildLoraDataset(options: DatasetOptions & { targets: readonly string[]; replay: number; heldOutPerIntent?: number; nlu?: { fillerWords: string[]; leadingPhrases: string[] }; usage?: readonly EvalCase[] }): LoraDataset {
    const targets = new Set(options.targets);
    const claims = new TemplateRecognizer(options.intents.filter((i) => targets.has(i.name)), { fuzzy: false, ...options.nlu });
    const claimed = (text: string): boolean => claims.recognizeSync(text) != null;
    const built = buildDataset(options);
    const full = { ...built, train: built.train.filter((p) => p.intent != null || !claimed(p.input)), dev: built.dev.filter((c) => c.expect != null || !claimed(c.text)) };
    const random = seededRandom((options.seed ?? 1) + 7);
    const own = full.train.filter((p) => p.intent != null && targets.has(p.intent));
    // One in ten of a target's template sentences is held out to measure generalisation beyond the examples.
    const heldOut = own.filter((p, i) => p.source.startsWith("template:") && i % 10 === 9);
    const trainOwn = own.filter((p) => !heldOut.includes(p));
    const examples = trainOwn.filter((p) => p.source.startsWith("example:"));
    const others = full.train.filter((p) => p.intent == null || !targets.has(p.intent));
    const replay: TrainingPair[] = [];
    for (let i = 0; i < Math.min(options.replay, others.length); i++) replay.push(others[Math.floor(((random() + 1) / 2) * others.length) % others.length]!);
    const byName = new Map(options.intents.map((i) => [i.name, i]));
    // Turns a person labelled (usage.jsonl) weigh like examples: they are what hark got wrong, or right, in their home.
    const usage = (options.usage ?? []).filter((c) => c.expect == null || byName.has(c.expect.intent)).map((c): TrainingPair => {
        const intent = c.expect ? byName.get(c.expect.intent)! : null;
        return { input: normalizedText(c.text), output: modelOutput(intent, c.expect?.args ?? {}), intent: intent?.name ?? null, source: "usage" };
    });
    const train = [...trainOwn, ...Array.from({ length: 4 }, () => [...examples, ...usage]).flat(), ...replay];
    const asCase = (p: TrainingPair): EvalCase => ({ text: p.input, expect: { intent: p.intent!, args: trimTextValues(JSON.parse(p.output).arguments ?? {}) }, source: p.source });
    return {
        ...full,
        train,
        hash: datasetHash(train, full.dev),
        targets: [...targets],
        targetExamples: [...targets].flatMap((name) => byName.get(name)?.examples.map((e) => ({ text: e.text, expect: { intent: name, args: e.args }, source: `example:${name}` })) ?? []),
        targetHeldOut: heldOut.slice(0, (options.heldOutPerIntent ?? 50) * targets.size).map(asCase)
    };
}
