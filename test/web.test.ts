import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import puppeteer, { type Browser, type Page as BrowserPage } from "puppeteer-core";
import { FileSource } from "../src/audio/file.ts";
import { loadConfig } from "../src/config/load.ts";
import { readEvalFile } from "../src/eval/dataset.ts";
import { Assistant } from "../src/pipeline/assistant.ts";
import { createVoiceEngines, createVoicePipeline } from "../src/pipeline/voice-setup.ts";
import { isLoopbackAddress, isLoopbackHost, judgeRequest, pageToken } from "../src/web/access.ts";
import { servePage, type Page } from "../src/web/assemble.ts";
import { builtinIntentsDir, joinAudio, makeSpeech, sharedFile, silentLogger, tempDir, writeIntent } from "./helpers.ts";

// What the page's own functions use in the browser (this file is type-checked for Node).
declare const document: any; // eslint-disable-line @typescript-eslint/no-explicit-any
declare const MutationObserver: any; // eslint-disable-line @typescript-eslint/no-explicit-any

const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((f) => fs.existsSync(f));
const heyJarvis = sharedFile("audio/wyoming-openwakeword/hey_jarvis.wav");

/** A config file with its own data and intents folders, loaded as hark loads it (the Models page writes it). */
function setUp(dataDir: string, extra: Record<string, unknown> = {}): { configFile: string; intentsDir: string } {
    const intentsDir = path.join(dataDir, "..", "intents");
    fs.mkdirSync(intentsDir, { recursive: true });
    fs.mkdirSync(dataDir, { recursive: true });
    const configFile = path.join(dataDir, "..", "config.json");
    fs.writeFileSync(configFile, JSON.stringify({
        paths: { dataDir, intentsDirs: [builtinIntentsDir, intentsDir], modelsDir: path.join(dataDir, "models") }, intents: { builtins: false },
        llm: { enabled: false }, music: { dir: tempDir() }, log: { level: "silent" }, ...extra
    }));
    return { configFile, intentsDir };
}

async function start(configFile: string, listening = false): Promise<{ assistant: Assistant; page: Page; base: string; close(): Promise<void> }> {
    const { config } = loadConfig({ file: configFile });
    const assistant = await Assistant.create({ config, log: silentLogger(), watchIntents: true, ephemeralState: true });
    const page = await servePage(assistant, { configFile, listening, port: 0, log: silentLogger() });
    return {
        assistant, page, base: `http://127.0.0.1:${page.server.port}`,
        async close() {
            await page.close();
            await assistant.dispose();
        }
    };
}

/** A change as the page sends it: the token in its header, from its own origin. */
function post(base: string, token: string, route: string, body: unknown): Promise<Response> {
    return fetch(`${base}${route}`, { method: "POST", headers: { "Content-Type": "application/json", "X-Hark-Token": token, Origin: base }, body: JSON.stringify(body) });
}

