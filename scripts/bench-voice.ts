// Part of `npm run bench`: the speech path. Each utterance comes after a synthesized "hey jarvis" and runs through the
// whole voice pipeline (wake word, endpointing, transcription, understanding; handlers run against an empty music
// folder and a scratch data folder). In scope: commands from the project's eval file in several espeak-ng voices and
// speeds, in pink noise, and the shared folder's recordings of commands hark has. Out of scope (nothing may happen):
// hand-written requests hark cannot do, in four voices, half in quiet and half in noise, and every recording in the
// shared folder that is not a command of hark's. Synthetic speech: real voices and rooms differ.
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { FileSource, readAudioFile } from "../src/audio/file.ts";
import { validateConfig } from "../src/config/load.ts";
import { readEvalFile, type EvalCase } from "../src/eval/dataset.ts";
import { computeReport, percentile, sameArgs, type Prediction } from "../src/eval/metrics.ts";
import { predictionFromTrace } from "../src/eval/run.ts";
import { silentLogger } from "../src/log/logger.ts";
import { packageRoot } from "../src/paths.ts";
import { Assistant } from "../src/pipeline/assistant.ts";
import { createVoiceEngines, createVoicePipeline } from "../src/pipeline/voice-setup.ts";
import { FRAME_SAMPLES, OpenWakeWordDetector } from "../src/wake/openwakeword.ts";
import { settingsFromEnv } from "./bench-env.ts";

const sentences = Number(process.env.HARK_BENCH_SENTENCES ?? 20);
// HARK_BENCH_GROUPS=REGEX runs only the groups whose name matches; HARK_BENCH_ERRORS=1 lists every wrong utterance;
// HARK_BENCH_ROWS=FILE writes one JSON line per utterance (what was heard, with the transcriber's detail, and what came
// of it), for measuring a change to the decision offline.
const rowsFile = process.env.HARK_BENCH_ROWS;
if (rowsFile) fs.writeFileSync(rowsFile, "");
const only = process.env.HARK_BENCH_GROUPS ? new RegExp(process.env.HARK_BENCH_GROUPS) : null;
const listErrors = process.env.HARK_BENCH_ERRORS === "1";
const shared = process.env.HARK_SHARED_DIR ?? path.resolve(packageRoot, "..", "shared");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hark-bench-voice-"));
const sh = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: ["ignore", "ignore", "ignore"] });

/** One utterance to run: its audio file and what should come of it. */
interface Utterance {
    file: string;
    case: EvalCase;
}

/** An utterance whose audio is made when it is first needed: a run of some groups (HARK_BENCH_GROUPS) makes only theirs. */
function utterance(make: () => string, c: EvalCase): Utterance {
    let file: string | null = null;
    return { get file() { return (file ??= make()); }, case: c };
}

/** A voice and speed for espeak-ng, and the pink noise mixed under the whole file (0: none). */
interface Rendition {
    voice: string;
    speedWpm: number;
    noise: number;
}

let made = 0;
/** Writes `file`: silence, "hey jarvis", silence, the command (synthesized text, or a recording), silence; with noise under it. */
function utteranceFile(command: { text: string } | { recording: string }, r: Rendition): string {
    const file = path.join(dir, `u${++made}.wav`);
    const to16k = (input: string, output: string) => sh("sox", ["-R", input, "-r", "16000", "-c", "1", "-b", "16", output]);
    const speak = (name: string, words: string) => {
        sh("espeak-ng", ["-v", r.voice, "-s", String(r.speedWpm), "-w", `${file}.${name}.raw.wav`, words]);
        to16k(`${file}.${name}.raw.wav`, `${file}.${name}.wav`);
    };
    speak("wake", "hey jarvis");
    if ("text" in command) speak("cmd", command.text);
    else to16k(command.recording, `${file}.cmd.wav`);
    sh("sox", ["-R", "-n", "-r", "16000", "-c", "1", "-b", "16", `${file}.gap.wav`, "trim", "0", "0.4"]);
    sh("sox", ["-R", "-n", "-r", "16000", "-c", "1", "-b", "16", `${file}.tail.wav`, "trim", "0", "1.5"]);
    const clean = r.noise > 0 ? `${file}.clean.wav` : file;
    sh("sox", [`${file}.gap.wav`, `${file}.wake.wav`, `${file}.gap.wav`, `${file}.cmd.wav`, `${file}.tail.wav`, clean]);
    if (r.noise > 0) {
        const seconds = Number(execFileSync("soxi", ["-D", clean], { encoding: "utf8" }));
        sh("sox", ["-R", "-n", "-r", "16000", "-c", "1", "-b", "16", `${file}.noise.wav`, "synth", String(seconds), "pinknoise", "vol", String(r.noise)]);
        sh("sox", ["-R", "-m", clean, `${file}.noise.wav`, file]);
    }
    for (const part of fs.readdirSync(dir).filter((f) => f.startsWith(`${path.basename(file)}.`))) fs.rmSync(path.join(dir, part));
    return file;
}

