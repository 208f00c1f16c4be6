import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import YAML from "yaml";
import { validateConfig } from "../src/config/load.ts";
import { DownloadError, LlmConfigError } from "../src/errors.ts";
import { GgufValueType, MIN_CONFIDENCE_KEY, readGgufHeader, setGgufMetadata } from "../src/llm/gguf.ts";
import { mergeParams, parseParamAssignments } from "../src/llm/params.ts";
import { HARK_INTENT_MODEL, parseLoraOption, resolveProfile } from "../src/llm/profile.ts";
import { defaultCatalogFile, findCatalogModel, loadCatalog, type CatalogModel } from "../src/models/catalog.ts";
import { downloadFile, type DownloadProgress } from "../src/models/download.ts";
import { ModelStore } from "../src/models/store.ts";
import { chooseMinConfidence } from "../src/train/threshold.ts";
import { packageRoot, silentLogger, tempDir } from "./helpers.ts";

/** A local file server with Range support that can cut the connection part-way, once per path listed in `cutOnce`. */
class TestServer {
    public readonly requests: Array<{ path: string; range: string | undefined }> = [];
    public readonly cutOnce = new Set<string>();
    private readonly server = http.createServer((req, res) => this.handle(req, res));
    public constructor(private readonly files: Record<string, Buffer>) {}

    public async start(): Promise<string> {
        await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
        return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    }

    public stop(): Promise<void> {
        this.server.closeAllConnections();
        return new Promise((resolve) => this.server.close(() => resolve()));
    }

    private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
        const url = req.url ?? "/";
        this.requests.push({ path: url, range: req.headers.range });
        const body = this.files[url];
        if (body == null) {
            res.writeHead(404).end("not found");
            return;
        }
        const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? "");
        const start = range ? Number(range[1]) : 0;
        if (start >= body.length) {
            res.writeHead(416, { "content-range": `bytes */${body.length}` }).end();
            return;
        }
        const headers = { "content-length": String(body.length - start), ...(range ? { "content-range": `bytes ${start}-${body.length - 1}/${body.length}` } : {}) };
        res.writeHead(range ? 206 : 200, headers);
        if (this.cutOnce.delete(url)) {
            // Half the body, then a dropped connection.
            res.write(body.subarray(start, start + Math.floor((body.length - start) / 2)), () => res.socket?.destroy());
            return;
        }
        res.end(body.subarray(start));
    }
}

const sha256 = (b: Buffer): string => createHash("sha256").update(b).digest("hex");