describe("the web page's doors", () => {
    it("tells loopback from everything else, by address and by the name the request used", () => {
        assert.ok(isLoopbackAddress("127.0.0.1") && isLoopbackAddress("::1") && isLoopbackAddress("::ffff:127.0.0.1"));
        assert.ok(!isLoopbackAddress("192.168.1.20") && !isLoopbackAddress("::ffff:10.0.0.2") && !isLoopbackAddress(undefined));
        assert.ok(isLoopbackHost("127.0.0.1:8731") && isLoopbackHost("localhost:8731") && isLoopbackHost("[::1]:8731"));
        assert.ok(!isLoopbackHost("evil.example:8731") && !isLoopbackHost("192.168.1.20:8731") && !isLoopbackHost(undefined));
    });

    it("reads from this machine need no token; from the LAN, or through a foreign name, they do; changes always do", () => {
        const token = "t".repeat(43);
        const read = { method: "GET", origin: undefined, headerToken: undefined };
        assert.equal(judgeRequest({ ...read, remoteAddress: "127.0.0.1", host: "127.0.0.1:8731", token: null }, token).ok, true);
        assert.deepEqual(judgeRequest({ ...read, remoteAddress: "192.168.1.9", host: "192.168.1.2:8731", token: null }, token).ok, false);
        assert.equal(judgeRequest({ ...read, remoteAddress: "192.168.1.9", host: "192.168.1.2:8731", token }, token).ok, true);
        assert.equal(judgeRequest({ ...read, remoteAddress: "192.168.1.9", host: "192.168.1.2:8731", token: `${token}x` }, token).ok, false);
        // A name that resolves to 127.0.0.1 (DNS rebinding) is another site as far as the browser knows.
        assert.equal(judgeRequest({ ...read, remoteAddress: "127.0.0.1", host: "rebind.example:8731", token: null }, token).ok, false);
        const change = { remoteAddress: "127.0.0.1", host: "127.0.0.1:8731", token: null, method: "POST" };
        assert.equal(judgeRequest({ ...change, origin: "http://127.0.0.1:8731", headerToken: token }, token).ok, true);
        assert.equal(judgeRequest({ ...change, origin: "http://127.0.0.1:8731", headerToken: undefined }, token).ok, false);
        assert.equal(judgeRequest({ ...change, origin: "http://evil.example", headerToken: token }, token).ok, false);
        assert.equal(judgeRequest({ ...change, origin: undefined, headerToken: token }, token).ok, false);
    });

    it("keeps its token in the data folder, readable by its owner only, and the same across starts", () => {
        const dir = tempDir();
        const token = pageToken(dir);
        assert.ok(token.length >= 40);
        assert.equal(fs.statSync(path.join(dir, "ui-token")).mode & 0o777, 0o600);
        fs.chmodSync(path.join(dir, "ui-token"), 0o644);
        assert.equal(pageToken(dir), token);
        assert.equal(fs.statSync(path.join(dir, "ui-token")).mode & 0o777, 0o600);
    });

    it("on the LAN, refuses a request from another address without the token, and answers it with the token", async (t) => {
        const lan = Object.values(os.networkInterfaces()).flatMap((l) => l ?? []).find((a) => a.family === "IPv4" && !a.internal)?.address;
        if (!lan) return t.skip("this machine has no LAN address to send from");
        const root = tempDir();
        const { configFile } = setUp(path.join(root, "data"), { ui: { lan: true } });
        const web = await start(configFile);
        try {
            const at = `http://${lan}:${web.page.server.port}`;
            const refused = await fetch(`${at}/api/session`);
            assert.equal(refused.status, 401);
            assert.match(((await refused.json()) as { error: string }).error, /hark ui --show-token/);
            assert.equal((await fetch(`${at}/api/live`)).status, 401, "the live stream is behind the token too");
            const token = pageToken(path.join(root, "data"));
            assert.equal((await fetch(`${at}/api/session`, { headers: { "X-Hark-Token": token } })).status, 200);
            // The address hark ui --show-token prints sets a cookie and takes the token out of the address bar.
            const opened = await fetch(`${at}/?token=${token}`, { redirect: "manual" });
            assert.equal(opened.status, 303);
            const cookie = opened.headers.get("set-cookie") ?? "";
            assert.match(cookie, /HttpOnly/);
            assert.match(cookie, /SameSite=Strict/);
            assert.equal((await fetch(`${at}/api/turns`, { headers: { Cookie: cookie.split(";")[0]! } })).status, 200);
        } finally {
            await web.close();
        }
    });

    it("labels a turn into usage.jsonl (once per turn), refuses an unknown intent, and picks eval sets by id only", async () => {
        const root = tempDir();
        const dataDir = path.join(root, "data");
        const { configFile } = setUp(dataDir);
        const web = await start(configFile);
        try {
            const { token } = (await (await fetch(`${web.base}/api/session`)).json()) as { token: string };
            assert.equal((await fetch(`${web.base}/api/try`, { method: "POST", body: "{}" })).status, 403, "a change without the token and origin is refused");
            const record = (await (await post(web.base, token, "/api/try", { text: "what is the weather in paris" })).json()) as { id: string; toolCall: { name: string } };
            assert.equal(record.toolCall.name, "get_weather");
            const dry = (await (await post(web.base, token, "/api/try", { text: "set a timer for 5 minutes", dryRun: true })).json()) as { toolCall: { name: string }; stages: Array<{ name: string }> };
            assert.equal(dry.toolCall.name, "set_timer");
            assert.ok(!dry.stages.some((s) => s.name === "dispatch"), "a dry run runs no handler");
            assert.deepEqual(await web.assistant.services.timers.list(), [], "and sets no timer");

            assert.equal((await post(web.base, token, `/api/turns/${record.id}/label`, { kind: "call", intent: "get_wether", args: {} })).status, 400);
            assert.equal((await post(web.base, token, `/api/turns/${record.id}/label`, { kind: "right" })).status, 200);
            const corrected = await post(web.base, token, `/api/turns/${record.id}/label`, { kind: "call", intent: "get_weather", args: { location: "paris, texas" } });
            assert.equal(((await corrected.json()) as { replaced: boolean }).replaced, true);
            const usage = readEvalFile(path.join(dataDir, "usage.jsonl"));
            assert.deepEqual(usage.map((c) => [c.text, c.expect]), [["what is the weather in paris", { intent: "get_weather", args: { location: "paris, texas" } }]]);

            const evals = (await (await fetch(`${web.base}/api/evals`)).json()) as { sources: Array<{ id: string }> };
            assert.ok(evals.sources.some((s) => s.id === "data:usage.jsonl"), "the labelled turns are an eval set");
            assert.equal((await post(web.base, token, "/api/evals", { source: "../../../etc/passwd" })).status, 400);
            assert.equal((await fetch(`${web.base}/api/evals/..%2F..%2Fconfig`)).status, 400);
            const run = (await (await post(web.base, token, "/api/evals", { source: "data:usage.jsonl" })).json()) as { report: { cases: number; intentAccuracy: number } };
            assert.equal(run.report.cases, 1);
        } finally {
            await web.close();
        }
    });

    it("says plainly that its port is taken", async () => {
        const root = tempDir();
        const { configFile } = setUp(path.join(root, "data"));
        const first = await start(configFile);
        const { config } = loadConfig({ file: configFile });
        const assistant = await Assistant.create({ config, log: silentLogger(), ephemeralState: true });
        try {
            await assert.rejects(servePage(assistant, { configFile, listening: false, port: first.page.server.port, log: silentLogger() }), /port \d+ is in use.*ui\.port/);
        } finally {
            await assistant.dispose();
            await first.close();
        }
    });
});