const wakeVoice: Rendition = { voice: "en-us", speedWpm: 150, noise: 0 };
const inScopeRenditions: Rendition[] = ["en-us", "en-us+f3", "en-gb"].flatMap((voice) => [140, 175].map((speedWpm) => ({ voice, speedWpm, noise: 0.01 })));
const outOfScopeRenditions: Rendition[] = [
    { voice: "en-us", speedWpm: 140, noise: 0 }, { voice: "en-gb", speedWpm: 175, noise: 0.03 },
    { voice: "en-us+f3", speedWpm: 160, noise: 0 }, { voice: "en-us+m3", speedWpm: 190, noise: 0.03 }
];

const groups: Array<{ name: string; utterances: Utterance[] }> = [];
/** Every case said in every rendition. */
const rendered = (cases: readonly EvalCase[], renditions: readonly Rendition[]): Utterance[] => cases.flatMap((c) => renditions.map((r) => utterance(() => utteranceFile(c, r), c)));
/** A spoken out-of-scope set from `test/eval/FILE`, as the group "LABEL: N requests × M VOICES, half in noise". */
function outOfScopeGroup(label: string, file: string, renditions: readonly Rendition[], voices = "other voices"): void {
    const cases = readEvalFile(path.join(packageRoot, "test", "eval", file));
    groups.push({ name: `${label}: ${cases.length} requests × ${renditions.length} ${voices}, half in noise`, utterances: rendered(cases, renditions) });
}
/** A spoken in-scope set from `test/eval/FILE`, as the group "LABEL: N commands as a household says them × M other voices". */
function inScopeGroup(label: string, file: string, renditions: readonly Rendition[]): void {
    const cases = readEvalFile(path.join(packageRoot, "test", "eval", file));
    groups.push({ name: `${label}: ${cases.length} commands as a household says them × ${renditions.length} other voices`, utterances: rendered(cases, renditions) });
}
const evalFile = path.join(packageRoot, "test", "eval", "hark.jsonl");
const evalCommands = readEvalFile(evalFile).filter((c) => c.expect);
const commands = evalCommands.slice(0, sentences);
groups.push({ name: `in scope: ${commands.length} eval commands × ${inScopeRenditions.length} voices/speeds, pink noise`, utterances: rendered(commands, inScopeRenditions) });

// The same commands in quiet (the set above is all in pink noise), so the confidence is also fitted on quiet speech.
const quietRenditions: Rendition[] = [{ voice: "en-us", speedWpm: 160, noise: 0 }, { voice: "en-gb", speedWpm: 150, noise: 0 }];
groups.push({ name: `in scope, quiet: the same ${commands.length} eval commands × ${quietRenditions.length} voices`, utterances: rendered(commands, quietRenditions) });

// The 20 commands the in-scope group said when issue 12 was filed (2026-12-01, 110/120 then; issue 12's floor for exact
// calls is stated against them): the eval file's first commands before the timer changes were put in front of them.
const firstBenchCommands = evalCommands.filter((c) => c.expect?.intent !== "change_timer").slice(0, 20);
groups.push({ name: `in scope, the first bench's commands: ${firstBenchCommands.length} eval commands × ${inScopeRenditions.length} voices/speeds, pink noise`, utterances: rendered(firstBenchCommands, inScopeRenditions) });