describe("model downloads against a local HTTP server", () => {
    const model = Buffer.alloc(300_000, 7).map((_, i) => (i * 31) % 251);
    const server = new TestServer({ "/model.gguf": Buffer.from(model), "/other.bin": Buffer.from("other model bytes") });
    let base = "";
    before(async () => {
        base = await server.start();
    });
    after(() => server.stop());

    it("downloads with progress, checks the sha256 and renames into place", async () => {
        const dest = path.join(tempDir(), "model.gguf");
        const progress: DownloadProgress[] = [];
        const result = await downloadFile({ url: `${base}/model.gguf`, dest, sha256: sha256(Buffer.from(model)), bytes: model.length, onProgress: (p) => progress.push({ ...p }) });
        assert.equal(result.sha256, sha256(Buffer.from(model)));
        assert.deepEqual(fs.readFileSync(dest), Buffer.from(model));
        assert.equal(fs.existsSync(`${dest}.part`), false);
        assert.equal(progress.at(-1)!.received, model.length);
        assert.equal(progress.at(-1)!.total, model.length);
        assert.ok(progress.every((p, i) => i === 0 || p.received >= progress[i - 1]!.received));
    });

    it("a connection cut part-way is resumed with a Range request", async () => {
        const dest = path.join(tempDir(), "model.gguf");
        server.cutOnce.add("/model.gguf");
        server.requests.length = 0;
        const result = await downloadFile({ url: `${base}/model.gguf`, dest, sha256: sha256(Buffer.from(model)), bytes: model.length, retryDelayMs: 10 });
        assert.equal(result.resumed, true);
        assert.deepEqual(fs.readFileSync(dest), Buffer.from(model));
        assert.equal(server.requests.length, 2);
        assert.equal(server.requests[0]!.range, undefined);
        assert.match(server.requests[1]!.range ?? "", /^bytes=\d+-$/);
        assert.ok(Number(/\d+/.exec(server.requests[1]!.range!)![0]) > 0);
    });

    it("an interrupted download is kept and a later run resumes it", async () => {
        const dest = path.join(tempDir(), "model.gguf");
        server.cutOnce.add("/model.gguf");
        await assert.rejects(downloadFile({ url: `${base}/model.gguf`, dest, bytes: model.length, retries: 0 }), (e: Error) =>
            e instanceof DownloadError && /are kept in .*model\.gguf\.part; run the same command again to resume/.test(e.message));
        assert.ok(fs.statSync(`${dest}.part`).size > 0);
        assert.equal(fs.existsSync(dest), false);
        const result = await downloadFile({ url: `${base}/model.gguf`, dest, sha256: sha256(Buffer.from(model)), bytes: model.length });
        assert.equal(result.resumed, true);
        assert.deepEqual(fs.readFileSync(dest), Buffer.from(model));
    });

    it("a checksum mismatch is rejected and leaves nothing behind", async () => {
        const dest = path.join(tempDir(), "model.gguf");
        await assert.rejects(downloadFile({ url: `${base}/model.gguf`, dest, sha256: "0".repeat(64), bytes: model.length }), /checksum mismatch .*nothing was installed/);
        assert.deepEqual(fs.readdirSync(path.dirname(dest)), []);
    });

    it("a missing file, and a server that cannot be reached, say so", async () => {
        const dest = path.join(tempDir(), "x.gguf");
        await assert.rejects(downloadFile({ url: `${base}/gone.gguf`, dest }), /HTTP 404 .*catalog may be out of date/);
        const closed = http.createServer();
        await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
        const port = (closed.address() as AddressInfo).port;
        await new Promise((resolve) => closed.close(resolve));
        await assert.rejects(downloadFile({ url: `http://127.0.0.1:${port}/x.gguf`, dest, retries: 0 }), /cannot reach 127\.0\.0\.1:\d+ \(ECONNREFUSED\): is this machine online\?/);
    });

    it("the store pulls catalog models; without a catalog checksum it records the first download's and holds later pulls to it", async () => {
        const catalog: CatalogModel[] = [
            { name: "tiny", role: "llm", description: "", file: "model.gguf", url: `${base}/model.gguf`, bytes: model.length, sha256: sha256(Buffer.from(model)), checksumSource: "test", licence: "MIT", suits: "any" },
            { name: "unhashed", role: "stt", description: "", file: "other.bin", url: `${base}/other.bin`, bytes: null, sha256: null, checksumSource: "unknown", licence: "MIT", suits: "any" }
        ];
        const dir = tempDir();
        const store = new ModelStore(dir, catalog, silentLogger());
        assert.equal(store.get("tiny").installed, false);
        assert.equal((await store.pull("tiny")).recordedFirstHash, false);
        assert.equal(store.get("tiny").installed, true);
        const first = await store.pull("unhashed");
        assert.equal(first.recordedFirstHash, true);
        assert.equal(JSON.parse(fs.readFileSync(path.join(dir, "checksums.json"), "utf8")).unhashed, sha256(Buffer.from("other model bytes")));
        // The file changes on the server: the recorded hash catches it.
        store.remove("unhashed");
        const changed = new ModelStore(dir, [{ ...catalog[1]!, url: `${base}/model.gguf` }], silentLogger());
        await assert.rejects(changed.pull("unhashed"), /checksum mismatch/);
        assert.deepEqual(store.remove("tiny"), [path.join(dir, "model.gguf")]);
        assert.throws(() => store.get("tinny"), /no model called "tinny" in the catalog \(did you mean "tiny"\?\)/);
    });
});