describe("the web page in a browser", { skip: CHROMIUM ? false : "no chromium (scripts/setup.sh --test installs it)" }, () => {
    // Kept after the run (not in git): the screenshots are there to be looked at.
    const root = path.join(os.tmpdir(), "hark-web-test");
    const dataDir = path.join(root, "data");
    const shots = path.join(dataDir, "screenshots");
    let browser: Browser;
    let tab: BrowserPage;
    let web: Awaited<ReturnType<typeof start>>;
    let intentsDir: string;
    let configFile: string;

    before(async () => {
        fs.rmSync(root, { recursive: true, force: true });
        ({ configFile, intentsDir } = setUp(dataDir));
        web = await start(configFile, true);
        browser = await puppeteer.launch({ executablePath: CHROMIUM!, headless: true, args: ["--no-sandbox", "--disable-gpu"] });
        tab = await browser.newPage();
        await tab.setViewport({ width: 420, height: 900 });
        fs.mkdirSync(shots, { recursive: true });
    });

    after(async () => {
        await browser?.close();
        await web?.close();
    });

    const open = async (section: string): Promise<void> => {
        // A fresh load each time: going from one section's address to another's is only a change of hash.
        await tab.goto("about:blank");
        await tab.goto(`${web.base}/#${section}`, { waitUntil: "domcontentloaded" });
        await tab.waitForSelector("body[data-ready=true]");
    };
    const shoot = (name: string): Promise<unknown> => tab.screenshot({ path: path.join(shots, `${name}.png`) as `${string}.png`, fullPage: true });
    const text = (selector: string): Promise<string> => tab.$eval(selector, (el) => el.textContent ?? "");

    it("Try: a typed sentence shows its turn, which is then on the Turns page; what people said is shown as text", async () => {
        await open("try");
        await tab.type("#try-text", "what time is it");
        await tab.click("#try-form button[type=submit]");
        await tab.waitForSelector("#try-result .turn");
        assert.match(await text("#try-result .turn"), /get_time/);
        await shoot("try");
        const sneaky = `play <img src=x onerror="document.body.dataset.owned=1">`;
        await tab.$eval("#try-text", (el) => { (el as unknown as { value: string }).value = ""; });
        await tab.type("#try-text", sneaky);
        await tab.click("#try-form button[type=submit]");
        await tab.waitForFunction(() => document.querySelector("#try-result h4")?.textContent?.includes("<img"));
        assert.equal(await tab.$("#try-result img"), null, "the sentence is text, not markup");
        assert.equal(await tab.evaluate(() => document.body.dataset.owned), undefined);

        await open("turns");
        await tab.waitForSelector("#turn-list .turn");
        assert.match(await text("#turn-list"), /what time is it/);
        await shoot("turns");
    });

    it("Turns: a turn not understood says why, and a correction is saved to usage.jsonl", async () => {
        const record = await web.assistant.handleText("please frobnicate the wardrobe", { source: "test" });
        assert.equal(record.toolCall, null);
        await open("turns");
        const card = `#turn-list .turn[data-turn="${record.id}"]`;
        await tab.waitForSelector(card);
        await tab.$$eval(`${card} button`, (buttons) => (buttons.find((b) => b.textContent === "Why?") as unknown as { click(): void }).click());
        await tab.waitForFunction((sel) => document.querySelector(sel)?.textContent?.includes("Why not understood"), {}, card);
        await tab.$$eval(`${card} button`, (buttons) => (buttons.find((b) => b.textContent === "Should have done nothing") as unknown as { click(): void }).click());
        await tab.waitForFunction((sel) => document.querySelector(sel)?.textContent?.includes("saved to usage.jsonl"), {}, card);
        await shoot("turns-explained");
        const usage = readEvalFile(path.join(dataDir, "usage.jsonl"));
        assert.deepEqual(usage.find((c) => c.text === "please frobnicate the wardrobe")?.expect, null);
    });

    it("Intents: every loaded intent is listed, and an intent file dropped on disk appears without a reload", async () => {
        await open("intents");
        await tab.waitForSelector("#intent-list .intent[data-intent=get_weather]");
        writeIntent(intentsDir, "say_hello.yaml", `name: say_hello\ndescription: Says hello back.\nsentences: ["(hi|hello) [there]"]\nexamples: [{ text: hello there }]\naction: { speak: Hello! }\n`);
        writeIntent(intentsDir, "broken.yaml", "name: broken\nsentences: [\n");
        await tab.waitForSelector("#intent-list .intent[data-intent=say_hello]", { timeout: 10_000 });
        await tab.waitForFunction(() => document.querySelector("#intent-problems")?.textContent?.includes("broken.yaml"), { timeout: 10_000 });
        assert.match(await text("#intent-list .intent[data-intent=say_hello]"), /Says hello back/);
        await shoot("intents");
    });

    it("Eval: runs a set, draws its chart and confusion matrix, and sets two runs side by side", async () => {
        await open("eval");
        await tab.waitForSelector("#eval-source option");
        await tab.select("#eval-source", "examples");
        await tab.click("#eval-form button[type=submit]");
        await tab.waitForSelector("#eval-result svg.chart.bars rect.bar", { timeout: 60_000 });
        await tab.waitForSelector("#eval-result svg.chart.confusion rect");
        assert.match(await text("#eval-result"), /intent accuracy/);
        await tab.click("#eval-form button[type=submit]");
        await tab.waitForFunction(() => document.querySelectorAll("#eval-runs tr.eval-run").length >= 2, { timeout: 60_000 });
        await shoot("eval");
        const boxes = await tab.$$("#eval-runs tr.eval-run input[type=checkbox]");
        await boxes[0]!.click();
        await boxes[1]!.click();
        await tab.$$eval("#eval-runs button", (buttons) => (buttons.find((b) => b.textContent === "Compare the two") as unknown as { click(): void }).click());
        await tab.waitForFunction(() => document.querySelectorAll("#eval-compare .eval-report").length === 2);
        await shoot("eval-compare");
    });

    it("Models: shows the one in use and switches with one click, as hark models use does", async () => {
        await open("models");
        await tab.waitForSelector("#model-list tr.model[data-model=hark-intent]");
        assert.equal(await tab.$("#model-list tr.model.in-use"), null, "the LLM is off in this config");
        await tab.$$eval("#model-list tr.model[data-model=hark-intent] button", (buttons) => (buttons[0] as unknown as { click(): void }).click());
        await tab.waitForSelector("#model-list tr.model.in-use[data-model=hark-intent]", { timeout: 30_000 });
        const { config } = loadConfig({ file: configFile });
        assert.equal(config.llm.enabled, true);
        assert.equal(config.llm.profile, "hark-intent");
        await shoot("models");
    });

    it("Live: shows the voice loop's state and level as it hears a recording, and the turn it made", { skip: heyJarvis ? false : "no ../shared audio" }, async () => {
        await open("live");
        await tab.evaluate(() => {
            const seen: string[] = [];
            (globalThis as unknown as { seen: string[] }).seen = seen;
            new MutationObserver(() => {
                const state = document.querySelector("#rooms .state")?.textContent;
                if (state && seen.at(-1) !== state) seen.push(state);
                const heard = document.querySelector("#rooms .heard")?.textContent;
                if (heard && !seen.includes(heard)) seen.push(heard);
            }).observe(document.getElementById("rooms")!, { subtree: true, childList: true, characterData: true });
        });
        const dir = tempDir();
        const file = joinAudio(path.join(dir, "turn.wav"), [heyJarvis!, makeSpeech(path.join(dir, "cmd.wav"), "what time is it")], 400);
        const engines = await createVoiceEngines(web.assistant.config, web.assistant, silentLogger());
        try {
            const loop = createVoicePipeline(web.assistant.config, web.assistant, web.assistant.output, engines, silentLogger(), { speak: false, muteWhilePlaying: false });
            web.page.live.watch("", loop);
            loop.onTurn((record) => web.page.live.turn(record));
            await loop.run(new FileSource(file), new AbortController().signal);
        } finally {
            await engines.dispose();
        }
        await tab.waitForFunction(() => document.querySelector("#last-turn")?.textContent?.includes("get_time"), { timeout: 10_000 });
        const seen = await tab.evaluate(() => (globalThis as unknown as { seen: string[] }).seen);
        for (const state of ["recording", "transcribing", '"what time is it"']) assert.ok(seen.includes(state), `saw ${state} in ${seen.join(", ")}`);
        assert.match(await text("#rooms .room"), /dBFS/);
        await shoot("live");
    });

    it("Try: a recording uploaded runs through the voice pipeline as hark listen does", { skip: heyJarvis ? false : "no ../shared audio" }, async () => {
        const dir = tempDir();
        const file = joinAudio(path.join(dir, "upload.wav"), [heyJarvis!, makeSpeech(path.join(dir, "up.wav"), "what time is it")], 400);
        await open("try");
        const input = await tab.$("#listen-form input[type=file]");
        await (input as unknown as { uploadFile(f: string): Promise<void> }).uploadFile(file);
        await tab.click("#listen-form button[type=submit]");
        await tab.waitForSelector("#try-result .turn", { timeout: 30_000 });
        assert.match(await text("#try-result .turn"), /get_time/);
        assert.match(await text("#try-result .turn"), /transcribe/);
        assert.deepEqual(fs.readdirSync(path.join(dataDir, "uploads")), [], "the upload is not kept");
        await shoot("try-recording");
    });
});
