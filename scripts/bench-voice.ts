// Part of `npm run bench`: speech figures. Spoken versions of the eval sentences are made with espeak-ng (synthetic
// speech: real voices differ), transcribed by the grammar engine, then recognised.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { readAudioFile } from "../src/audio/file.ts";
import { validateConfig } from "../src/config/load.ts";
import { readEvalFile } from "../src/eval/dataset.ts";
import { silentLogger } from "../src/log/logger.ts";
import { packageRoot } from "../src/paths.ts";
import { Assistant } from "../src/pipeline/assistant.ts";
import { createTranscriber } from "../src/pipeline/voice-setup.ts";
import { Endpointer } from "../src/vad/endpointer.ts";
import { SileroVad } from "../src/vad/silero.ts";
import { OpenWakeWordDetector, packagedModelsDir } from "../src/wake/openwakeword.ts";

const limit = Number(process.env.HARK_BENCH_SENTENCES ?? 60);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hark-bench-voice-"));
const pct = (q: number, xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(q * xs.length) - 1)] ?? 0;

const config = validateConfig({ paths: { dataDir: dir }, trace: { enabled: false }, stt: { slotValues: { location: ["boston", "paris", "london", "new york", "denver", "tokyo", "chicago"] } } });
const assistant = await Assistant.create({ config, log: silentLogger(), ephemeralState: true });
const transcriber = await createTranscriber(config, assistant, silentLogger());

const cases = readEvalFile(path.join(packageRoot, "test", "eval", "hark.jsonl")).filter((c) => c.expect).slice(0, limit);
let exact = 0;
let intentOk = 0;
const sttMs: number[] = [];
let audioSeconds = 0;
for (const [i, c] of cases.entries()) {
    const wav = path.join(dir, `s${i}.wav`);
    execFileSync("espeak-ng", ["-v", "en-us", "-s", "150", "-w", `${wav}.raw.wav`, c.text]);
    execFileSync("sox", [`${wav}.raw.wav`, "-r", "16000", "-c", "1", "-b", "16", wav, "pad", "0", "0.5"]);
    const samples = await readAudioFile(wav);
    audioSeconds += samples.length / 16000;
    const started = performance.now();
    const { text } = await transcriber.transcribe(samples);
    sttMs.push(performance.now() - started);
    const normalise = (s: string) => s.toLowerCase().replace(/[^a-z0-9 ]/g, "").replace(/\s+/g, " ").trim();
    if (normalise(text) === normalise(c.text)) exact++;
    const { recognition } = await assistant.router.recognize(text);
    if (recognition?.intent === c.expect!.intent) intentOk++;
    else if (process.env.HARK_BENCH_VERBOSE) console.log(`  missed: "${c.text}" heard as "${text}"`);
}
console.log(`\nspeech → text → intent (grammar engine, ${cases.length} eval sentences spoken by espeak-ng; real voices differ)`);
console.log(`  exact transcripts ${((exact / cases.length) * 100).toFixed(1)}%, intent accuracy ${((intentOk / cases.length) * 100).toFixed(1)}%`);
console.log(`  transcription p50 ${pct(0.5, sttMs).toFixed(0)} ms, p95 ${pct(0.95, sttMs).toFixed(0)} ms, real-time factor ${(sttMs.reduce((a, b) => a + b, 0) / 1000 / audioSeconds).toFixed(2)}`);

// Wake word and VAD cost per second of audio: what the always-on part of the loop spends.
const wake = await OpenWakeWordDetector.create({ keyword: "hey_jarvis" });
const vad = await SileroVad.create({ modelPath: path.join(packagedModelsDir(), "silero_vad.onnx") });
const tenSeconds = new Int16Array(16000 * 10).map(() => Math.round((Math.random() - 0.5) * 2000));
let started = performance.now();
await wake.process(tenSeconds, 0);
const wakeMs = performance.now() - started;
started = performance.now();
const endpointer = new Endpointer(vad, { noSpeechTimeoutMs: 60_000 });
await endpointer.push(tenSeconds);
const vadMs = performance.now() - started;
console.log(`\nalways-on cost per second of audio: wake word (openWakeWord) ${(wakeMs / 10).toFixed(1)} ms (${((wakeMs / 10000) * 100).toFixed(1)}% of one core), VAD (Silero) ${(vadMs / 10).toFixed(1)} ms`);
await wake.dispose();
await vad.dispose();
await transcriber.dispose();
await assistant.dispose();
fs.rmSync(dir, { recursive: true, force: true });
const memory = process.memoryUsage();
console.log(`memory with wake word, VAD and grammar loaded: rss ${(memory.rss / 1024 / 1024).toFixed(1)} MiB`);
