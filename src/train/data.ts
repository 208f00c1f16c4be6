import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { readEvalFile, type EvalCase } from "../eval/dataset.ts";
import { readRealCases } from "../eval/convention.ts";
import { normalizeSlotValue } from "../eval/metrics.ts";
import { NONE_TOOL, type IntentSpec } from "../intents/types.ts";
import { isPlainText, paddedTextValue } from "../llm/grammar.ts";
import { formatToolCall } from "../llm/prompt.ts";
import { normalizedText, TemplateSampler } from "../template/index.ts";
import { seededRandom } from "../util/random.ts";
import { OUTSIDE_SCOPE } from "./outside.ts";

/** One training pair: what was said (normalised) and the tool call the model should write. */
export interface TrainingPair {
    input: string;
    output: string;
    /** The intent, or null for "no action"; for reports and balanced sampling. */
    intent: string | null;
    source: string;
}

/** Labelled real phrasings (the `../shared/data` JSONL files or the user's own recordings). */
export interface RealData {
    /** Eval-format files: some of their lines go to the development split, the rest to training. */
    files: readonly string[];
    /** Share of each file kept out of training, chosen by a hash of the sentence (stable across runs). */
    devShare: number;
}

export interface DatasetOptions {
    intents: readonly IntentSpec[];
    real?: RealData;
    /** Eval files used only for development (never trained on), e.g. hand-written sentences. */
    devOnly?: readonly string[];
    /** Template sentences per template, before de-duplication. */
    perTemplate?: number;
    /** Each intent gets at least this many and at most `maxPerIntent` template sentences. */
    minPerIntent?: number;
    maxPerIntent?: number;
    /** Intents with fewer distinct sentences than this have them repeated up to it. */
    minRepeat?: number;
    /** Out-of-scope sentences made from hark's own list. */
    outside?: number;
    seed?: number;
}

export interface Dataset {
    train: TrainingPair[];
    dev: EvalCase[];
    /** sha256 of the training and development files as written. */
    hash: string;
    /** Training pairs by source kind and intent. */
    counts: Record<string, number>;
    /** What each intent looked like (see {@link intentHash}): a model remembers which intents it learned. */
    intents: Record<string, string>;
    /** Each intent's wildcard slots (free text copied from the sentence): the trainer swaps their values for fresh ones. */
    wildcards: Record<string, string[]>;
}

/**
 * A short hash of everything about an intent that the model learns from (name, arguments, templates, slots, examples):
 * `hark train lora` compares it with the base model's to find the intents that are new or changed. What a wildcard
 * slot turns down or trims (`exclude`, `notKinds`, `kinds`, `trim`) is applied to an answer at run time and never
 * reaches the training data, so editing it needs no retraining.
 */
export function intentHash(intent: IntentSpec): string {
    const { name, args, sentences, rules, examples } = intent;
    const slots = Object.fromEntries(Object.entries(intent.slots).map(([slot, list]) => [slot, list.kind === "wildcard" ? { kind: list.kind } : list]));
    return createHash("sha256").update(JSON.stringify({ name, args, sentences, slots, rules, examples })).digest("hex").slice(0, 12);
}

/**
 * The answer the model is trained to write for an intent and its arguments: the grammar's JSON, with text values
 * normalised and padded with a space on each side (`"location":" new york "`). The model reads the sentence with a
 * leading space (`" weather in new york"`), so the value's words are the very same tokens in both places — copying
 * a token is easy to learn; respelling one is not. The recognizer trims the spaces.
 */
export function modelOutput(intent: IntentSpec | null, args: Record<string, unknown>): string {
    if (intent == null) return formatToolCall(NONE_TOOL, {}, null);
    // Only free text is padded: the grammar writes an enum's value ("add") as it is.
    const properties = intent.args.properties ?? {};
    const clean = Object.fromEntries(Object.entries(args).map(([k, v]) => [k, typeof v === "string" && isPlainText(properties[k] ?? {}) ? paddedTextValue(v) : v]));
    return formatToolCall(intent.name, clean, intent.args);
}

