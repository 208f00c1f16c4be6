// Part of `npm run bench`: hark in a noisy room. The speech benchmark's commands (in scope) and requests hark cannot do
// (out of scope), each after "hey jarvis", mixed with four kinds of noise at 15, 9 and 6 dB signal-to-noise ratio, and
// run through the whole voice pipeline; then the wake word over hark's own playback (music and its own voice), and
// false wakes over half an hour of each. Every mix is made in this process from a fixed seed, so two runs compare.
//
// The noises are made here from what the machine has: pink noise (sox); babble (four streams of real recorded speech
// from ../shared, mixed); a TV-like talk track (one stream of real speech with pauses); music (synthesized: plucked
// chords over a bass line and a hi-hat, as no recorded music may be used). Synthetic speech and synthetic music: a real
// kitchen differs, so these numbers rank changes; they do not promise a room's accuracy.
//
// HARK_BENCH_NOISES=pink,babble and HARK_BENCH_SNRS=9 narrow the matrix, HARK_BENCH_PLAYBACK=0 leaves out the playback
// part; HARK_BENCH_AUDIO='{"noiseSuppression":"rnnoise"}', HARK_BENCH_VAD='{"noiseMarginDb":0}' and
// HARK_BENCH_WAKE='{"noisyMarginDb":0}' go into the config's audio, vad and wake sections, to measure a change on the
// same mixes. HARK_BENCH_VERBOSE=1 prints every utterance: what was said, the wake word, the endpoint, the transcript
// with its confidence, and what came of it.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { FileSource, readAudioFile } from "../src/audio/file.ts";
import { concatSamples, meanPower, SAMPLE_RATE_HZ, toSample, writeWav } from "../src/audio/pcm.ts";
import { PlayedAudio } from "../src/audio/played.ts";
import { validateConfig } from "../src/config/load.ts";
import { readEvalFile, type EvalCase } from "../src/eval/dataset.ts";
import { EchoCancellerFrontEnd } from "../src/frontend/echo.ts";
import { sameArgs } from "../src/eval/metrics.ts";
import { predictionFromTrace } from "../src/eval/run.ts";
import { silentLogger } from "../src/log/logger.ts";
import { packageRoot } from "../src/paths.ts";
import { Assistant } from "../src/pipeline/assistant.ts";
import { createVoiceEngines, createVoicePipeline } from "../src/pipeline/voice-setup.ts";
import { OpenWakeWordDetector } from "../src/wake/openwakeword.ts";
import { settingsFromEnv } from "./bench-env.ts";

const shared = process.env.HARK_SHARED_DIR ?? path.resolve(packageRoot, "..", "shared");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hark-bench-noise-"));
const sh = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: ["ignore", "ignore", "ignore"] });
const noiseKinds = (process.env.HARK_BENCH_NOISES ?? "pink,babble,tv,music").split(",");
const snrs = (process.env.HARK_BENCH_SNRS ?? "15,9,6").split(",").map(Number);
const audio = settingsFromEnv("HARK_BENCH_AUDIO");
const vad = settingsFromEnv("HARK_BENCH_VAD");
const wakeSettings = settingsFromEnv("HARK_BENCH_WAKE");
const verbose = process.env.HARK_BENCH_VERBOSE === "1";

