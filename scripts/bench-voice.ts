// Part of `npm run bench`: the speech path. Commands from the project's eval file are synthesized with espeak-ng in
// several voices and speeds, each after a synthesized "hey jarvis", with quiet noise around them, and run through
// the whole voice pipeline. Synthetic speech: real voices and rooms differ.
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { FileSource, readAudioFile } from "../src/audio/file.ts";
import { validateConfig } from "../src/config/load.ts";
import { readEvalFile } from "../src/eval/dataset.ts";
import { percentile, sameArgs } from "../src/eval/metrics.ts";
import { silentLogger } from "../src/log/logger.ts";
import { packageRoot } from "../src/paths.ts";
import { Assistant } from "../src/pipeline/assistant.ts";
import { createVoiceEngines, createVoicePipeline } from "../src/pipeline/voice-setup.ts";
import { OpenWakeWordDetector } from "../src/wake/openwakeword.ts";

const sentences = Number(process.env.HARK_BENCH_SENTENCES ?? 20);
const voices = ["en-us", "en-us+f3", "en-gb"];
const speedsWpm = [140, 175];
const shared = process.env.HARK_SHARED_DIR ?? path.resolve(packageRoot, "..", "shared");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hark-bench-voice-"));
const sh = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: ["ignore", "ignore", "ignore"] });

/** "hey jarvis" + command in one voice, with quiet noise before, between and after. */
function synthesize(file: string, text: string, voice: string, speed: number): void {
    const part = (name: string, words: string) => {
        sh("espeak-ng", ["-v", voice, "-s", String(speed), "-w", `${file}.${name}.raw.wav`, words]);
        sh("sox", ["-R", `${file}.${name}.raw.wav`, "-r", "16000", "-c", "1", "-b", "16", `${file}.${name}.wav`]);
    };
    part("wake", "hey jarvis");
    part("cmd", text);
    sh("sox", ["-n", "-r", "16000", "-c", "1", "-b", "16", `${file}.gap.wav`, "trim", "0", "0.4"]);
    sh("sox", ["-n", "-r", "16000", "-c", "1", "-b", "16", `${file}.tail.wav`, "trim", "0", "1.5"]);
    sh("sox", [`${file}.gap.wav`, `${file}.wake.wav`, `${file}.gap.wav`, `${file}.cmd.wav`, `${file}.tail.wav`, `${file}.clean.wav`]);
    const seconds = Number(execFileSync("soxi", ["-D", `${file}.clean.wav`], { encoding: "utf8" }));
    sh("sox", ["-R", "-n", "-r", "16000", "-c", "1", "-b", "16", `${file}.noise.wav`, "synth", String(seconds), "pinknoise", "vol", "0.01"]);
    sh("sox", ["-R", "-m", `${file}.clean.wav`, `${file}.noise.wav`, file]);
}


const config = validateConfig({
    paths: { dataDir: dir }, trace: { enabled: false }, conversation: { feedbackSounds: false, followUpMs: 0 },
    stt: { engine: "grammar", slotValues: { location: ["boston", "paris", "london", "new york", "denver", "tokyo", "chicago", "seattle", "miami", "rome", "austin", "san francisco", "dublin", "oslo", "lisbon", "montreal"] } }
});
const assistant = await Assistant.create({ config, log: silentLogger(), ephemeralState: true });
const engines = await createVoiceEngines(config, assistant, silentLogger());
const cases = readEvalFile(path.join(packageRoot, "test", "eval", "hark.jsonl")).filter((c) => c.expect).slice(0, sentences);

let total = 0;
let woke = 0;
let exact = 0;
const latencyMs: number[] = [];
const files: string[] = [];
for (const [i, c] of cases.entries()) {
    for (const voice of voices) {
        for (const speed of speedsWpm) {
            const file = path.join(dir, `c${i}-${voice.replace(/\W/g, "")}-${speed}.wav`);
            synthesize(file, c.text, voice, speed);
            files.push(file);
            total++;
            const pipeline = createVoicePipeline(config, assistant, engines, silentLogger(), { speak: false, muteWhilePlaying: false });
            const records = await pipeline.run(new FileSource(file), new AbortController().signal);
            const turn = records.find((r) => r.stages.some((s) => s.name === "wake"));
            if (!turn) continue;
            woke++;
            const took = turn.stages.filter((s) => s.name === "transcribe" || s.name === "recognize").reduce((ms, s) => ms + s.durationMs, 0);
            latencyMs.push(took);
            if (turn.toolCall?.name === c.expect!.intent && sameArgs(turn.toolCall.arguments, c.expect!.args)) exact++;
        }
    }
}
await engines.dispose();
await assistant.dispose();

console.log(`\nspeech benchmark: ${cases.length} eval commands × ${voices.length} espeak-ng voices × ${speedsWpm.length} speeds = ${total} utterances, after "hey jarvis", in pink noise`);
console.log(`  wake word detected            ${woke}/${total} (${((woke / total) * 100).toFixed(1)}%)`);
console.log(`  exact tool calls              ${exact}/${total} (${((exact / total) * 100).toFixed(1)}%)  [grammar engine]`);
console.log(`  end of speech → handler start p50 ${percentile(latencyMs, 0.5).toFixed(0)} ms, p95 ${percentile(latencyMs, 0.95).toFixed(0)} ms (transcription + recognition)`);

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

// Peak memory of the daemon: `hark run` fed the synthesized audio on stdin.
const stream = path.join(dir, "stream.raw");
execFileSync("sox", [...files.slice(0, 6), "-t", "raw", "-r", "16000", "-c", "1", "-b", "16", "-e", "signed-integer", "-L", stream]);
const run = spawnSync("/usr/bin/time", ["-f", "%M", process.execPath, path.join(packageRoot, "bin", "hark.js"), "run", "--stdin-audio", "--quiet", "--exit-on-eof", "--log-level", "warn"], {
    input: fs.readFileSync(stream), encoding: "utf8", env: { ...process.env, HARK__PATHS__DATADIR: dir, HARK__CONVERSATION__FEEDBACKSOUNDS: "false" }
});
const peakKb = Number(run.stderr.trim().split("\n").at(-1));
console.log(`  peak RSS of hark run (stdin audio, ${run.stdout.trim().split("\n").filter(Boolean).length} turns) ${Number.isFinite(peakKb) ? `${(peakKb / 1024).toFixed(0)} MiB` : `unknown (${run.stderr.slice(-200)})`}`);
fs.rmSync(dir, { recursive: true, force: true });
