import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { PcmConverter } from "../src/audio/convert.ts";
import { readAudioFile } from "../src/audio/file.ts";
import { Assistant } from "../src/pipeline/assistant.ts";
import { createTranscriber } from "../src/pipeline/voice-setup.ts";
import { startWyoming } from "../src/pipeline/compose.ts";
import type { WyomingService } from "../src/pipeline/wyoming-service.ts";
import type { Transcriber } from "../src/stt/transcriber.ts";
import { WyomingConnection, WyomingServer } from "../src/wyoming/connection.ts";
import { encodeEvent, EventParser, WyomingProtocolError } from "../src/wyoming/event.ts";
import { makeSpeech, packageRoot, sharedDir, silentLogger, tempDir, testConfig, waitFor } from "./helpers.ts";

const run = promisify(execFile);
const pythonPath = path.join(sharedDir, "vendor", "python");
const client = path.join(packageRoot, "test", "fixtures", "wyoming-client.py");

/** One request through the real `wyoming` Python library in Home Assistant's role; its answer as JSON. */
async function ask(uri: string, ...args: string[]): Promise<Record<string, unknown>> {
    const { stdout } = await run("python3", [client, uri, ...args], { env: { ...process.env, PYTHONPATH: pythonPath }, timeout: 60_000 });
    return JSON.parse(stdout) as Record<string, unknown>;
}

describe("Wyoming events on the wire", () => {
    it("an event split anywhere, even byte by byte, is read whole: header, data merged from data_length, payload", () => {
        const bytes = encodeEvent({ type: "audio-chunk", data: { rate: 16000, width: 2, channels: 1 }, payload: Buffer.from([1, 2, 3, 4]) });
        const parser = new EventParser();
        const events = [...bytes].flatMap((b) => parser.push(Buffer.from([b])));
        assert.deepEqual(events, [{ type: "audio-chunk", data: { rate: 16000, width: 2, channels: 1 }, payload: Buffer.from([1, 2, 3, 4]) }]);
        assert.equal(parser.pending, false);
        // The header line carries the lengths and the version; the data follows it as its own JSON.
        const header = JSON.parse(bytes.subarray(0, bytes.indexOf(0x0a)).toString()) as Record<string, unknown>;
        assert.deepEqual(Object.keys(header).sort(), ["data_length", "payload_length", "type", "version"]);
    });

    it("data in the header line and data after it are merged, and several events in one read all come out", () => {
        const parser = new EventParser();
        const data = Buffer.from(JSON.stringify({ text: "hi" }));
        const input = Buffer.concat([Buffer.from(`{"type":"ping","data":{"a":1},"data_length":${data.length}}\n`), data, Buffer.from('{"type":"describe"}\n')]);
        assert.deepEqual(parser.push(input), [{ type: "ping", data: { a: 1, text: "hi" } }, { type: "describe", data: {} }]);
    });

    it("a header that is no JSON, has no type, or announces more than the limit is refused", () => {
        assert.throws(() => new EventParser().push(Buffer.from("hello\n")), WyomingProtocolError);
        assert.throws(() => new EventParser().push(Buffer.from('{"data":{}}\n')), /without a type/);
        assert.throws(() => new EventParser({ maxPayloadBytes: 10 }).push(Buffer.from('{"type":"audio-chunk","payload_length":11}\n')), /more than the 10 bytes/);
    });
});

describe("PCM conversion to 16 kHz mono", () => {
    const tone = (rateHz: number, channels: number, seconds: number): Buffer => {
        const frames = Math.round(rateHz * seconds);
        const out = Buffer.alloc(frames * channels * 2);
        for (let f = 0; f < frames; f++) for (let c = 0; c < channels; c++) out.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * f) / rateHz)), (f * channels + c) * 2);
        return out;
    };

    for (const [rateHz, channels] of [[48000, 2], [44100, 1], [22050, 1], [16000, 1]] as const) {
        it(`${rateHz} Hz ${channels === 2 ? "stereo" : "mono"}: one second gives one second, the same whatever the chunk sizes`, () => {
            const bytes = tone(rateHz, channels, 1);
            const whole = new PcmConverter({ rateHz, width: 2, channels }).push(bytes);
            assert.ok(Math.abs(whole.length - 16000) <= 1, `${whole.length} samples`);
            const pieces = new PcmConverter({ rateHz, width: 2, channels });
            const parts: number[] = [];
            for (let at = 0, size = 1; at < bytes.length; at += size, size = (size * 7 + 3) % 997 + 1) parts.push(...pieces.push(bytes.subarray(at, at + size)));
            assert.deepEqual(parts, [...whole]);
            // The tone keeps its level (no channel or rate mistake halves or doubles it).
            const peak = Math.max(...whole.slice(100, -100).map(Math.abs));
            assert.ok(peak > 7000 && peak <= 8000, `peak ${peak}`);
        });
    }

    it("a format hark cannot read is refused with what to send instead", () => {
        assert.throws(() => new PcmConverter({ rateHz: 16000, width: 3, channels: 1 }), /send 16-bit PCM/);
        assert.throws(() => new PcmConverter({ rateHz: 100, width: 2, channels: 1 }), /16000 is best/);
    });
});

