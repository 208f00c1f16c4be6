import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { getLlama, LlamaLogLevel, readGgufFileInfo, type LlamaModel, type Token } from "node-llama-cpp";
import { readEvalFile } from "../src/eval/dataset.ts";
import { sha256File } from "../src/models/download.ts";
import { loadIntentDirs } from "../src/intents/load.ts";
import { MIN_CONFIDENCE_KEY, readGgufHeader } from "../src/llm/gguf.ts";
import { spokenRule, toolCallGrammar } from "../src/llm/grammar.ts";
import { HARK_INTENT_MODEL } from "../src/llm/profile.ts";
import { normalizedText } from "../src/template/index.ts";
import { Assistant } from "../src/pipeline/assistant.ts";
import { buildDataset, intentHash } from "../src/train/data.ts";
import { evaluateModel } from "../src/train/evaluate.ts";
import { buildLoraDataset, changedIntents, learnedIntents } from "../src/train/lora-data.ts";
import { pythonCommand, TRAINER } from "../src/train/python.ts";
import { readRuns, type TrainingRun } from "../src/train/runs.ts";
import { DEV_ONLY_FILES, developmentSplit, trainBase, trainLora } from "../src/train/train.ts";
import { builtinIntentsDir, packageRoot, silentLogger, tempDir, testConfig } from "./helpers.ts";


/** What the PyTorch model says for each input (train.py predict). */
interface TorchPrediction { input: string; tokens: number[]; next: number; margin: number; answer: string }