// Added with the fifth hold-out, for the same reason: the eval file's next commands in two voices the in-scope group does not use.
const heldOutCommands = evalCommands.slice(sentences, sentences + 40);
const heldOutRenditions: Rendition[] = [{ voice: "en-gb-scotland+m3", speedWpm: 160, noise: 0 }, { voice: "en-us+f2", speedWpm: 155, noise: 0.01 }];
groups.push({ name: `in scope, hold-out: the next ${heldOutCommands.length} eval commands × ${heldOutRenditions.length} other voices`, utterances: rendered(heldOutCommands, heldOutRenditions) });
// Written on 2026-12-03 (second session) before transcripts of middling confidence were asked about: the eval file's
// remaining commands in two voices no other group uses.
const heldOut2Commands = evalCommands.slice(sentences + 40);
const heldOut2Renditions: Rendition[] = [{ voice: "en-gb+f4", speedWpm: 160, noise: 0 }, { voice: "en-us+m8", speedWpm: 170, noise: 0.01 }];
groups.push({ name: `in scope, second hold-out: the last ${heldOut2Commands.length} eval commands × ${heldOut2Renditions.length} other voices`, utterances: rendered(heldOut2Commands, heldOut2Renditions) });
// Written on 2026-12-03 (third session) before the grammar listened for the words typed text may have around a
// request ("please", "okay", "could you"): commands as a household says them, in two voices no other group uses.
inScopeGroup("in scope, third hold-out", "spoken-in-scope-holdout-3.jsonl", [{ voice: "en-gb+m3", speedWpm: 155, noise: 0 }, { voice: "en-us+m6", speedWpm: 165, noise: 0.01 }]);
// Written on 2026-12-03 (fifth session) before the confidence was fitted again on scores of every senone: other commands, other voices.
inScopeGroup("in scope, fourth hold-out", "spoken-in-scope-holdout-4.jsonl", [{ voice: "en-us-nyc+f5", speedWpm: 160, noise: 0 }, { voice: "en-gb-scotland+m4", speedWpm: 150, noise: 0.01 }]);
// Written on 2026-12-04 (thirteenth session) before the speech grammar's decoys were pruned: places and names the
// grammar holds, in two of espeak-ng's named variants no other group uses.
inScopeGroup("in scope, fifth hold-out", "spoken-in-scope-holdout-5.jsonl", [{ voice: "en-us+Andy", speedWpm: 160, noise: 0 }, { voice: "en-gb+Annie", speedWpm: 150, noise: 0.01 }]);
// Written on 2026-12-04 (thirteenth session) after the decoys were pruned, as the next judge.
inScopeGroup("in scope, sixth hold-out", "spoken-in-scope-holdout-6.jsonl", [{ voice: "en-gb+Edward", speedWpm: 155, noise: 0 }, { voice: "en-us+Linda", speedWpm: 165, noise: 0.01 }]);
// Written on 2026-12-04 (fourteenth session) before anything was measured on it, as the next judge.
inScopeGroup("in scope, seventh hold-out", "spoken-in-scope-holdout-7.jsonl", [{ voice: "en-us+john", speedWpm: 160, noise: 0 }, { voice: "en-gb+aunty", speedWpm: 150, noise: 0.01 }]);
// Written on 2026-12-04 (sixteenth session) before anything was measured on it.
inScopeGroup("in scope, eighth hold-out", "spoken-in-scope-holdout-8.jsonl", [{ voice: "en-us+caleb", speedWpm: 160, noise: 0 }, { voice: "en-gb+norbert", speedWpm: 150, noise: 0.01 }]);

interface Label { file: string; transcript?: string; intent?: string }
const labels: Label[] = fs.existsSync(path.join(shared, "audio", "LABELS.json")) ? JSON.parse(fs.readFileSync(path.join(shared, "audio", "LABELS.json"), "utf8")) as Label[] : [];
const recording = (file: string, expect: EvalCase["expect"], text = path.basename(file)): Utterance => utterance(() => utteranceFile({ recording: file }, wakeVoice), { text, expect });
// Recordings of commands hark has: rhasspy-test's time and temperature questions, Speech Commands' "stop".
const harkIntentOf: Record<string, { intent: string; args: Record<string, unknown> }> = { GetTemperature: { intent: "get_weather", args: {} }, GetTime: { intent: "get_time", args: {} } };
const inScopeRecordings = [
    ...labels.filter((l) => l.intent && harkIntentOf[l.intent]).map((l) => recording(path.join(shared, "audio", l.file), harkIntentOf[l.intent!]!, l.transcript)),
    ...listWavs(path.join(shared, "audio", "speech_commands_v0.02_test", "stop")).map((f) => recording(f, { intent: "stop", args: {} }, "stop"))
];
if (inScopeRecordings.length) groups.push({ name: "in scope: recordings of hark's commands (rhasspy-test, Speech Commands \"stop\")", utterances: inScopeRecordings });