/** Whether a sentence goes to the development split: a stable hash, so the split never changes between runs. */
export function isDevSentence(text: string, share: number): boolean {
    const h = createHash("sha256").update(normalizedText(text)).digest().readUInt32BE(0);
    return h / 0x1_0000_0000 < share;
}

/**
 * Builds training pairs: every intent's templates expanded (wildcards filled from the slot values found in the real
 * data's training part and from the place names in the system's time-zone database), every intent's examples, hark's
 * own out-of-scope sentences, and the real phrasings minus the development split. Deterministic for a seed.
 */
export function buildDataset(options: DatasetOptions): Dataset {
    const random = seededRandom(options.seed ?? 1);
    const byName = new Map(options.intents.map((i) => [i.name, i]));
    const devKeys = new Set<string>();
    const dev: EvalCase[] = [];
    const realTrain: TrainingPair[] = [];
    const counts: Record<string, number> = {};
    const count = (key: string): void => {
        counts[key] = (counts[key] ?? 0) + 1;
    };

    for (const file of options.devOnly ?? []) {
        for (const c of readEvalFile(file)) {
            dev.push(c);
            devKeys.add(normalizedText(c.text));
        }
    }
    const realSlotValues = new Map<string, Set<string>>();
    for (const file of options.real?.files ?? []) {
        for (const c of readRealCases(file)) {
            if (c.expect != null && !byName.has(c.expect.intent)) continue;
            if (isDevSentence(c.text, options.real!.devShare)) {
                dev.push(c);
                devKeys.add(normalizedText(c.text));
                continue;
            }
            const intent = c.expect ? byName.get(c.expect.intent)! : null;
            realTrain.push({ input: normalizedText(c.text), output: modelOutput(intent, c.expect?.args ?? {}), intent: intent?.name ?? null, source: `real:${path.basename(file)}` });
            for (const [slot, value] of Object.entries(c.expect?.args ?? {})) {
                if (typeof value === "string") (realSlotValues.get(slot) ?? realSlotValues.set(slot, new Set()).get(slot)!).add(normalizeSlotValue(value));
            }
        }
    }

    const vocabulary = slotVocabulary(realSlotValues);
    const fallback = [...new Set([...vocabulary.values()].flat())].sort();
    const invented = phraseMaker([...new Set([...fallback, ...realTrain.map((p) => p.input)].flatMap((t) => t.split(" ")))].sort(), random);
    const pairs: TrainingPair[] = [];
    const seen = new Set<string>(devKeys);
    const add = (pair: TrainingPair, kind: string): void => {
        if (seen.has(pair.input) || pair.input === "") return;
        seen.add(pair.input);
        pairs.push(pair);
        count(`${kind}:${pair.intent ?? NONE_TOOL}`);
    };

    for (const intent of options.intents) {
        for (const example of intent.examples) add({ input: normalizedText(example.text), output: modelOutput(intent, example.args), intent: intent.name, source: `example:${intent.name}` }, "example");
    }
    const templated = (intent: IntentSpec, isNone: boolean, wanted: number): void => {
        if (intent.sentences.length === 0) return;
        const sampler = new TemplateSampler(intent, vocabulary, fallback.length ? fallback : ["something"], random, invented);
        const target = wanted || Math.min(options.maxPerIntent ?? 3000, Math.max(options.minPerIntent ?? 400, sampler.templateCount * (options.perTemplate ?? 150)));
        for (let tries = 0, made = 0; made < target && tries < target * 4; tries++) {
            const { words, args } = sampler.sample();
            const before = pairs.length;
            add({ input: words.join(" "), output: modelOutput(isNone ? null : intent, args), intent: isNone ? null : intent.name, source: `template:${intent.name}` }, "template");
            if (pairs.length > before) made++;
        }
    };
    for (const intent of options.intents) templated(intent, false, 0);
    // Intents with few phrasings ("what time is it") are repeated, so every intent is seen often enough to learn.
    const minRepeat = options.minRepeat ?? 200;
    for (const intent of options.intents) {
        const own = pairs.filter((p) => p.intent === intent.name);
        for (let i = 0; own.length && own.length + i < minRepeat; i++) pairs.push(own[i % own.length]!);
    }
    templated(OUTSIDE_SCOPE, true, options.outside ?? 5200);
    for (const pair of realTrain) add(pair, "real");

    return { train: pairs, dev, hash: datasetHash(pairs, dev), counts, intents: Object.fromEntries(options.intents.map((i) => [i.name, intentHash(i)])), wildcards: wildcardSlots(options.intents) };
}

