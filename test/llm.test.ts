import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { before, describe, it } from "node:test";
import { pino } from "pino";
import YAML from "yaml";
import type { HarkConfig } from "../src/config/schema.ts";
import { ModelFileError } from "../src/errors.ts";
import type { IntentSpec } from "../src/intents/types.ts";
import { compileArgsSchema } from "../src/intents/validate-args.ts";
import { NONE_TOOL } from "../src/intents/types.ts";
import { GgufValueType, MIN_CONFIDENCE_KEY, setGgufMetadata } from "../src/llm/gguf.ts";
import { writeRandomLoraAdapter } from "../src/llm/lora-gguf.ts";
import { resolveProfile, type LlmOverrides } from "../src/llm/profile.ts";
import { HARK_INTENT_MODEL } from "../src/llm/profile.ts";
import { loadLlm } from "../src/llm/runtime.ts";
import { loadCatalog } from "../src/models/catalog.ts";
import { ModelStore } from "../src/models/store.ts";
import { LlmRecognizer, type LlmTurnDetail } from "../src/nlu/llm.ts";
import { Assistant } from "../src/pipeline/assistant.ts";
import { IntentRegistry } from "../src/intents/registry.ts";
import { packageRoot, sharedFile, silentLogger, tempDir, testConfig, waitFor, writeIntent, builtinIntentsDir } from "./helpers.ts";

const tinyRandom = sharedFile("models/llm/llama-2-tiny-random.gguf");
const stories = sharedFile("models/llm/stories260K.gguf");
const skip = tinyRandom && stories ? false : "../shared/models/llm not found (set HARK_SHARED_DIR)";

/** An LLM recognizer on `model` with `intents`; parameters from `overrides`. */
async function recognizer(config: HarkConfig, overrides: LlmOverrides, intents: readonly IntentSpec[]): Promise<LlmRecognizer> {
    const store = new ModelStore(config.paths.modelsDir, loadCatalog());
    const llm = await loadLlm(resolveProfile(config.llm, store, overrides), { gpu: false, log: silentLogger() });
    const r = new LlmRecognizer({ llm, examplesPerIntent: config.llm.examplesPerIntent, maxArgumentLength: config.llm.maxArgumentLength, log: silentLogger() });
    await r.setIntents(intents);
    return r;
}

const WEATHER_YAML = `
name: get_forecast_for_garden
description: Tells whether the garden needs watering.
args:
  type: object
  properties:
    plant: { type: string }
    days: { type: integer, minimum: 1, maximum: 14 }
  required: [plant]
  additionalProperties: false
sentences:
  - does the {plant} need water
slots:
  plant: wildcard
examples:
  - text: does the basil need water
    args: { plant: basil }
action:
  speak: "Water the {plant}."
`;