outOfScopeGroup("out of scope", "spoken-out-of-scope.jsonl", outOfScopeRenditions, "voices");
// Written after the threshold was chosen and the templates tuned on the set above, and measured once: other requests, other voices.
const holdoutRenditions: Rendition[] = [
    { voice: "en-gb-scotland", speedWpm: 160, noise: 0 }, { voice: "en-us+f4", speedWpm: 150, noise: 0.03 },
    { voice: "en-gb-x-rp", speedWpm: 170, noise: 0 }, { voice: "en-029", speedWpm: 150, noise: 0.03 }
];
outOfScopeGroup("out of scope, hold-out", "spoken-out-of-scope-holdout.jsonl", holdoutRenditions);
// Written after the speech grammar lost its decades and rankings, before measuring that: other requests, other voices again.
const holdout2Renditions: Rendition[] = [
    { voice: "en-gb-x-gbclan", speedWpm: 155, noise: 0 }, { voice: "en-us-nyc", speedWpm: 165, noise: 0.03 },
    { voice: "en-gb-x-gbcwmd", speedWpm: 150, noise: 0 }, { voice: "en-us+f2", speedWpm: 175, noise: 0.03 }
];
outOfScopeGroup("out of scope, second hold-out", "spoken-out-of-scope-holdout-2.jsonl", holdout2Renditions);
// Written after the second hold-out was measured, before a narrower weather and music grammar was tried (it was not kept): other requests, other voices.
const holdout3Renditions: Rendition[] = [
    { voice: "en-us+m1", speedWpm: 145, noise: 0 }, { voice: "en-gb+f1", speedWpm: 170, noise: 0.03 },
    { voice: "en-029+m2", speedWpm: 160, noise: 0 }, { voice: "en-gb-x-rp+f5", speedWpm: 180, noise: 0.03 }
];
outOfScopeGroup("out of scope, third hold-out", "spoken-out-of-scope-holdout-3.jsonl", holdout3Renditions);
// Written on 2026-12-02 after the endpointer's kept silence (200 ms) was chosen, before anything was measured on it.
const holdout4Renditions: Rendition[] = [
    { voice: "en-us+m5", speedWpm: 155, noise: 0 }, { voice: "en-gb+m2", speedWpm: 165, noise: 0.03 },
    { voice: "en-gb-scotland+f2", speedWpm: 150, noise: 0 }, { voice: "en-us-nyc+m6", speedWpm: 175, noise: 0.03 }
];
outOfScopeGroup("out of scope, fourth hold-out", "spoken-out-of-scope-holdout-4.jsonl", holdout4Renditions);
// Written on 2026-12-02 before a confidence learned from several of the decodings' scores was tried: other requests, other voices.
const holdout5Renditions: Rendition[] = [
    { voice: "en-us+m7", speedWpm: 150, noise: 0 }, { voice: "en-gb-x-rp+m4", speedWpm: 170, noise: 0.03 },
    { voice: "en-gb-x-gbclan+f4", speedWpm: 160, noise: 0 }, { voice: "en-us-nyc+f1", speedWpm: 180, noise: 0.03 }
];
outOfScopeGroup("out of scope, fifth hold-out", "spoken-out-of-scope-holdout-5.jsonl", holdout5Renditions);
// Written on 2026-12-03 before the weather grammar was narrowed (hours past 12, a day before "weather"): other requests, other voices.
const holdout6Renditions: Rendition[] = [
    { voice: "en-us+m2", speedWpm: 150, noise: 0 }, { voice: "en-gb-x-gbcwmd+f3", speedWpm: 170, noise: 0.03 },
    { voice: "en-029+f1", speedWpm: 160, noise: 0 }, { voice: "en-gb+m6", speedWpm: 175, noise: 0.03 }
];
outOfScopeGroup("out of scope, sixth hold-out", "spoken-out-of-scope-holdout-6.jsonl", holdout6Renditions);
// Written on 2026-12-03 (second session) before transcripts of middling confidence were asked about: other requests, other voices.
const holdout7Renditions: Rendition[] = [
    { voice: "en-us+m4", speedWpm: 155, noise: 0 }, { voice: "en-gb-x-rp+f2", speedWpm: 165, noise: 0.03 },
    { voice: "en-gb-x-gbclan+m1", speedWpm: 150, noise: 0 }, { voice: "en-us+f5", speedWpm: 175, noise: 0.03 }
];
outOfScopeGroup("out of scope, seventh hold-out", "spoken-out-of-scope-holdout-7.jsonl", holdout7Renditions);
// Written on 2026-12-03 (second session) before prepositions in the spoken weather grammar had to fit the day or hour.
const holdout8Renditions: Rendition[] = [
    { voice: "en-gb-x-rp+m6", speedWpm: 160, noise: 0 }, { voice: "en-us+f1", speedWpm: 150, noise: 0.03 },
    { voice: "en-gb-scotland+m1", speedWpm: 170, noise: 0 }, { voice: "en-us-nyc+m3", speedWpm: 165, noise: 0.03 }
];
outOfScopeGroup("out of scope, eighth hold-out", "spoken-out-of-scope-holdout-8.jsonl", holdout8Renditions);
// Written on 2026-12-03 (third session), with the third in-scope hold-out, before the grammar listened for polite words.
const holdout9Renditions: Rendition[] = [
    { voice: "en-gb-x-gbcwmd+m2", speedWpm: 160, noise: 0 }, { voice: "en-us-nyc+f4", speedWpm: 155, noise: 0.03 },
    { voice: "en-029+m5", speedWpm: 165, noise: 0 }, { voice: "en-gb-scotland+f3", speedWpm: 170, noise: 0.03 }
];
outOfScopeGroup("out of scope, ninth hold-out", "spoken-out-of-scope-holdout-9.jsonl", holdout9Renditions);
// Written on 2026-12-03 (fifth session), with the fourth in-scope hold-out, before the confidence was fitted again on scores of every senone.
const holdout10Renditions: Rendition[] = [
    { voice: "en-029+f3", speedWpm: 155, noise: 0 }, { voice: "en-gb-x-gbcwmd+m5", speedWpm: 165, noise: 0.03 },
    { voice: "en-us-nyc+m2", speedWpm: 160, noise: 0 }, { voice: "en-gb-x-rp+m1", speedWpm: 170, noise: 0.03 }
];
outOfScopeGroup("out of scope, tenth hold-out", "spoken-out-of-scope-holdout-10.jsonl", holdout10Renditions);
// Written on 2026-12-04 (thirteenth session), with the fifth in-scope hold-out, before the decoys were pruned.
const holdout11Renditions: Rendition[] = [
    { voice: "en-us+Paul", speedWpm: 150, noise: 0 }, { voice: "en-gb-x-rp+Alicia", speedWpm: 165, noise: 0.03 },
    { voice: "en-us-nyc+Michael", speedWpm: 160, noise: 0 }, { voice: "en-gb-scotland+Steph", speedWpm: 170, noise: 0.03 }
];
outOfScopeGroup("out of scope, eleventh hold-out", "spoken-out-of-scope-holdout-11.jsonl", holdout11Renditions);
// Written on 2026-12-04 (thirteenth session), with the sixth in-scope hold-out, after the decoys were pruned.
const holdout12Renditions: Rendition[] = [
    { voice: "en-us+Mike", speedWpm: 150, noise: 0 }, { voice: "en-gb+Belinda", speedWpm: 165, noise: 0.03 },
    { voice: "en-gb-x-rp+Robert", speedWpm: 160, noise: 0 }, { voice: "en-us-nyc+Gene", speedWpm: 170, noise: 0.03 }
];
outOfScopeGroup("out of scope, twelfth hold-out", "spoken-out-of-scope-holdout-12.jsonl", holdout12Renditions);
// Written on 2026-12-04 (fourteenth session), with the seventh in-scope hold-out, before anything was measured on it.
const holdout13Renditions: Rendition[] = [
    { voice: "en-us+david", speedWpm: 155, noise: 0 }, { voice: "en-gb+anika", speedWpm: 165, noise: 0.03 },
    { voice: "en-gb-x-rp+quincy", speedWpm: 150, noise: 0 }, { voice: "en-us-nyc+travis", speedWpm: 170, noise: 0.03 }
];
outOfScopeGroup("out of scope, thirteenth hold-out", "spoken-out-of-scope-holdout-13.jsonl", holdout13Renditions);
// Written on 2026-12-04 (sixteenth session), with the eighth in-scope hold-out, before anything was measured on it.
const holdout14Renditions: Rendition[] = [
    { voice: "en-us+benjamin", speedWpm: 160, noise: 0 }, { voice: "en-gb+shelby", speedWpm: 155, noise: 0.03 },
    { voice: "en-gb-x-rp+victor", speedWpm: 165, noise: 0 }, { voice: "en-us-nyc+zac", speedWpm: 150, noise: 0.03 }
];
outOfScopeGroup("out of scope, fourteenth hold-out", "spoken-out-of-scope-holdout-14.jsonl", holdout14Renditions);
const otherRecordings = [
    ...labels.filter((l) => l.intent && !harkIntentOf[l.intent] && l.file.startsWith("rhasspy-test/")).map((l) => recording(path.join(shared, "audio", l.file), null, l.transcript)),
    ...["jfk/jfk.wav", "picovoice-leopard/test.wav", "picovoice-leopard/diarization_test.wav", "wyoming-faster-whisper/turn_on_the_living_room_lamp.wav"].map((f) => path.join(shared, "audio", f)).filter((f) => fs.existsSync(f)).map((f) => recording(f, null)),
    ...fs.readdirSync(path.join(shared, "audio", "speech_commands_v0.02_test"), { withFileTypes: true }).filter((d) => d.isDirectory() && d.name !== "stop").flatMap((d) => listWavs(path.join(d.parentPath, d.name)).map((f) => recording(f, null, d.name))),
    ...listWavs(path.join(shared, "audio", "wake", "other")).map((f) => recording(f, null, path.basename(f).split("_")[0]))
];
if (otherRecordings.length) groups.push({ name: "out of scope: recordings that are not hark's commands (rhasspy-test lights and doors, speeches, single words)", utterances: otherRecordings });