function wildcardSlots(intents: readonly IntentSpec[]): Record<string, string[]> {
    return Object.fromEntries(intents.map((i) => [i.name, Object.keys(i.slots).filter((slot) => i.slots[slot]!.kind === "wildcard").sort()]));
}

/** sha256 over the training pairs and the development cases, in order: what a run record names its data by. */
export function datasetHash(train: readonly TrainingPair[], dev: readonly EvalCase[]): string {
    const lines = (items: readonly unknown[]): string => items.map((item) => JSON.stringify(item)).join("\n");
    return createHash("sha256").update(lines(train)).update("\n--dev--\n").update(lines(dev)).digest("hex");
}

/** Writes `train.jsonl`, `dev.jsonl` and `data.json` (hash and counts) into `dir`. */
export function writeDataset(dataset: Dataset, dir: string): { train: string; dev: string } {
    fs.mkdirSync(dir, { recursive: true });
    const train = path.join(dir, "train.jsonl");
    const dev = path.join(dir, "dev.jsonl");
    fs.writeFileSync(train, `${dataset.train.map((p) => JSON.stringify(p)).join("\n")}\n`);
    fs.writeFileSync(dev, `${dataset.dev.map((c) => JSON.stringify(c)).join("\n")}\n`);
    fs.writeFileSync(path.join(dir, "data.json"), `${JSON.stringify({ hash: dataset.hash, train: dataset.train.length, dev: dataset.dev.length, intents: dataset.intents, wildcards: dataset.wildcards, counts: dataset.counts }, null, 2)}\n`);
    return { train, dev };
}

const SYLLABLES = ["ka", "lo", "mi", "ren", "tor", "sa", "vel", "on", "bri", "dun", "ex", "ia", "mor", "pol", "qui", "zen", "ath", "ul", "gri", "shu", "nd", "ev", "ox", "lyn"];

/**
 * Made-up phrases of one to four words: known words in unusual company, or words made of syllables (which the
 * tokenizer splits into several pieces, as it does an unusual name).
 */
function phraseMaker(words: readonly string[], random: () => number): () => string {
    const pick = <T>(list: readonly T[]): T => list[Math.min(list.length - 1, Math.floor(((random() + 1) / 2) * list.length))]!;
    const madeUp = (): string => Array.from({ length: 2 + Math.floor(((random() + 1) / 2) * 3) }, () => pick(SYLLABLES)).join("");
    return () => Array.from({ length: 1 + Math.floor(((random() + 1) / 2) * 4) % 4 }, () => (words.length && random() < 0.2 ? pick(words) : madeUp())).join(" ");
}

/** Wildcard values by slot name: the real data's, with place names added from the time-zone database where present. */
function slotVocabulary(real: ReadonlyMap<string, Set<string>>): Map<string, string[]> {
    const out = new Map<string, string[]>([...real].map(([slot, values]) => [slot, [...values].sort()]));
    const places = zoneinfoPlaces();
    if (places.length) out.set("location", [...new Set([...(out.get("location") ?? []), ...places])].sort());
    return out;
}

/** City names from /usr/share/zoneinfo (tzdata): "America/New_York" → "new york". Empty when tzdata is missing. */
function zoneinfoPlaces(root = "/usr/share/zoneinfo"): string[] {
    const names = new Set<string>();
    for (const region of ["Africa", "America", "Asia", "Atlantic", "Australia", "Europe", "Indian", "Pacific"]) {
        let entries: string[];
        try {
            entries = fs.readdirSync(path.join(root, region));
        } catch {
            continue;
        }
        for (const entry of entries) {
            const name = normalizedText(entry.replaceAll("_", " "));
            if (/^[a-z ]+$/.test(name)) names.add(name);
        }
    }
    return [...names].sort();
}