/** A small seeded generator (mulberry32): the same mixes every run. */
function seeded(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

async function speak(text: string, voice: string, wpm: number): Promise<Int16Array> {
    const raw = path.join(dir, "speak.raw.wav");
    sh("espeak-ng", ["-v", voice, "-s", String(wpm), "-w", raw, text]);
    return readAudioFile(raw);
}

const silence = (ms: number) => new Int16Array(Math.round((ms / 1000) * SAMPLE_RATE_HZ));
const rms = (s: Int16Array): number => Math.sqrt(meanPower(s));

/** Real speech clips from ../shared, for babble and the TV track. */
function speechClips(): string[] {
    const rhasspy = path.join(shared, "audio", "rhasspy-test", "en");
    const clips = fs.existsSync(rhasspy) ? fs.readdirSync(rhasspy).filter((f) => f.endsWith(".wav")).sort().map((f) => path.join(rhasspy, f)) : [];
    for (const f of ["jfk/jfk.wav", "picovoice-leopard/test.wav", "picovoice-leopard/diarization_test.wav"]) if (fs.existsSync(path.join(shared, "audio", f))) clips.push(path.join(shared, "audio", f));
    if (clips.length < 8) throw new Error(`too few speech recordings in ${shared}/audio for babble (set HARK_SHARED_DIR)`);
    return clips;
}

/** One talker: clips in a seeded order with short pauses, `seconds` long. */
async function talker(clips: readonly string[], seconds: number, random: () => number, pauseMs: [number, number]): Promise<Int16Array> {
    const parts: Int16Array[] = [];
    let total = 0;
    while (total < seconds * SAMPLE_RATE_HZ) {
        const clip = await readAudioFile(clips[Math.floor(random() * clips.length)]!);
        const pause = silence(pauseMs[0] + random() * (pauseMs[1] - pauseMs[0]));
        parts.push(clip, pause);
        total += clip.length + pause.length;
    }
    return concatSamples(parts).subarray(0, seconds * SAMPLE_RATE_HZ);
}

/** Four talkers at once, `seconds` long. */
async function babble(clips: readonly string[], seconds: number, seed: number): Promise<Int16Array> {
    const streams = await Promise.all([1, 2, 3, 4].map((k) => talker(clips, seconds, seeded(seed + k), [100, 400])));
    return Int16Array.from({ length: seconds * SAMPLE_RATE_HZ }, (_, i) => Math.max(-32768, Math.min(32767, streams.reduce((sum, s) => sum + s[i]! / 2, 0))));
}

/** Plucked chords, a bass line and a hi-hat, four bars looped with a seeded choice of chords: `seconds` of "music". */
function music(seconds: number, seed: number): Int16Array {
    const random = seeded(seed);
    const progression = [[0, 4, 7], [9, 12, 16], [5, 9, 12], [7, 11, 14], [2, 5, 9], [4, 7, 11]];
    const beatS = 0.5;
    const out = new Float64Array(seconds * SAMPLE_RATE_HZ);
    const note = (startS: number, semitone: number, lengthS: number, gain: number, decay: number) => {
        const hz = 220 * 2 ** (semitone / 12);
        const start = Math.floor(startS * SAMPLE_RATE_HZ);
        for (let i = 0; i < lengthS * SAMPLE_RATE_HZ && start + i < out.length; i++) {
            const t = i / SAMPLE_RATE_HZ;
            out[start + i]! += gain * Math.exp(-decay * t) * (Math.sin(2 * Math.PI * hz * t) + 0.4 * Math.sin(4 * Math.PI * hz * t) + 0.2 * Math.sin(6 * Math.PI * hz * t));
        }
    };
    for (let bar = 0; bar * 4 * beatS < seconds; bar++) {
        const chord = progression[Math.floor(random() * progression.length)]!;
        for (let beat = 0; beat < 4; beat++) {
            const at = (bar * 4 + beat) * beatS;
            for (const s of chord) note(at, s, beatS, 0.18, 3);
            note(at, chord[0]! - 12, beatS, 0.3, 1.5);
            // A hi-hat on the off-beat: a short burst of noise.
            const hat = Math.floor((at + beatS / 2) * SAMPLE_RATE_HZ);
            for (let i = 0; i < 800 && hat + i < out.length; i++) out[hat + i]! += (random() - 0.5) * 0.25 * Math.exp(-i / 150);
        }
    }
    const peak = out.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    return Int16Array.from(out, (v) => Math.round((v / peak) * 12000));
}

function pinkNoise(seconds: number): Promise<Int16Array> {
    const file = path.join(dir, "pink.wav");
    sh("sox", ["-R", "-n", "-r", "16000", "-c", "1", "-b", "16", file, "synth", String(seconds), "pinknoise", "vol", "0.3"]);
    return readAudioFile(file);
}

async function makeNoises(clips: readonly string[], seconds: number): Promise<Record<string, Int16Array>> {
    const noises: Record<string, Int16Array> = {};
    if (noiseKinds.includes("pink")) noises.pink = await pinkNoise(seconds);
    if (noiseKinds.includes("babble")) noises.babble = await babble(clips, seconds, 100);
    if (noiseKinds.includes("tv")) noises.tv = await talker(clips, seconds, seeded(7), [300, 1500]);
    if (noiseKinds.includes("music")) noises.music = music(seconds, 11);
    return noises;
}

/** `speech` with `noise` under it (from a seeded offset), the noise scaled so that the command is `snrDb` above it. */
function mix(speech: Int16Array, commandRms: number, noise: Int16Array, snrDb: number, random: () => number): Int16Array {
    const offset = Math.floor(random() * (noise.length - speech.length));
    const segment = noise.subarray(offset, offset + speech.length);
    const gain = commandRms / (rms(segment) * 10 ** (snrDb / 20));
    return Int16Array.from(speech, (v, i) => toSample(v + gain * segment[i]!));
}

interface Item {
    case: EvalCase;
    speech: Int16Array;
    commandRms: number;
}

async function items(): Promise<{ inScope: Item[]; outOfScope: Item[] }> {
    const wake = await speak("hey jarvis", "en-us", 150);
    const build = async (c: EvalCase, voice: string, wpm: number): Promise<Item> => {
        const command = await speak(c.text, voice, wpm);
        // The room is heard for 2.5 s before the wake word: the endpointer measures its background there.
        return { case: c, speech: concatSamples([silence(2500), wake, silence(400), command, silence(1500)]), commandRms: rms(command) };
    };
    const commands = readEvalFile(path.join(packageRoot, "test", "eval", "hark.jsonl")).filter((c) => c.expect).slice(0, 20);
    const inScope = [];
    for (const c of commands) for (const [voice, wpm] of [["en-us", 150], ["en-gb", 170]] as const) inScope.push(await build(c, voice, wpm));
    const outOfScope = [];
    for (const c of readEvalFile(path.join(packageRoot, "test", "eval", "spoken-out-of-scope.jsonl"))) outOfScope.push(await build(c, "en-us+f3", 160));
    return { inScope, outOfScope };
}

const config = validateConfig({
    paths: { dataDir: dir }, trace: { enabled: false }, conversation: { feedbackSounds: false, followUpMs: 0 },
    music: { dir: path.join(dir, "music") }, audio, vad, wake: wakeSettings,
    stt: { engine: "grammar", slotValues: { location: ["boston", "paris", "london", "new york", "denver", "tokyo", "chicago", "seattle", "miami", "rome", "austin", "san francisco", "dublin", "oslo", "lisbon", "montreal"] } }
});
fs.mkdirSync(config.music.dir);

const { inScope, outOfScope } = await items();
const clips = speechClips();
const noises = await makeNoises(clips, 120);
const assistant = await Assistant.create({ config, log: silentLogger(), ephemeralState: true });
const engines = await createVoiceEngines(config, assistant, silentLogger());

/** Runs one mixed utterance through the whole pipeline; what came of it. */
async function run(samples: Int16Array, n: number, said: string): Promise<ReturnType<typeof predictionFromTrace> & { cutAtMax: boolean }> {
    const file = path.join(dir, `u${n}.wav`);
    writeWav(file, samples);
    const pipeline = createVoicePipeline(config, assistant, assistant.output, engines, silentLogger(), { speak: false, muteWhilePlaying: false });
    const records = await pipeline.run(new FileSource(file), new AbortController().signal);
    fs.rmSync(file);
    await assistant.services.timers.cancel((await assistant.services.timers.list()).map((t) => t.id));
    assistant.dropPending();
    const record = records.find((r) => r.stages.some((s) => s.name === "wake"));
    const endpoint = record?.stages.find((s) => s.name === "endpoint")?.output as { reason?: string; speechMs?: number; utteranceMs?: number } | undefined;
    const prediction = predictionFromTrace(record);
    if (verbose) {
        const heard = record?.stages.find((s) => s.name === "transcribe")?.output as { text?: string; confidence?: number } | undefined;
        const outcome = prediction.intent ? `${prediction.asked ? "asks " : ""}${prediction.intent} ${JSON.stringify(prediction.args)}` : `nothing (${prediction.stoppedBy})`;
        console.log(`    ${said.padEnd(40).slice(0, 40)} | ${record ? `${endpoint?.speechMs ?? "-"}/${endpoint?.utteranceMs ?? "-"} ms ${endpoint?.reason ?? ""}` : "no wake"} | ${JSON.stringify(heard?.text ?? null)} ${heard?.confidence?.toFixed(2) ?? ""} | ${outcome}`);
    }
    return { ...prediction, cutAtMax: endpoint?.reason === "max-length" };
}

const pct = (n: number, of: number) => `${((n / Math.max(1, of)) * 100).toFixed(1).padStart(5)} %`;
console.log(`\nnoisy rooms (grammar engine; ${inScope.length} in-scope and ${outOfScope.length} out-of-scope utterances per condition; audio ${JSON.stringify(config.audio.noiseSuppression)}, noise margin ${config.vad.noiseMarginDb} dB; wake word at ${config.wake.thresholdScore}, ${config.wake.noisyThresholdScore} in a loud room: ${config.wake.noisyMarginDb} dB)`);
console.log("  condition        wake   exact (asked first)   cut at 10 s   false actions (out of scope)");
let n = 0;
const quiet: { exact: number; falseActions: number } = { exact: 0, falseActions: 0 };
for (const condition of [{ noise: "quiet", snr: Infinity }, ...Object.keys(noises).flatMap((noise) => snrs.map((snr) => ({ noise, snr })))]) {
    const random = seeded(condition.snr === Infinity ? 1 : 1000 + condition.snr);
    const mixed = (item: Item) => (condition.snr === Infinity ? item.speech : mix(item.speech, item.commandRms, noises[condition.noise]!, condition.snr, random));
    let woke = 0;
    let exact = 0;
    let exactAsked = 0;
    let cut = 0;
    for (const item of inScope) {
        const p = await run(mixed(item), ++n, item.case.text);
        if (p.stoppedBy !== "wake") woke++;
        if (p.cutAtMax) cut++;
        if (p.intent === item.case.expect!.intent && sameArgs(p.args, item.case.expect!.args)) {
            exact++;
            if (p.asked) exactAsked++;
        }
    }
    let falseActions = 0;
    for (const item of outOfScope) {
        const p = await run(mixed(item), ++n, item.case.text);
        if (p.intent != null && !p.asked) falseActions++;
    }
    if (condition.snr === Infinity) Object.assign(quiet, { exact, falseActions });
    const name = condition.snr === Infinity ? "quiet" : `${condition.noise} ${condition.snr} dB`;
    const relative = condition.snr === Infinity ? "" : `  (${((exact / Math.max(1, quiet.exact)) * 100).toFixed(0)} % of quiet)`;
    console.log(`  ${name.padEnd(15)} ${pct(woke, inScope.length)} ${pct(exact, inScope.length)} (${String(exactAsked).padStart(2)})          ${pct(cut, inScope.length)}     ${falseActions}/${outOfScope.length}${relative}`);
}
await engines.dispose();
await assistant.dispose();

if (process.env.HARK_BENCH_PLAYBACK === "0") {
    fs.rmSync(dir, { recursive: true, force: true });
    process.exit(0);
}

// The wake word over hark's own playback: real people's "hey jarvis"-free clips are not enough, so the wake word is
// espeak's in five voices, at a level `x` dB above or below the music or hark's voice at the microphone.
const detector = await OpenWakeWordDetector.create({ keyword: "hey_jarvis" });
const wakes = await Promise.all([["en-us", 150], ["en-gb", 160], ["en-us+f3", 140], ["en-us+m3", 170], ["en-gb-x-rp", 155]].map(([v, w]) => speak("hey jarvis", String(v), Number(w))));
const hisVoice = concatSamples(await Promise.all(["Your timer for five minutes is done.", "Playing Baby Shark by Pinkfong.", "It's twenty past three.", "In Boston it is eleven degrees and cloudy."].map((t) => speak(t, "en-us", 175))));
const defaults = config.wake;
const detect = async (samples: Int16Array, threshold = defaults.thresholdScore): Promise<number> => {
    detector.reset();
    let count = 0;
    for (let at = 0; at + 1280 <= samples.length; at += 1280) count += (await detector.process(samples.subarray(at, at + 1280), (at / SAMPLE_RATE_HZ) * 1000, threshold)).length;
    return count;
};
const backgrounds: Record<string, Int16Array> = { "hark's music": noises.music ?? music(120, 11), "hark's voice": concatSamples(Array.from({ length: 12 }, () => concatSamples([hisVoice, silence(500)]))) };
console.log(`  wake word over hark's own playback (5 voices × 8 placements each), at wake.thresholdScore ${defaults.thresholdScore} and at wake.playbackThresholdScore ${defaults.playbackThresholdScore} (what hark uses while it plays)`);
/** The wake word's detection rate over a background at each level, 5 voices × 8 placements per level (seeded). */
async function levels(trial: (wake: Int16Array, clip: Int16Array, snr: number, random: () => number) => Promise<boolean>): Promise<string> {
    const line: string[] = [];
    for (const snr of [10, 5, 0, -5]) {
        const random = seeded(50 + snr);
        let heard = 0;
        let tries = 0;
        for (const wake of wakes) {
            for (let k = 0; k < 8; k++) {
                heard += (await trial(wake, concatSamples([silence(500), wake, silence(700)]), snr, random)) ? 1 : 0;
                tries++;
            }
        }
        line.push(`${snr >= 0 ? "+" : ""}${snr} dB ${pct(heard, tries)}`);
    }
    return line.join("   ");
}
for (const [name, background] of Object.entries(backgrounds)) for (const threshold of [defaults.thresholdScore, defaults.playbackThresholdScore]) {
    const line = await levels(async (wake, clip, snr, random) => {
        const offset = Math.floor(random() * (background.length - clip.length));
        const bg = background.subarray(offset, offset + clip.length);
        const gain = rms(wake) / (rms(bg) * 10 ** (snr / 20));
        return (await detect(Int16Array.from(clip, (v, i) => toSample(v + gain * bg[i]!)), threshold)) > 0;
    });
    console.log(`    over ${name.padEnd(13)} at ${threshold.toFixed(2)}  ${line}`);
}
// With the echo canceller (audio.echoCancellation): the playback now reaches the microphone through a room (its
// sound 30 ms after it leaves the speaker, then reflections dying away over 250 ms, seeded), and the microphone's audio
// reaches hark 120 ms after it was heard; the canceller has the played audio as its reference, 3 s into the first
// playback it ever heard (its filter still learning the room) and 15 s in.
const roomResponse = ((): Float32Array => {
    const random = seeded(5);
    const h = new Float32Array(Math.round(0.3 * SAMPLE_RATE_HZ));
    const direct = Math.round(0.03 * SAMPLE_RATE_HZ);
    h[direct] = 1;
    for (let i = direct + 16; i < h.length; i++) h[i] = (random() * 2 - 1) * 0.25 * Math.exp((-6.9 * (i - direct)) / (0.25 * SAMPLE_RATE_HZ));
    return h;
})();
const throughRoom = (x: Int16Array): Float32Array => {
    const taps = [...roomResponse.keys()].filter((k) => roomResponse[k] !== 0);
    return Float32Array.from(x, (_, n) => taps.reduce((sum, k) => (n >= k ? sum + roomResponse[k]! * x[n - k]! : sum), 0));
};
const captureMs = 120;
let cancelCpuMs = 0;
let cancelAudioMs = 0;
console.log(`  the same through a room, at ${defaults.playbackThresholdScore}: without and with the echo canceller (tail ${config.audio.echoTailMs} ms, latency ${config.audio.echoLatencyMs} ms, residual ${config.audio.echoSuppressDb} dB)`);
for (const [name, background] of Object.entries(backgrounds)) {
    const echo = throughRoom(background);
    // "no echo": the reference plays but none of it reaches the microphone (headphones, a speaker in another room):
    // the canceller must then leave the wake word alone.
    for (const setup of [{ label: "no canceller", preS: 3, cancel: false, echo: 1 }, { label: "canceller, 3 s in", preS: 3, cancel: true, echo: 1 }, { label: "canceller, 15 s in", preS: 15, cancel: true, echo: 1 }, { label: "canceller, no echo", preS: 15, cancel: true, echo: 0 }]) {
        const line = await levels(async (wake, clip, snr, random) => {
            const pre = setup.preS * SAMPLE_RATE_HZ;
            const start = pre + Math.floor(random() * (background.length - clip.length - pre));
            const gain = rms(wake) / (rms(Int16Array.from(echo.subarray(start, start + clip.length), (v) => toSample(v))) * 10 ** (snr / 20));
            const total = pre + clip.length;
            const mic = Int16Array.from({ length: total }, (_, i) => toSample(setup.echo * gain * echo[start - pre + i]! + (i >= pre ? clip[i - pre]! : 0)));
            let input: Int16Array = mic;
            if (setup.cancel) {
                // The playback starts at 1 s on the clock; a chunk reaches hark captureMs after its last sample was heard.
                let clock = 0;
                const played = new PlayedAudio(() => clock);
                played.add(Int16Array.from(background.subarray(start - pre, start - pre + total), (v) => toSample(v * gain)), 1000);
                const canceller = new EchoCancellerFrontEnd(played, { tailMs: config.audio.echoTailMs, latencyMs: config.audio.echoLatencyMs, suppressDb: config.audio.echoSuppressDb, now: () => clock });
                const out: Int16Array[] = [];
                const began = performance.now();
                for (let at = 0; at < total; at += 1280) {
                    const chunk = mic.subarray(at, Math.min(total, at + 1280));
                    clock = 1000 + ((at + chunk.length) * 1000) / SAMPLE_RATE_HZ + captureMs;
                    out.push(canceller.process(chunk));
                }
                cancelCpuMs += performance.now() - began;
                cancelAudioMs += (total * 1000) / SAMPLE_RATE_HZ;
                canceller.dispose();
                input = concatSamples(out);
            }
            return (await detect(input.subarray(pre), defaults.playbackThresholdScore)) > 0;
        });
        console.log(`    over ${name.padEnd(13)} ${setup.label.padEnd(19)} ${line}`);
    }
}
console.log(`  echo canceller cost: real-time factor ${(cancelCpuMs / Math.max(1, cancelAudioMs)).toFixed(4)} (CPU seconds per audio second while something plays; it passes audio through untouched otherwise)`);
// False wakes: half an hour of each, and of silence's stand-in (quiet pink noise at -60 dBFS).
const halfHour = 30 * 60;
const long = (source: Int16Array): Int16Array => Int16Array.from({ length: halfHour * SAMPLE_RATE_HZ }, (_, i) => source[i % source.length]!);
const quietRoom = Int16Array.from((await pinkNoise(60)), (v) => Math.round(v / 300));
// Over playback the lower threshold applies; real talkers (the TV track) stand in for a song's singing.
const talk = noises.tv ?? await talker(clips, 120, seeded(7), [300, 1500]);
const falseWakes = {
    "hark's music": await detect(long(music(600, 23)), defaults.playbackThresholdScore),
    "hark's voice": await detect(long(backgrounds["hark's voice"]!), defaults.playbackThresholdScore),
    "real talkers": await detect(long(talk), defaults.playbackThresholdScore),
    "a quiet room": await detect(long(quietRoom))
};
console.log(`  false wakes in 30 minutes (over playback at ${defaults.playbackThresholdScore}, the quiet room at ${defaults.thresholdScore}): ${Object.entries(falseWakes).map(([k, v]) => `${k} ${v}`).join(", ")}`);
// In a loud room the wake word needs only wake.noisyThresholdScore: half an hour of one talker (a TV) and of four at
// once (babble), none of it looped and none of it in the mixes above, at that threshold and at wake.thresholdScore.
const crowds = { "one talker": await talker(clips, halfHour, seeded(8), [300, 1500]), "four talkers": await babble(clips, halfHour, 300) };
const inNoise: string[] = [];
for (const [name, audio] of Object.entries(crowds)) inNoise.push(`${name} ${await detect(audio, defaults.noisyThresholdScore)} at ${defaults.noisyThresholdScore}, ${await detect(audio)} at ${defaults.thresholdScore}`);
console.log(`  false wakes in 30 minutes of other people talking (a loud room: wake.noisyThresholdScore): ${inNoise.join("; ")}`);
await detector.dispose();
fs.rmSync(dir, { recursive: true, force: true });