function listWavs(folder: string): string[] {
    return fs.existsSync(folder) ? fs.readdirSync(folder).filter((f) => f.endsWith(".wav")).sort().map((f) => path.join(folder, f)) : [];
}

const config = validateConfig({
    paths: { dataDir: dir }, trace: { enabled: false }, conversation: { feedbackSounds: false, followUpMs: 0 },
    music: { dir: path.join(dir, "music") },
    // HARK_BENCH_STT_CONFIDENCE=0: without the second decoding (what it adds to precision, time and memory).
    // HARK_BENCH_STT='{"minConfidence":0}': other transcriber settings (that one: act on every transcript, for HARK_BENCH_ROWS).
    stt: { ...settingsFromEnv("HARK_BENCH_STT"), engine: "grammar", confidence: process.env.HARK_BENCH_STT_CONFIDENCE !== "0", slotValues: { location: ["boston", "paris", "london", "new york", "denver", "tokyo", "chicago", "seattle", "miami", "rome", "austin", "san francisco", "dublin", "oslo", "lisbon", "montreal"] } },
    // HARK_BENCH_VAD='{"keepSilenceMs":700}': the endpointer's settings (that one: decode only after the end, as before).
    vad: settingsFromEnv("HARK_BENCH_VAD")
});
fs.mkdirSync(config.music.dir);
const assistant = await Assistant.create({ config, log: silentLogger(), ephemeralState: true });
const engines = await createVoiceEngines(config, assistant, silentLogger());