describe("hark wyoming serve, with the real wyoming library in Home Assistant's role", () => {
    const dir = tempDir();
    const config = testConfig();
    let assistant: Assistant;
    let transcriber: Transcriber;
    let server: WyomingService;
    let uri = "";

    before(async () => {
        assistant = await Assistant.create({ config, log: silentLogger(), ephemeralState: true });
        transcriber = await createTranscriber(config, assistant, silentLogger());
        server = await startWyoming("tcp://127.0.0.1:0", assistant, transcriber, silentLogger());
        uri = server.uri;
        makeSpeech(path.join(dir, "time.wav"), "what time is it", 500);
        makeSpeech(path.join(dir, "wake.wav"), "hey jarvis", 500);
        makeSpeech(path.join(dir, "pizza.wav"), "order a large pepperoni pizza", 300);
    });

    after(async () => {
        await server.dispose();
        await transcriber.dispose();
        await assistant.dispose();
    });

    it("describe: info lists asr, tts, wake, handle and intent services in the form the library reads", async () => {
        const info = await ask(uri, "describe") as Record<string, Array<{ name: string; models?: Array<{ name: string; phrase?: string }>; voices?: Array<{ name: string }> }>>;
        assert.equal(info.asr?.[0]?.models?.[0]?.name, "grammar");
        assert.ok(info.tts?.[0]?.voices?.some((v) => v.name === "en-us"));
        assert.ok(info.wake?.[0]?.models?.some((m) => m.name === "hey_jarvis" && m.phrase === "hey jarvis"));
        assert.equal(info.handle?.[0]?.name, "hark");
        assert.match(String((info.intent?.[0]?.models?.[0] as { description?: string }).description), /get_time/);
    });

    it("transcribe: a WAV streamed in chunks comes back as text, at 16 kHz and at 48 kHz stereo", async () => {
        assert.deepEqual(await ask(uri, "transcribe", path.join(dir, "time.wav")), { text: "what time is it" });
        const stereo = path.join(dir, "time48.wav");
        await run("sox", [path.join(dir, "time.wav"), "-r", "48000", "-c", "2", stereo]);
        assert.deepEqual(await ask(uri, "transcribe", stereo), { text: "what time is it" });
    });

    it("transcribe: speech that fits none of the intents' sentences comes back empty, not as the nearest sentence", async () => {
        assert.deepEqual(await ask(uri, "transcribe", path.join(dir, "pizza.wav")), { text: "" });
    });

    it("synthesize: espeak-ng's speech comes back as audio that hark's recognizer hears as the text", async () => {
        const out = path.join(dir, "spoken.wav");
        const format = await ask(uri, "synthesize", "what time is it", out);
        assert.deepEqual({ rate: format.rate, width: format.width, channels: format.channels }, { rate: 16000, width: 2, channels: 1 });
        assert.ok(Number(format.bytes) > 16000, "at least half a second of audio");
        assert.equal((await transcriber.transcribe(await readAudioFile(out))).text, "what time is it");
        // A voice named in the request is the one that speaks.
        const british = path.join(dir, "british.wav");
        await ask(uri, "synthesize", "what time is it", british, "en-gb-scotland");
        assert.notDeepEqual(fs.readFileSync(british), fs.readFileSync(out));
        assert.match(String((await ask(uri, "synthesize", "hello", out, "klingon")).error), /no espeak-ng voice named klingon/);
    });

    it("handle: a sentence hark understands is run and answered; one it does not is not-handled with the polite reply", async () => {
        const handled = await ask(uri, "handle", "what time is it");
        assert.equal(handled.type, "handled");
        assert.match(String(handled.text), /^It's \d{1,2}:\d\d [AP]M\.$/);
        assert.deepEqual(await ask(uri, "handle", "order a large pepperoni pizza"), { type: "not-handled", text: "Sorry, I didn't catch that." });
    });

    it("recognize: the intent and its arguments come back and nothing is run", async () => {
        assert.deepEqual(await ask(uri, "recognize", "set a timer for five minutes"), { type: "intent", name: "set_timer", entities: { minutes: 5 }, text: null });
        assert.deepEqual(await assistant.services.timers.list(), []);
        assert.deepEqual(await ask(uri, "recognize", "order a pizza"), { type: "not-recognized", text: "Sorry, I didn't catch that." });
    });

    it("detect: the wake word in a stream is a detection; a stream without it is not-detected; an unknown model is an error", async () => {
        assert.deepEqual((await ask(uri, "detect", path.join(dir, "wake.wav"))).name, "hey_jarvis");
        assert.deepEqual(await ask(uri, "detect", path.join(dir, "time.wav")), { type: "not-detected" });
        assert.match(String((await ask(uri, "detect", path.join(dir, "wake.wav"), "ok_nabu")).error), /no wake word model named ok_nabu; hark has hey_jarvis/);
    });

    it("a peer that sends something that is not Wyoming is cut off, and the next client is served", async () => {
        const socket = net.connect(Number(new URL(uri).port), "127.0.0.1");
        socket.write("GET / HTTP/1.1\r\n\r\n");
        await new Promise<void>((resolve) => socket.on("close", () => resolve()));
        assert.equal((await ask(uri, "handle", "what time is it")).type, "handled");
    });
});

describe("Wyoming on the LAN", () => {
    it("with wyoming.zeroconf, Home Assistant can discover the services over mDNS (_wyoming._tcp) at their port", async () => {
        const config = testConfig({ wyoming: { zeroconf: true } });
        const assistant = await Assistant.create({ config, log: silentLogger(), ephemeralState: true });
        const transcriber = await createTranscriber(config, assistant, silentLogger());
        const service = await startWyoming("tcp://0.0.0.0:0", assistant, transcriber, silentLogger());
        const { Bonjour } = await import("bonjour-service");
        const browser = new Bonjour();
        try {
            const port = Number(new URL(service.uri).port);
            const found = await new Promise<{ port: number; name: string } | null>((resolve) => {
                browser.find({ type: "wyoming" }, (s) => { if (s.port === port) resolve(s); });
                setTimeout(() => resolve(null), 10_000);
            });
            assert.ok(found, "announced");
            assert.match(found.name, /^hark on /);
        } finally {
            browser.destroy();
            await service.dispose();
            await transcriber.dispose();
            await assistant.dispose();
        }
    });
});

describe("Wyoming transport", () => {
    it("a unix socket works, a stale socket file is replaced, and one in use is refused", async () => {
        const file = path.join(tempDir(), "hark.sock");
        const echo = async (connection: WyomingConnection) => {
            for await (const event of connection) await connection.send({ type: "pong", data: { text: event.data.text ?? null } });
        };
        fs.writeFileSync(file, "");
        const server = await WyomingServer.listen(`unix://${file}`, echo);
        try {
            await assert.rejects(WyomingServer.listen(`unix://${file}`, echo), /in use by another program/);
            const connection = await WyomingConnection.connect(`unix://${file}`);
            await connection.send({ type: "ping", data: { text: "hello" } });
            assert.deepEqual(await connection.next(), { type: "pong", data: { text: "hello" } });
            connection.close();
        } finally {
            await server.dispose();
        }
        assert.equal(fs.existsSync(file), false, "the socket file is removed on dispose");
    });

    it("an address that is not tcp://HOST:PORT or unix:///path says which forms work", async () => {
        await assert.rejects(WyomingConnection.connect("http://localhost:10700"), /only tcp:\/\/ and unix:\/\//);
        await assert.rejects(WyomingConnection.connect("tcp://localhost"), /needs a host and a port/);
        await assert.rejects(WyomingConnection.connect("tcp://127.0.0.1:1"), /cannot reach tcp:\/\/127.0.0.1:1: ECONNREFUSED/);
    });

    it("the command serves until SIGTERM and then exits cleanly", async () => {
        const data = tempDir();
        const child = spawn(process.execPath, [path.join(packageRoot, "bin", "hark.js"), "wyoming", "serve", "--no-llm", "--uri", "tcp://127.0.0.1:0"], {
            env: { ...process.env, HARK__PATHS__DATADIR: data, HARK__MUSIC__DIR: tempDir(), HARK__LOG__LEVEL: "warn" }, stdio: ["ignore", "ignore", "pipe"]
        });
        let stderr = "";
        child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
        const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
        await waitFor(() => /serving Wyoming at tcp:\/\/127\.0\.0\.1:\d+/.test(stderr), 60_000, `the server to start (${stderr})`);
        const served = stderr.match(/tcp:\/\/127\.0\.0\.1:\d+/)![0];
        assert.equal((await ask(served, "handle", "what time is it")).type, "handled");
        child.kill("SIGTERM");
        assert.equal(await exited, 0, stderr);
    });
});