describe("LLM recognizer (node-llama-cpp, tiny models from ../shared)", { skip }, () => {
    let builtins: IntentSpec[] = [];
    before(async () => {
        const registry = await IntentRegistry.create({ dirs: [builtinIntentsDir], log: silentLogger(), watch: false });
        builtins = registry.intents.map((i) => i.spec);
        await registry.dispose();
    });

    it("any answer, however random the model, is a valid call of a loaded intent or none — also for a new intent set", async () => {
        const config = testConfig({ llm: { maxArgumentLength: 12 } });
        const r = await recognizer(config, { model: tinyRandom!, params: { temperature: 1.5, topK: 0, topP: 1, minP: 0 } }, builtins);
        const garden = path.join(tempDir(), "garden.yaml");
        fs.writeFileSync(garden, WEATHER_YAML);
        const extra = await IntentRegistry.create({ dirs: [path.dirname(garden)], log: silentLogger(), watch: false });
        try {
            for (const set of [builtins, [...builtins, ...extra.intents.map((i) => i.spec)]]) {
                await r.setIntents(set);
                const validators = new Map(set.map((i) => [i.name, compileArgsSchema(i.args)]));
                const seen = new Set<string>();
                const sentences = ["play baby shark", "what's the weather in boston", "does the basil need water", "set a timer", "hello there", "turn it up"];
                for (let seed = 0; seed < 14; seed++) {
                    (r as unknown as { options: { llm: { profile: { params: { seed: number } } } } }).options.llm.profile.params.seed = seed;
                    const result = await r.recognize(sentences[seed % sentences.length]!);
                    assert.ok(result, "the LLM always answers");
                    seen.add(result.intent);
                    if (result.intent === NONE_TOOL) continue;
                    const validate = validators.get(result.intent);
                    assert.ok(validate, `"${result.intent}" is one of the loaded intents`);
                    assert.ok(validate(result.args), `${result.intent} ${JSON.stringify(result.args)} is valid: ${JSON.stringify(validate.errors)}`);
                    assert.ok(result.confidence > 0 && result.confidence <= 1);
                }
                assert.ok([...seen].filter((s) => s !== NONE_TOOL).length >= 3, `sampling reached several intents: ${[...seen].join(", ")}`);
                if (set.length > builtins.length) assert.ok(seen.has("get_forecast_for_garden") || seen.size > 3);
            }
        } finally {
            await extra.dispose();
            await r.dispose();
        }
    });

    it("a real trained model (stories260K) loads and answers with a tool call the intent accepts", async () => {
        // Without examples the prompt is shorter: this model's tokens are mostly single characters.
        const r = await recognizer(testConfig({ llm: { examplesPerIntent: 0 } }), { model: stories! }, builtins);
        try {
            const result = await r.recognize("what's the weather in boston");
            assert.ok(result);
            assert.ok(result.intent === NONE_TOOL || builtins.some((i) => i.name === result.intent));
            assert.match(String((result.detail as LlmTurnDetail).output), /^\{"name":"[a-z_]+"/);
        } finally {
            await r.dispose();
        }
    });

    it("with no intent loaded the only answer is none, and the assistant refuses without acting", async () => {
        const empty = tempDir();
        const config = testConfig({ paths: { intentsDirs: [empty] }, llm: { enabled: true, minConfidence: 0 } });
        const assistant = await Assistant.create({ config, log: silentLogger(), llm: { model: tinyRandom! }, ephemeralState: true });
        try {
            const record = await assistant.handleText("play baby shark");
            assert.equal(record.reply, "Sorry, I didn't catch that.");
            assert.equal(record.toolCall, null);
            const attempts = (record.stages[0]!.output as { attempts: Array<{ engine: string; verdict: string; detail?: LlmTurnDetail }> }).attempts;
            assert.deepEqual(attempts.map((a) => [a.engine, a.verdict]), [["template", "no match"], ["llm", "none"]]);
            assert.equal(attempts[1]!.detail!.output, `{"name":"${NONE_TOOL}"}`);
        } finally {
            await assistant.dispose();
        }
    });

    it("the fixed prompt is evaluated once: a second turn evaluates only its own tokens", async () => {
        const r = await recognizer(testConfig(), { model: tinyRandom! }, builtins);
        try {
            assert.ok(r.prefixLength > 500, `the prompt prefix holds the tools and examples (${r.prefixLength} tokens)`);
            await r.recognize("play baby shark");
            const second = (await r.recognize("what is the weather like in paris tomorrow"))!.detail as LlmTurnDetail;
            assert.ok(second.reusedTokens >= r.prefixLength);
            const newTokens = second.promptTokens - second.reusedTokens;
            assert.ok(second.evaluatedTokens <= newTokens + second.generatedTokens, JSON.stringify(second));
            assert.ok(second.evaluatedTokens < 60, `evaluated ${second.evaluatedTokens}, not the ${second.promptTokens}-token prompt`);
            assert.match(second.promptTail, /paris tomorrow/);
            // Intents changing rebuilds the prefix.
            await r.setIntents(builtins.slice(0, 3));
            assert.ok(r.prefixLength < second.reusedTokens);
        } finally {
            await r.dispose();
        }
    });

    it("a generated LoRA adapter changes the answer; at scale 0 the base answer comes back", async () => {
        const adapter = path.join(tempDir(), "adapter.gguf");
        assert.equal(writeRandomLoraAdapter(tinyRandom!, adapter, { seed: 3 }), 7);
        const answer = async (lora: LlmOverrides["lora"]): Promise<string> => {
            const r = await recognizer(testConfig(), { model: tinyRandom!, lora }, builtins);
            try {
                const result = (await r.recognize("play baby shark"))!;
                return `${(result.detail as LlmTurnDetail).output} ${result.confidence.toFixed(6)}`;
            } finally {
                await r.dispose();
            }
        };
        const base = await answer([]);
        assert.notEqual(await answer([{ path: adapter, scale: 1 }]), base);
        assert.equal(await answer([{ path: adapter, scale: 0 }]), base);
    });

    it("an adapter's own threshold (chosen with it applied) replaces the model's; with several, the highest", async () => {
        const dir = tempDir();
        const [model, first, second] = ["model.gguf", "first.gguf", "second.gguf"].map((f) => path.join(dir, f)) as [string, string, string];
        fs.copyFileSync(tinyRandom!, model);
        writeRandomLoraAdapter(tinyRandom!, first, { seed: 3 });
        writeRandomLoraAdapter(tinyRandom!, second, { seed: 4 });
        const threshold = (file: string, value: number): void => setGgufMetadata(file, [{ key: MIN_CONFIDENCE_KEY, type: GgufValueType.FLOAT32, value }]);
        const suggested = async (lora: LlmOverrides["lora"]): Promise<number | null> => {
            const r = await recognizer(testConfig(), { model, lora }, builtins);
            try {
                return r.suggestedMinConfidence;
            } finally {
                await r.dispose();
            }
        };
        assert.equal(await suggested([{ path: first, scale: 1 }]), null, "neither file names one");
        threshold(model, 0.5);
        assert.equal(await suggested([{ path: first, scale: 1 }]), 0.5, "the model's, when the adapter names none");
        threshold(first, 0.75);
        threshold(second, 0.25);
        assert.equal(await suggested([{ path: first, scale: 1 }]), 0.75);
        assert.equal(await suggested([{ path: second, scale: 1 }]), 0.25, "lower than the model's: chosen with the adapter, it replaces it");
        assert.equal(await suggested([{ path: first, scale: 1 }, { path: second, scale: 1 }]), 0.75);
    });

    it("missing, truncated, foreign and wrongly placed model files are named with what to do", async () => {
        const dir = tempDir();
        const config = testConfig();
        const load = (model: string, lora: LlmOverrides["lora"] = []) =>
            loadLlm(resolveProfile(config.llm, new ModelStore(dir, loadCatalog()), { model, lora }), { gpu: false, log: silentLogger() });
        const bytes = fs.readFileSync(tinyRandom!);
        const truncated = path.join(dir, "cut.gguf");
        fs.writeFileSync(truncated, bytes.subarray(0, bytes.length - 1000));
        const headerCut = path.join(dir, "header-cut.gguf");
        fs.writeFileSync(headerCut, bytes.subarray(0, 5000));
        const text = path.join(dir, "notes.gguf");
        fs.writeFileSync(text, "these are my notes, not a model\n");
        const adapter = path.join(dir, "adapter.gguf");
        writeRandomLoraAdapter(tinyRandom!, adapter);

        await assert.rejects(load(path.join(dir, "absent.gguf")), (e: Error) => e instanceof ModelFileError && /not found.*hark models pull/.test(e.message));
        await assert.rejects(load(truncated), /truncated: 1749560 bytes, but its tensors need 1750560; .*pull it again/);
        await assert.rejects(load(headerCut), /ends inside its header/);
        await assert.rejects(load(text), /not a GGUF language model file/);
        await assert.rejects(load(adapter), /this is a LoRA adapter, not a model/);
        await assert.rejects(load(tinyRandom!, [{ path: tinyRandom!, scale: 1 }]), /not a LoRA adapter GGUF/);
    });

    it("the config's profile is swapped in a running assistant without a restart", async () => {
        const models = tempDir();
        fs.copyFileSync(tinyRandom!, path.join(models, "a.gguf"));
        fs.copyFileSync(tinyRandom!, path.join(models, "b.gguf"));
        const raw = (profile: string) => ({ paths: { modelsDir: models }, llm: { enabled: true, minConfidence: 0, profile, profiles: { a: { model: path.join(models, "a.gguf") }, b: { model: path.join(models, "b.gguf"), params: { maxTokens: 96 } } } } });
        const assistant = await Assistant.create({ config: testConfig(raw("a")), log: silentLogger(), ephemeralState: true });
        try {
            const profileOf = async () => {
                const record = await assistant.handleText("blorp the flibbet");
                const attempts = (record.stages[0]!.output as { attempts: Array<{ engine: string; detail?: LlmTurnDetail }> }).attempts;
                return attempts.find((a) => a.engine === "llm")?.detail?.profile;
            };
            assert.equal(await profileOf(), "a");
            await assistant.configureLlm(testConfig(raw("b")));
            assert.equal(await profileOf(), "b");
            await assistant.configureLlm(testConfig({ ...raw("b"), llm: { enabled: false } }));
            assert.equal(await profileOf(), undefined);
        } finally {
            await assistant.dispose();
        }
    });

    it("a new llm.minConfidence alone applies at once without loading the model again", async () => {
        const messages: string[] = [];
        const log = pino({ level: "info" }, { write: (line: string) => void messages.push(JSON.parse(line).msg) });
        const raw = (minConfidence: number) => ({ llm: { enabled: true, minConfidence } });
        const assistant = await Assistant.create({ config: testConfig(raw(0)), log, ephemeralState: true, llm: { model: tinyRandom! } });
        try {
            const llmVerdict = async () => {
                const record = await assistant.handleText("blorp the flibbet");
                return (record.stages[0]!.output as { attempts: Array<{ engine: string; verdict: string }> }).attempts.find((a) => a.engine === "llm")?.verdict;
            };
            assert.match(String(await llmVerdict()), /^(accepted|none)$/);
            await assistant.configureLlm(testConfig(raw(1)));
            assert.equal(await llmVerdict(), "below threshold");
            assert.equal(messages.filter((m) => m === "LLM loaded").length, 1);
        } finally {
            await assistant.dispose();
        }
    });

    it("llmWhenFirstAsked: the model loads when a sentence first reaches it, not for one the templates answer; its threshold is known before", async () => {
        const messages: string[] = [];
        const log = pino({ level: "info" }, { write: (line: string) => void messages.push(JSON.parse(line).msg) });
        const assistant = await Assistant.create({ config: testConfig({ llm: { enabled: true } }), log, ephemeralState: true, llm: { model: HARK_INTENT_MODEL }, llmWhenFirstAsked: true });
        try {
            const stage = (assistant.router as unknown as { stages: Array<{ recognizer: { name: string; suggestedMinConfidence?: number | null }; minConfidence: number }> }).stages.find((s) => s.recognizer.name === "llm")!;
            assert.equal(typeof stage.recognizer.suggestedMinConfidence, "number");
            assert.equal(stage.minConfidence, stage.recognizer.suggestedMinConfidence);
            assert.equal((await assistant.handleText("what time is it")).toolCall?.engine, "template");
            assert.equal(messages.filter((m) => m === "LLM loaded").length, 0);
            const record = await assistant.handleText("blorp the flibbet");
            assert.ok((record.stages[0]!.output as { attempts: Array<{ engine: string }> }).attempts.some((a) => a.engine === "llm"));
            assert.equal(messages.filter((m) => m === "LLM loaded").length, 1);
        } finally {
            await assistant.dispose();
        }
    });

    it("hark run swaps the model when the config file changes, and keeps the running one when the edit is invalid", async () => {
        const dir = tempDir();
        fs.copyFileSync(tinyRandom!, path.join(dir, "a.gguf"));
        fs.copyFileSync(tinyRandom!, path.join(dir, "b.gguf"));
        const configFile = path.join(dir, "config.yaml");
        const write = (profile: string) => fs.writeFileSync(configFile, YAML.stringify({
            paths: { dataDir: path.join(dir, "data"), modelsDir: dir },
            llm: { minConfidence: 0, profile, profiles: { a: { model: path.join(dir, "a.gguf") }, b: { model: path.join(dir, "b.gguf") } } }
        }));
        write("a");
        const child = spawn(process.execPath, [path.join(packageRoot, "bin", "hark.js"), "--config", configFile, "run", "--text", "--quiet"], { stdio: ["pipe", "pipe", "pipe"] });
        let log = "";
        child.stderr.on("data", (d: Buffer) => (log += d.toString()));
        child.stdout.on("data", (d: Buffer) => (log += d.toString()));
        const traces = path.join(dir, "data", "traces", "turns.jsonl");
        const lastProfile = (): string | undefined => {
            if (!fs.existsSync(traces)) return undefined;
            const last = JSON.parse(fs.readFileSync(traces, "utf8").trim().split("\n").at(-1)!) as { stages: Array<{ output: { attempts: Array<{ engine: string; detail?: { profile: string } }> } }> };
            return last.stages[0]!.output.attempts.find((a) => a.engine === "llm")?.detail?.profile;
        };
        try {
            await waitFor(() => log.includes("LLM profile in use"), 20_000, "the first model");
            child.stdin.write("blorp the flibbet\n");
            await waitFor(() => lastProfile() === "a", 10_000, "a turn on profile a");
            write("b");
            await waitFor(() => /"profile":"b".*LLM profile in use/.test(log), 20_000, "the swap to profile b");
            child.stdin.write("blorp the flibbet again\n");
            await waitFor(() => lastProfile() === "b", 10_000, "a turn on profile b");
            fs.writeFileSync(configFile, "llm: { profile: 12, bogus: true }\n");
            await waitFor(() => log.includes("config change not applied"), 10_000, "the invalid edit to be refused");
            child.stdin.write("and once more\n");
            await waitFor(() => fs.readFileSync(traces, "utf8").trim().split("\n").length === 3, 10_000, "a third turn");
            assert.equal(lastProfile(), "b");
        } finally {
            child.kill("SIGTERM");
            await new Promise((resolve) => child.once("exit", resolve));
        }
    });

    it("hark ask --model runs through the LLM; a missing model asked for by name is an error that says how to get it", () => {
        const dir = tempDir();
        const configFile = path.join(dir, "config.json");
        fs.writeFileSync(configFile, JSON.stringify({ paths: { dataDir: path.join(dir, "data"), modelsDir: path.join(dir, "models") }, llm: { minConfidence: 0 } }));
        const bin = path.join(packageRoot, "bin", "hark.js");
        const ok = spawnSync(process.execPath, [bin, "--config", configFile, "ask", "--quiet", "--json", "--model", tinyRandom!, "--param", "seed=4", "blorp the flibbet"], { encoding: "utf8", timeout: 60_000 });
        const record = JSON.parse(ok.stdout) as { toolCall: unknown; stages: Array<{ output: { attempts: Array<{ engine: string }> } }> };
        assert.equal(ok.status, record.toolCall ? 0 : 2, ok.stderr);
        assert.deepEqual(record.stages[0]!.output.attempts.map((a) => a.engine), ["template", "llm"]);

        const missing = spawnSync(process.execPath, [bin, "--config", configFile, "ask", "--quiet", "--profile", "qwen2.5-0.5b-instruct", "hello"], { encoding: "utf8", timeout: 60_000 });
        assert.equal(missing.status, 2);
        assert.match(missing.stderr, /not on disk; run "hark models pull qwen2.5-0.5b-instruct"/);

        const typo = spawnSync(process.execPath, [bin, "--config", configFile, "ask", "--quiet", "--param", "temprature=0.5", "hello"], { encoding: "utf8", timeout: 60_000 });
        assert.equal(typo.status, 2);
        assert.match(typo.stderr, /unknown parameter \(did you mean "temperature"\?\)/);
    });
});