const pct = (n: number, of: number) => `${n}/${of} (${((n / Math.max(1, of)) * 100).toFixed(1)}%)`;
const counts = (c: Record<string, number>) => Object.entries(c).sort(([, a], [, b]) => b - a).map(([k, n]) => `${k} ${n}`).join(", ") || "-";
const latencyMs: number[] = [];
console.log(`\nspeech benchmark (grammar engine${config.stt.confidence ? ", with transcript confidence" : ", without transcript confidence"}; front end: ${engines.frontEnd?.name ?? "none"}), each utterance after a synthesized "hey jarvis"`);
// The front end moves the audio the recognizer gets (the echo canceller by one 10 ms frame even while nothing plays),
// so two runs compare only with the same one: a checkout without build/speex_echo.node runs without the canceller.
/** One utterance through a fresh voice loop: the turn the wake word started (if any); the timers it set are cancelled. */
async function hear(file: string, realtime = false) {
    const pipeline = createVoicePipeline(config, assistant, assistant.output, engines, silentLogger(), { speak: false, muteWhilePlaying: false });
    const records = await pipeline.run(new FileSource(file, { realtime }), new AbortController().signal);
    await assistant.services.timers.cancel((await assistant.services.timers.list()).map((t) => t.id));
    // Each utterance is a request of its own: a question it left is not answered by the next one.
    assistant.dropPending();
    return records.find((r) => r.stages.some((s) => s.name === "wake"));
}