describe("model catalog, profiles and parameters", () => {
    it("the shipped catalog lists the required models, each with a checksum or an explicit null", () => {
        const catalog = loadCatalog();
        for (const name of ["tinyllama-1.1b-chat", "llama-2-7b-chat", "qwen2.5-0.5b-instruct", "llama-3.2-1b-instruct", "whisper-tiny.en-q5_1", "whisper-base.en-q5_1"]) {
            assert.ok(catalog.some((m) => m.name === name), name);
        }
        const md = path.resolve(packageRoot, "..", "shared", "models", "CATALOG.md");
        if (fs.existsSync(md)) {
            const text = fs.readFileSync(md, "utf8");
            for (const m of catalog) {
                const row = text.split("\n").find((line) => line.includes(m.url));
                assert.ok(row, `${m.name}: URL is in CATALOG.md`);
                if (m.sha256) assert.ok(row.includes(m.sha256), `${m.name}: sha256 is the cited one`);
                if (m.bytes) assert.ok(row.includes(String(m.bytes)), `${m.name}: size is the cited one`);
            }
        }
        assert.ok(fs.existsSync(defaultCatalogFile));
    });

    it("parameters are typed and checked, with did-you-mean for unknown names", () => {
        assert.deepEqual(parseParamAssignments(["temperature=0.2", "top_k=20", "max-tokens=64"]), { temperature: 0.2, topK: 20, maxTokens: 64 });
        assert.throws(() => parseParamAssignments(["temprature=1"]), (e: Error) => e instanceof LlmConfigError && /unknown parameter \(did you mean "temperature"\?\)/.test(e.message));
        assert.throws(() => parseParamAssignments(["seed=abc"]), /"abc" is not a number/);
        assert.throws(() => parseParamAssignments(["seed"]), /write it as name=value/);
        assert.throws(() => mergeParams({ topP: 1.5 }), /topP: must be <= 1/);
        assert.throws(() => mergeParams({ contextSize: 100.5 }), /contextSize: must be integer/);
        assert.throws(() => validateConfig({ llm: { profiles: { mine: { model: "x.gguf", params: { temprature: 1 } } } } }), /llm\.profiles\.mine\.params\.temprature: unknown key \(did you mean "temperature"\?\)/);
        assert.deepEqual(parseLoraOption("a.gguf:0.5"), { path: "a.gguf", scale: 0.5 });
        assert.deepEqual(parseLoraOption("/x/a.gguf"), { path: "/x/a.gguf", scale: 1 });
        assert.throws(() => parseLoraOption("a.gguf:50"), /out of range/);
    });

    it("a profile is a model, adapters and parameters; the command line overrides each part", () => {
        const config = validateConfig({ llm: { params: { temperature: 0.1 }, profiles: { kitchen: { model: "qwen2.5-0.5b-instruct", lora: [{ path: "/a/lora.gguf", scale: 0.5 }], params: { topK: 10 } } } } });
        const store = new ModelStore("/models", loadCatalog());
        const kitchen = resolveProfile({ ...config.llm, profile: "kitchen" }, store);
        assert.equal(kitchen.modelFile, "/models/qwen2.5-0.5b-instruct-q4_k_m.gguf");
        assert.deepEqual(kitchen.lora, [{ path: "/a/lora.gguf", scale: 0.5 }]);
        assert.equal(kitchen.params.temperature, 0.1);
        assert.equal(kitchen.params.topK, 10);
        assert.equal(kitchen.explicit, false);
        const cli = resolveProfile(config.llm, store, { profile: "kitchen", model: "/own/model.gguf", lora: [], params: { topK: 3 } });
        assert.equal(cli.modelFile, "/own/model.gguf");
        assert.deepEqual(cli.lora, []);
        assert.equal(cli.params.topK, 3);
        assert.equal(cli.explicit, true);
        const shipped = resolveProfile(config.llm, store);
        assert.equal(shipped.name, "hark-intent", "the default: hark's own model, shipped in models/");
        assert.equal(shipped.modelFile, HARK_INTENT_MODEL);
        assert.equal(resolveProfile({ ...config.llm, profiles: { "hark-intent": { model: "/mine.gguf", lora: [], params: {} } } }, store).modelFile, "/mine.gguf", "a profile of the same name in the config wins");
        assert.throws(() => resolveProfile(config.llm, store, { profile: "kitchn" }), /no LLM profile called "kitchn" \(did you mean "kitchen"\?\)/);
        assert.throws(() => resolveProfile(config.llm, store, { model: "whisper-base.en-q5_1" }), /speech-to-text model, not a language model/);
    });

    it("hark models use writes the choice into the config file, keeping its comments; list shows it", () => {
        const dir = tempDir();
        const file = path.join(dir, "config.yaml");
        fs.writeFileSync(file, `# my settings\npaths:\n  dataDir: ${dir}/data\n  modelsDir: ${dir}/models # where models go\n`);
        const bin = path.join(packageRoot, "bin", "hark.js");
        const run = (...args: string[]) => spawnSync(process.execPath, [bin, "--config", file, "models", ...args], { encoding: "utf8", timeout: 30_000 });
        const before = fs.readFileSync(file, "utf8");
        const missing = run("use", "qwen2.5-0.5b-instruct");
        assert.equal(missing.status, 2);
        assert.match(missing.stderr, /qwen2\.5-0\.5b-instruct is not downloaded; run "hark models pull qwen2\.5-0\.5b-instruct" first \(nothing was changed\)/);
        assert.equal(fs.readFileSync(file, "utf8"), before);
        fs.writeFileSync(file, `${before}llm:\n  profiles:\n    mine: { model: ${dir}/absent.gguf }\n`);
        const profileMissing = run("use", "mine");
        assert.equal(profileMissing.status, 2);
        assert.match(profileMissing.stderr, /profile mine uses .*absent\.gguf, which is not there; check the path of profile mine's model \(nothing was changed\)/);
        fs.writeFileSync(file, before);
        const shipped = run("list");
        assert.match(shipped.stdout, /^\*\s+hark-intent\s+llm\s+[\d.]+ MB\s+shipped/m, "hark's own model is listed, in use by default");
        // Stand-ins for downloaded files: `use` and `list` look only at whether they are there.
        const catalog = loadCatalog();
        fs.mkdirSync(path.join(dir, "models"));
        for (const name of ["qwen2.5-0.5b-instruct", "whisper-base.en-q5_1"]) fs.writeFileSync(path.join(dir, "models", findCatalogModel(catalog, name).file), "");
        const use = run("use", "qwen2.5-0.5b-instruct");
        assert.equal(use.status, 0, use.stderr);
        const text = fs.readFileSync(file, "utf8");
        assert.match(text, /# my settings/);
        assert.match(text, /# where models go/);
        assert.equal(YAML.parse(text).llm.profile, "qwen2.5-0.5b-instruct");
        const whisper = run("use", "whisper-base.en-q5_1");
        assert.equal(whisper.status, 0, whisper.stderr);
        assert.equal(YAML.parse(fs.readFileSync(file, "utf8")).stt.whisperModel, path.join(dir, "models", "ggml-base.en-q5_1.bin"));
        const list = run("list");
        assert.match(list.stdout, /^\*\s+qwen2\.5-0\.5b-instruct\s+llm\s+491 MB\s+downloaded/m);
        assert.match(list.stdout, /^ \s+hark-intent\s+llm/m, "no longer in use");
        assert.match(list.stdout, /^\*\s+whisper-base\.en-q5_1/m);
        const bad = run("use", "qwen");
        assert.equal(bad.status, 2);
        assert.match(bad.stderr, /no model called "qwen"/);
        const rm = run("rm", "qwen2.5-0.5b-instruct");
        assert.match(rm.stdout, /^removed .*qwen2\.5-0\.5b-instruct-q4_k_m\.gguf\n$/);
        assert.match(rm.stderr, /qwen2\.5-0\.5b-instruct is still selected in the config/);
        assert.equal(run("rm", "qwen2.5-0.5b-instruct").stdout, "qwen2.5-0.5b-instruct is not downloaded; nothing to remove\n");
    });
});

describe("a model's own confidence threshold", () => {
    it("is written into the GGUF in place: other entries, tensors and data stay byte for byte", () => {
        const file = path.join(tempDir(), "model.gguf");
        fs.copyFileSync(HARK_INTENT_MODEL, file);
        setGgufMetadata(file, [{ key: MIN_CONFIDENCE_KEY, type: GgufValueType.FLOAT32, value: 0.25 }]);
        setGgufMetadata(file, [{ key: MIN_CONFIDENCE_KEY, type: GgufValueType.FLOAT32, value: 0.5 }]);
        const [before, after] = [readGgufHeader(HARK_INTENT_MODEL), readGgufHeader(file)];
        assert.equal(after.metadata.get(MIN_CONFIDENCE_KEY), 0.5, "set twice: replaced, not added");
        assert.deepEqual([...after.metadata].filter(([k]) => k !== MIN_CONFIDENCE_KEY), [...before.metadata].filter(([k]) => k !== MIN_CONFIDENCE_KEY));
        assert.deepEqual(after.tensors, before.tensors);
        assert.ok(fs.readFileSync(file).subarray(after.dataOffset).equals(fs.readFileSync(HARK_INTENT_MODEL).subarray(before.dataOffset)));
    });

    it("is the lowest that keeps false actions within the target on the sentences it is chosen on", () => {
        const cases = [
            { text: "a", expect: null }, { text: "b", expect: null }, { text: "c", expect: null }, { text: "d", expect: null },
            { text: "e", expect: { intent: "x", args: {} } }, { text: "f", expect: { intent: "x", args: {} } }
        ];
        const said = (intent: string | null, confidence: number) => ({ intent, args: {}, latencyMs: 0, engine: intent && "llm", confidence });
        const predictions = [said("x", 0.9), said("x", 0.4), said(null, 0.8), said(null, 0.7), said("x", 0.95), said("x", 0.6)];
        assert.deepEqual(chooseMinConfidence(cases, predictions, 0.25), { minConfidence: 0.6, falseActionRate: 0.25, intentAccuracy: 5 / 6 });
        assert.equal(chooseMinConfidence(cases, predictions, 0).minConfidence, 0.95);
        assert.equal(chooseMinConfidence(cases, predictions, 0.5).minConfidence, 0);
    });
});