function torchPredict(model: string, inputs: readonly string[], lora?: string): TorchPrediction[] {
    const file = path.join(tempDir(), "inputs.txt");
    fs.writeFileSync(file, `${inputs.join("\n")}\n`);
    const r = spawnSync(pythonCommand(), [TRAINER, "--threads", "1", "predict", "--model", model, "--inputs", file, "--answer-tokens", "0", ...(lora ? ["--lora", lora] : [])], { encoding: "utf8", timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.trim().split("\n").map((l) => JSON.parse(l) as TorchPrediction);
}

/** llama.cpp's greedy next token after hark's prompt, through node-llama-cpp, with no grammar. */
async function llamaNextTokens(model: LlamaModel, separator: number, inputs: readonly string[]): Promise<Array<{ tokens: number[]; next: number }>> {
    const context = await model.createContext({ contextSize: 256, sequences: 1, threads: 1 });
    const sequence = context.getSequence();
    const out: Array<{ tokens: number[]; next: number }> = [];
    try {
        for (const input of inputs) {
            await sequence.clearHistory();
            const tokens = model.tokenize(` ${input}`);
            for await (const token of sequence.evaluate([model.tokens.bos!, ...tokens, separator as Token], { temperature: 0 })) {
                out.push({ tokens: [...tokens], next: token });
                break;
            }
        }
    } finally {
        await context.dispose();
    }
    return out;
}

describe("hark's own intent model: data, training, GGUF export, parity, LoRA", { timeout: 600_000 }, () => {
    const llamaPromise = getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error });
    // The hand-written sentences with commands in them (the near-miss sets, all "no action", are scored by the bench).
    const dev = DEV_ONLY_FILES.filter((f) => /handwritten|holdout/.test(path.basename(f))).flatMap((f) => readEvalFile(f));
    const sample = dev.filter((_, i) => i % 3 === 0).map((c) => normalizedText(c.text));
    let smoke: TrainingRun;
    let dataDir: string;

    before(async () => {
        // A smoke run: the tiny preset for a few steps, templates only. Exercises data → tokenizer → training → GGUF.
        const config = testConfig();
        dataDir = config.paths.dataDir;
        smoke = await trainBase({ config, log: silentLogger(), threads: 2, devLimit: 12 }, { preset: "tiny", steps: 20, seed: 3, outDir: path.join(dataDir, "smoke"), name: "smoke", realFiles: [] });
    });

    after(async () => {
        await (await llamaPromise).dispose();
    });

    it("training data: templates expanded with slot values, examples, refusals; the hand-written sentences never trained on", async () => {
        const set = await loadIntentDirs([builtinIntentsDir]);
        const a = buildDataset({ intents: set.intents.map((i) => i.spec), devOnly: DEV_ONLY_FILES, seed: 5, maxPerIntent: 200, minPerIntent: 50, outside: 100 });
        const b = buildDataset({ intents: set.intents.map((i) => i.spec), devOnly: DEV_ONLY_FILES, seed: 5, maxPerIntent: 200, minPerIntent: 50, outside: 100 });
        assert.equal(a.hash, b.hash, "the same seed gives the same data");
        const devInputs = new Set(a.dev.map((c) => normalizedText(c.text)));
        assert.ok(a.train.every((p) => !devInputs.has(p.input)), "no development sentence is trained on");
        const weather = a.train.find((p) => p.intent === "get_weather" && p.output.includes('"location"'));
        assert.ok(weather, "weather sentences with a place");
        const call = JSON.parse(weather.output) as { name: string; arguments: { location: string } };
        assert.match(call.arguments.location, /^ \S.* $/, "text values are padded with a space on each side");
        assert.ok(` ${weather.input} `.includes(call.arguments.location), `the place is copied from the sentence: ${weather.input} → ${weather.output}`);
        assert.ok(a.train.some((p) => p.intent === null && p.output === '{"name":"none"}'), "refusals");
        assert.ok(a.train.every((p) => p.input === normalizedText(p.input)), "inputs are normalised");
        for (const name of set.intents.map((i) => i.spec.name)) assert.ok(a.train.filter((p) => p.intent === name).length >= 50, name);
        assert.deepEqual(a.wildcards.get_weather, ["location"], "the trainer is told which slots hold copied words");
        assert.deepEqual(a.wildcards.set_volume, []);
    });

    it("the development split leaves out the sets measured on their own: near misses, speech and household requests", async () => {
        const specs = (await loadIntentDirs([builtinIntentsDir])).intents.map((i) => i.spec);
        const sources = new Set(developmentSplit(specs).map((c) => c.source ?? ""));
        assert.ok([...sources].some((s) => s.startsWith("handwritten")), "the hand-written sentences are in it");
        assert.deepEqual([...sources].filter((s) => /^(near-miss|spoken-|household)/.test(s)), []);
    });

    it("the trainer swaps a wildcard value for a made-up phrase in the sentence and the answer alike", () => {
        const script = [
            "import json, sys",
            `sys.path.insert(0, ${JSON.stringify(path.dirname(TRAINER))})`,
            "from train import ValueSwapper",
            'pairs = [("weather in new york tomorrow", json.dumps({"name": "get_weather", "arguments": {"location": " new york ", "when": " tomorrow "}}, separators=(",", ":")), "get_weather")]',
            'swap = ValueSwapper({"get_weather": ["location"]}, pairs, 1.0, 1)',
            "print(json.dumps([swap(*pairs[0]) for _ in range(20)] + [ValueSwapper({}, pairs, 1.0, 1)(*pairs[0])]))"
        ].join("\n");
        const r = spawnSync(pythonCommand(), ["-c", script], { encoding: "utf8", timeout: 60_000 });
        assert.equal(r.status, 0, r.stderr);
        const results = JSON.parse(r.stdout) as Array<[string, string]>;
        const unchanged = results.pop()!;
        assert.equal(unchanged[0], "weather in new york tomorrow", "an intent without wildcard slots is left alone");
        for (const [text, call] of results) {
            const args = (JSON.parse(call) as { arguments: { location: string; when: string } }).arguments;
            assert.equal(args.when, " tomorrow ", "a slot with a value list is kept");
            assert.notEqual(args.location, " new york ");
            assert.equal(`weather in${args.location}tomorrow`, text, `the new place is in the sentence where the old one was: ${text} → ${call}`);
        }
        assert.ok(new Set(results.map(([text]) => text)).size >= 15, "a fresh phrase nearly every time");
    });

    it("the smoke run writes f32 and Q8_0 GGUFs that node-llama-cpp reads back: metadata, vocabulary and every tensor", async () => {
        const [q8, f32] = smoke.outputs;
        assert.equal(q8!.role, "model");
        for (const output of [q8!, f32!]) {
            const info = await readGgufFileInfo(output.path, { readTensorInfo: true });
            const meta = info.metadata as unknown as Record<string, Record<string, unknown>>;
            assert.equal(meta.general!.architecture, "llama");
            assert.equal((meta.llama as Record<string, unknown>).block_count, 2);
            assert.equal((meta.llama as Record<string, unknown>).embedding_length, 64);
            assert.equal(((meta.tokenizer as Record<string, Record<string, unknown>>).ggml!.tokens as string[]).length, 320);
            assert.equal((meta.hark as Record<string, unknown>).prompt_format, "hark-call-v1");
            const names = info.tensorInfo!.map((t) => t.name);
            assert.equal(names.length, 2 + 2 * 9, "embedding, output norm and 9 tensors per block");
            const q = info.tensorInfo!.find((t) => t.name === "blk.0.attn_q.weight")!;
            assert.deepEqual(q.dimensions.map(Number), [64, 64]);
            assert.equal(Number(q.ggmlType), output === q8 ? 8 : 0, "Q8_0 (type 8) or F32 (type 0)");
            assert.equal(Number(info.tensorInfo!.find((t) => t.name === "blk.0.attn_norm.weight")!.ggmlType), 0, "norms stay f32");
        }
        assert.ok(q8!.bytes < f32!.bytes / 2, `Q8_0 is smaller: ${q8!.bytes} vs ${f32!.bytes}`);
        const llama = await llamaPromise;
        const model = await llama.loadModel({ modelPath: q8!.path, gpuLayers: 0 });
        assert.equal(model.detokenize(model.tokenize("play some jazz")), "play some jazz");
        await model.dispose();
        assert.equal(readRuns(dataDir).at(-1)?.id, smoke.id, "the run is recorded");
        assert.match(smoke.dataHash, /^[0-9a-f]{64}$/);
        assert.ok(smoke.metrics["dev (model)"]!.cases === 12);
    });

    it("hark train threshold chooses a model's threshold again for another target and writes it into the file; a share outside 0..1 is refused", () => {
        const model = path.join(tempDir(), "model.gguf");
        fs.copyFileSync(smoke.outputs[0]!.path, model);
        const configFile = path.join(dataDir, "threshold-config.yaml");
        fs.writeFileSync(configFile, JSON.stringify({ paths: { dataDir } }));
        const bin = path.join(packageRoot, "bin", "hark.js");
        // No shared data: the hand-written development sentences only, so the tiny model answers them in seconds.
        const env = { ...process.env, HARK_SHARED_DIR: tempDir() };
        const choose = (share: string) => spawnSync(process.execPath, [bin, "--config", configFile, "train", "threshold", "--model", model, "--false-actions", share], { encoding: "utf8", env, timeout: 120_000 });
        const chosen = (share: string): number => {
            const r = choose(share);
            assert.equal(r.status, 0, r.stderr);
            const m = /confidence threshold ([\d.e-]+) on (\d+) development sentences/.exec(r.stdout);
            assert.ok(m, r.stdout);
            assert.ok(Number(m[2]) > 50, `chosen on the development sentences: ${m[2]}`);
            assert.ok(Math.abs(Number(readGgufHeader(model).metadata.get(MIN_CONFIDENCE_KEY)) - Number(m[1])) < 1e-6, "written into the model");
            return Number(m[1]);
        };
        const loose = chosen("0.99");
        const strict = chosen("0");
        assert.ok(strict >= loose, `no false actions allowed needs a threshold at least as high: ${strict} vs ${loose}`);
        const refused = choose("2");
        assert.notEqual(refused.status, 0);
        assert.match(refused.stderr, /--false-actions 2: give a share between 0 and 1/);
    });

    for (const which of ["smoke f32", "shipped Q8_0"] as const) {
        it(`parity: PyTorch and llama.cpp tokenize alike and choose the same next token (${which})`, async () => {
            const file = which === "smoke f32" ? smoke.outputs[1]!.path : HARK_INTENT_MODEL;
            const torch = torchPredict(file, sample);
            const llama = await llamaPromise;
            const model = await llama.loadModel({ modelPath: file, gpuLayers: 0 });
            try {
                const separator = Number(readGgufHeader(file).metadata.get("hark.separator_token_id"));
                const ours = await llamaNextTokens(model, separator, sample);
                let compared = 0;
                torch.forEach((t, i) => {
                    assert.deepEqual(ours[i]!.tokens, t.tokens, `tokens of "${t.input}"`);
                    // Near-ties may fall either way under quantised arithmetic; a clear choice must agree.
                    if (t.margin < 0.05) return;
                    compared++;
                    assert.equal(ours[i]!.next, t.next, `next token after "${t.input}" (torch margin ${t.margin})`);
                });
                assert.ok(compared >= sample.length * 0.8, `${compared} of ${sample.length} compared`);
            } finally {
                await model.dispose();
            }
        });
    }

    it("the shipped model loads and passes a quick accuracy check on hand-written sentences", async () => {
        const cases = dev.filter((_, i) => i % 2 === 0);
        const config = testConfig({ llm: { enabled: true } });
        const report = await evaluateModel({ config, log: silentLogger(), subject: { model: HARK_INTENT_MODEL, lora: [] }, cases, engines: "model" });
        assert.ok(report.intentAccuracy >= 0.85, `accuracy ${report.intentAccuracy} on ${cases.length} sentences`);
        assert.ok(report.slotF1 >= 0.8, `slot F1 ${report.slotF1}`);
        const learned = learnedIntents(HARK_INTENT_MODEL);
        const set = await loadIntentDirs([builtinIntentsDir]);
        assert.deepEqual(changedIntents(set.intents.map((i) => i.spec), learned), [], "the shipped model knows every built-in intent as it is now (retrain after editing one)");
    });

    it("an intent's hash changes with what the model learns from, not with what a wildcard turns down or trims at run time", async () => {
        const weather = (await loadIntentDirs([builtinIntentsDir])).intents.find((i) => i.spec.name === "get_weather")!.spec;
        assert.equal(weather.slots.location?.kind, "wildcard");
        const runtime = { ...weather, slots: { ...weather.slots, location: { kind: "wildcard" as const, exclude: ["sauna"] } } };
        assert.equal(intentHash(runtime), intentHash(weather));
        assert.notEqual(intentHash({ ...weather, sentences: weather.sentences.slice(1) }), intentHash(weather));
        assert.notEqual(intentHash({ ...weather, slots: { ...weather.slots, location: { kind: "values", values: [{ in: "paris", out: "paris" }] } } }), intentHash(weather));
    });

    it("the shipped model's place and song names are words that were said, also names it never saw", async () => {
        const grammar = toolCallGrammar((await loadIntentDirs([builtinIntentsDir])).intents.map((i) => i.spec), 80, { spokenValues: true });
        assert.match(grammar, /"\\"location\\":" spoken/, "wildcard slots refer to the spoken rule");
        assert.match(grammar, /"\\"when\\":" get-weather-when-listed/, "a slot with a value list: one of its values, or words said");
        assert.match(grammar, /^get-weather-when-listed ::= "\\" today \\"" \| .* \| spoken$/m);
        assert.equal(spokenRule(["in", "new", "york"], 2, 80), String.raw`spoken ::= "\" in \"" | "\" in new \"" | "\" new \"" | "\" new york \"" | "\" york \""`);
        const config = testConfig({ llm: { enabled: true } });
        const sentences = ["what is the weather in vorlankia tesh", "play zumbrella quorn by the fennick brothers", "is it going to rain in ostrovia later", "put on some music by grimsvold"];
        const assistant = await Assistant.create({ config, log: silentLogger(), ephemeralState: true });
        try {
            await assistant.router.replace("template", null);
            for (const sentence of sentences) {
                const { recognition, attempts } = await assistant.router.recognize(sentence);
                assert.ok(recognition, `"${sentence}" is understood: ${JSON.stringify(attempts)}`);
                const values = Object.values(recognition.args).filter((v) => typeof v === "string");
                assert.ok(values.length > 0, `a name is taken from "${sentence}": ${JSON.stringify(recognition)}`);
                for (const value of values) assert.ok(` ${sentence} `.includes(` ${value} `), `"${value}" is words of "${sentence}"`);
            }
        } finally {
            await assistant.dispose();
        }
    });

    it("LoRA data: a refusal the new intent's templates now match is neither replayed nor counted as a false action", async () => {
        const intents = tempDir();
        fs.copyFileSync(path.join(packageRoot, "test", "fixtures", "turn_on_lights.yaml"), path.join(intents, "turn_on_lights.yaml"));
        const set = await loadIntentDirs([builtinIntentsDir, intents]);
        const specs = set.intents.map((i) => i.spec);
        // A seed whose replayed refusals include turning on the lights (which refusals a seed draws is chance).
        const options = { intents: specs, replay: 100_000, real: { files: [], devShare: 0.15 }, devOnly: [], seed: 2, nlu: testConfig().nlu };
        const refusals = (d: { train: Array<{ input: string; intent: string | null }> }) => d.train.filter((p) => p.intent == null).map((p) => p.input);
        const lights = /^((please|hey|can you|could you|would you) )?(turn|switch) on the (\w+ )?lights( in the \w+)?$/;
        const before = buildLoraDataset({ ...options, targets: ["play_song"] });
        const taught = buildLoraDataset({ ...options, targets: ["turn_on_lights"] });
        assert.ok(refusals(before).some((t) => lights.test(t)), "the base data refuses to turn on the lights");
        assert.deepEqual(refusals(taught).filter((t) => lights.test(t)), []);
        assert.ok(refusals(taught).some((t) => /turn (on|off) the (fan|heater|tv)/.test(t)), "other device requests are still refused");
    });

    it("hark train lora teaches a new intent: the adapter changes the recognizer's answer; the run is recorded", async () => {
        const intents = tempDir();
        fs.copyFileSync(path.join(packageRoot, "test", "fixtures", "turn_on_lights.yaml"), path.join(intents, "turn_on_lights.yaml"));
        const config = testConfig({ paths: { intentsDirs: [builtinIntentsDir, intents] } });
        const out = path.join(config.paths.dataDir, "lights.gguf");
        // The adapter's threshold is chosen on these development sentences: 30 left too few no-action ones to choose
        // from (one sure false action put it at 0.9995, above every answer). A 120-step adapter is no product: it is
        // held to 5 % false actions, not 0.5 %, on 400 sentences (at 0.5 % on 150, the hold-outs added on 2026-12-03
        // moved one sure false action into the sample and the threshold to 0.97, above half the new intent's answers).
        // 120 steps, not 80: adding a near-miss set to test/eval changes the pairs an adapter is trained on, and with
        // 80 two of the four examples fell below the threshold (0.96) after the eleventh hold-out came.
        // Two turns a person labelled (usage.jsonl) go into the training pairs, and the run records which file it was.
        const usageFile = path.join(config.paths.dataDir, "usage.jsonl");
        fs.writeFileSync(usageFile, [
            { text: "brighten up the office", expect: { intent: "turn_on_lights", args: { room: "office" } }, source: "usage", turn: "t1", time: "2026-12-01T10:00:00Z" },
            { text: "tell me a joke", expect: null, source: "usage", turn: "t2", time: "2026-12-01T10:01:00Z" }
        ].map((l) => JSON.stringify(l)).join("\n") + "\n");
        const usage = { file: usageFile, cases: readEvalFile(usageFile) };
        const result = await trainLora({ config, log: silentLogger(), threads: 2, devLimit: 400 }, { baseModel: HARK_INTENT_MODEL, out, steps: 120, rank: 8, replay: 400, seed: 1, realFiles: [], usage, falseActionTarget: 0.05 });
        assert.deepEqual(result.targets, ["turn_on_lights"], "found as the one intent the base model does not know");
        assert.deepEqual(result.run.settings.usage, { file: usageFile, cases: 2, sha256: await sha256File(usageFile) });
        const trained = fs.readFileSync(path.join(`${out.replace(/\.gguf$/, "")}.data`, "train.jsonl"), "utf8");
        assert.equal(trained.split("\n").filter((l) => l.includes('"brighten up the office"')).length, 4, "a labelled turn weighs like an example");
        const examples = "new intents: examples";
        assert.equal(result.before[examples]!.intentAccuracy, 0, "the base model never answers the new intent");
        assert.ok(result.after[examples]!.intentAccuracy >= 0.75, `with the adapter: ${result.after[examples]!.intentAccuracy}`);
        const info = await readGgufFileInfo(out, { readTensorInfo: true });
        assert.equal((info.metadata as unknown as { adapter: { type: string } }).adapter.type, "lora");
        const threshold = result.run.settings.minConfidence as number;
        assert.ok(threshold >= 0 && threshold <= 1, `a threshold chosen with the adapter applied: ${threshold}`);
        assert.ok(Math.abs(Number(readGgufHeader(out, "LoRA adapter").metadata.get(MIN_CONFIDENCE_KEY)) - threshold) < 1e-6, "and written into the adapter");
        assert.ok(info.tensorInfo!.some((t) => t.name === "blk.0.attn_q.weight.lora_a"));
        const runs = readRuns(config.paths.dataDir);
        assert.equal(runs.at(-1)!.kind, "lora");
        assert.equal(runs.at(-1)!.baseModel!.path, HARK_INTENT_MODEL);

        // The CLI: the run is listed and the two models compared on one file.
        const bin = path.join(packageRoot, "bin", "hark.js");
        const configFile = path.join(config.paths.dataDir, "config.yaml");
        fs.writeFileSync(configFile, JSON.stringify({ paths: { dataDir: config.paths.dataDir, intentsDirs: [builtinIntentsDir, intents] } }));
        const listed = spawnSync(process.execPath, [bin, "--config", configFile, "train", "runs"], { encoding: "utf8" });
        assert.equal(listed.status, 0, listed.stderr);
        assert.match(listed.stdout, /lora-\d{8}-\d{6} {2}lora .*\n {4}intents=turn_on_lights steps=120 rank=8/);
        const evalFile = path.join(config.paths.dataDir, "lights.jsonl");
        fs.writeFileSync(evalFile, `${JSON.stringify({ text: "switch on the lights in the garage", expect: { intent: "turn_on_lights", args: { room: "garage" } } })}\n`);
        const compared = spawnSync(process.execPath, [bin, "--config", configFile, "eval", evalFile, "--compare", runs.at(-1)!.id, "--json"], { encoding: "utf8", timeout: 120_000 });
        assert.equal(compared.status, 0, compared.stderr);
        assert.equal((JSON.parse(compared.stdout) as Array<{ kind: string; cases: number }>)[0]!.cases, 1);
    });
});