for (const group of groups.filter((g) => only == null || only.test(g.name))) {
    const predictions: Prediction[] = [];
    const wrong: string[] = [];
    for (const u of group.utterances) {
        const record = await hear(u.file);
        const prediction = predictionFromTrace(record);
        if (prediction.stoppedBy !== "wake" && u.case.expect) latencyMs.push(prediction.latencyMs);
        predictions.push(prediction);
        const heard = record?.stages.find((s) => s.name === "transcribe")?.output as { text?: string; confidence?: number; detail?: unknown } | undefined;
        if (rowsFile) fs.appendFileSync(rowsFile, `${JSON.stringify({ group: group.name, file: path.basename(u.file), text: u.case.text, expect: u.case.expect, heard: heard ?? null, prediction })}\n`);
        if (listErrors && prediction.intent !== (u.case.expect?.intent ?? null)) {
            wrong.push(`      "${u.case.text}" (${path.basename(u.file)}): heard "${heard?.text ?? ""}" at ${heard?.confidence?.toFixed(3) ?? "-"} → ${prediction.intent ?? `no action (${prediction.stoppedBy})`} ${prediction.intent ? JSON.stringify(prediction.args) : ""}`);
        }
    }
    const cases = group.utterances.map((u) => u.case);
    const r = computeReport(cases, predictions);
    const woke = predictions.filter((p) => p.stoppedBy !== "wake").length;
    console.log(`  ${group.name}`);
    console.log(`    wake word detected   ${pct(woke, cases.length)}`);
    if (r.nullCases < cases.length) {
        const inScope = cases.length - r.nullCases;
        const isExact = cases.map((c, i) => c.expect != null && predictions[i]!.intent === c.expect.intent && sameArgs(predictions[i]!.args, c.expect.args));
        const exact = isExact.filter(Boolean).length;
        const exactAsked = isExact.filter((yes, i) => yes && predictions[i]!.asked).length;
        console.log(`    exact tool calls     ${pct(exact, inScope)}  (of them asked first, run on "yes": ${exactAsked})`);
        const missed = Object.values(r.missedBySource).reduce((a, b) => a + b, 0);
        console.log(`    no action            ${pct(missed, inScope)}  by stage: ${counts(r.missedBySource)}`);
        const asked = cases.filter((c, i) => c.expect && predictions[i]!.asked).length;
        const wrongActions = cases.filter((c, i) => c.expect && predictions[i]!.intent != null && predictions[i]!.intent !== c.expect.intent && !predictions[i]!.asked).length;
        console.log(`    another intent run   ${pct(wrongActions, inScope)}  (asked first instead: ${asked}, right intent or not)`);
    }
    if (r.nullCases) {
        const byIntent: Record<string, number> = {};
        cases.forEach((c, i) => c.expect == null && predictions[i]!.intent != null && !predictions[i]!.asked && (byIntent[predictions[i]!.intent!] = (byIntent[predictions[i]!.intent!] ?? 0) + 1));
        console.log(`    false actions        ${pct(Math.round(r.falseActionRate * r.nullCases), r.nullCases)}  by source: ${counts(r.falseActionsBySource)}; by intent: ${counts(byIntent)}`);
        console.log(`    asked instead        ${pct(r.questionsOnNoAction, r.nullCases)}  (a question, run only on "yes")`);
    }
    for (const line of wrong) console.log(line);
}
console.log(`  end of speech → handler start, in-scope utterances: p50 ${percentile(latencyMs, 0.5).toFixed(0)} ms, p95 ${percentile(latencyMs, 0.95).toFixed(0)} ms (transcription + recognition, audio read as fast as it decodes)`);

// The same at the pace people speak: the utterance is decoded from the speaker's pause (vad.keepSilenceMs of silence)
// while the endpointer waits for the rest of vad.endSilenceMs, so only what is left of the decode is waited for.
const pacedCount = Number(process.env.HARK_BENCH_PACED ?? 24);
const pacedLatency: number[] = [];
let decodedEarly = 0;
for (const u of groups[0]!.utterances.slice(0, pacedCount)) {
    const record = await hear(u.file, true);
    const prediction = predictionFromTrace(record);
    if (prediction.stoppedBy !== "wake") pacedLatency.push(prediction.latencyMs);
    if ((record?.stages.find((s) => s.name === "transcribe")?.output as { decodedDuringPause?: boolean } | undefined)?.decodedDuringPause) decodedEarly++;
}
if (pacedLatency.length) {
    console.log(`  end of speech → handler start, ${pacedLatency.length} in-scope utterances in real time: p50 ${percentile(pacedLatency, 0.5).toFixed(0)} ms, p95 ${percentile(pacedLatency, 0.95).toFixed(0)} ms after the endpoint (${config.vad.endSilenceMs} ms of silence); decoded during the pause: ${decodedEarly}`);
}
await engines.dispose();
await assistant.dispose();

// False triggers and cost: the hey_jarvis model over the benchmark's negative clips.
const negatives = path.join(shared, "audio", "wake", "other");
if (fs.existsSync(negatives)) {
    const detector = await OpenWakeWordDetector.create({ keyword: "hey_jarvis" });
    let triggers = 0;
    let jarvisTriggers = 0;
    let clips = 0;
    let jarvisClips = 0;
    let audioSeconds = 0;
    let cpuMicros = 0;
    for (const f of fs.readdirSync(negatives).filter((f) => f.endsWith(".wav"))) {
        const samples = await readAudioFile(path.join(negatives, f));
        detector.reset();
        const before = process.cpuUsage();
        const fired = (await detector.process(samples, 0)).length > 0;
        const used = process.cpuUsage(before);
        cpuMicros += used.user + used.system;
        audioSeconds += samples.length / 16000;
        // The set includes people saying just "jarvis": counted apart, as the model may fairly fire on them.
        if (f.startsWith("jarvis")) {
            jarvisClips++;
            if (fired) jarvisTriggers++;
        } else {
            clips++;
            if (fired) triggers++;
        }
    }
    await detector.dispose();
    console.log(`  false triggers (hey_jarvis)   ${triggers}/${clips} clips of other words; ${jarvisTriggers}/${jarvisClips} clips of a bare "jarvis"`);
    console.log(`  wake word cost                real-time factor ${(cpuMicros / 1e6 / audioSeconds).toFixed(4)} (CPU seconds per audio second, ${audioSeconds.toFixed(0)} s of audio)`);
} else {
    console.log(`  (${negatives} not found: false triggers not measured)`);
}

// The wake word across espeak-ng's English voices: each variant says "hey jarvis" alone at two speeds, scored frame by
// frame; a miss is listed with its best score, so a threshold can be judged against the false triggers above.
{
    const detector = await OpenWakeWordDetector.create({ keyword: "hey_jarvis" });
    const threshold = config.wake.thresholdScore;
    const misses: string[] = [];
    let said = 0;
    for (const base of ["en-us", "en-gb", "en-gb-scotland", "en-gb-x-rp", "en-gb-x-gbclan", "en-gb-x-gbcwmd", "en-us-nyc", "en-029"]) {
        for (const variant of ["", "+m1", "+m2", "+m3", "+m4", "+m5", "+m6", "+m7", "+f1", "+f2", "+f3", "+f4", "+f5"]) {
            for (const speedWpm of [140, 175]) {
                const file = path.join(dir, "wake-voice.wav");
                sh("espeak-ng", ["-v", base + variant, "-s", String(speedWpm), "-w", `${file}.raw.wav`, "hey jarvis"]);
                sh("sox", ["-R", `${file}.raw.wav`, "-r", "16000", "-c", "1", "-b", "16", file, "pad", "0.4", "1.0"]);
                const samples = await readAudioFile(file);
                detector.reset();
                let best = 0;
                for (let i = 0; i + FRAME_SAMPLES <= samples.length; i += FRAME_SAMPLES) best = Math.max(best, await detector.scoreFrame(samples.subarray(i, i + FRAME_SAMPLES)));
                said++;
                if (best < threshold) misses.push(`${base}${variant} ${speedWpm} wpm (${best.toFixed(2)})`);
            }
        }
    }
    await detector.dispose();
    console.log(`  wake word, espeak-ng voices    ${said - misses.length}/${said} heard at ${threshold}; missed: ${misses.join(", ") || "none"}`);
}

// Peak memory of the daemon: `hark run` fed the first in-scope utterances on stdin, from the build as a user runs it
// (the sources through tsx take about 40 MiB more).
execFileSync("npm", ["run", "build", "--silent"], { cwd: packageRoot, stdio: ["ignore", "ignore", "inherit"] });
const stream = path.join(dir, "stream.raw");
execFileSync("sox", [...groups[0]!.utterances.slice(0, 6).map((u) => u.file), "-t", "raw", "-r", "16000", "-c", "1", "-b", "16", "-e", "signed-integer", "-L", stream]);
const run = spawnSync("/usr/bin/time", ["-f", "%M", process.execPath, path.join(packageRoot, "bin", "hark.js"), "run", "--stdin-audio", "--quiet", "--log-level", "warn"], {
    input: fs.readFileSync(stream), encoding: "utf8", env: { ...process.env, HARK__PATHS__DATADIR: dir, HARK__CONVERSATION__FEEDBACKSOUNDS: "false", HARK__STT__CONFIDENCE: String(config.stt.confidence) }
});
const peakKb = Number(run.stderr.trim().split("\n").at(-1));
console.log(`  peak RSS of hark run (stdin audio, ${run.stdout.trim().split("\n").filter(Boolean).length} turns) ${Number.isFinite(peakKb) ? `${(peakKb / 1024).toFixed(0)} MiB` : `unknown (${run.stderr.slice(-200)})`}`);
fs.rmSync(dir, { recursive: true, force: true });
