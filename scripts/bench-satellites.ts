// Part of `npm run bench`: rooms over Wyoming. A real wyoming-satellite (../shared/vendor/python) streams a microphone
// in real time to hark's hub on loopback. Measured: the hub's CPU for one room that only listens (the satellite
// streams; hark runs its wake word), the CPU of one turn (hub and recognizer processes), and end of speech → handler
// start through the satellite against the same audio through hark's own audio input (a pipe), both in real time.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PcmStreamSource } from "../src/audio/stdin.ts";
import { validateConfig } from "../src/config/load.ts";
import { silentLogger } from "../src/log/logger.ts";
import { packageRoot } from "../src/paths.ts";
import { Assistant } from "../src/pipeline/assistant.ts";
import { SatelliteHub } from "../src/pipeline/satellites.ts";
import { createRoomEngines, createTranscriber, createVoicePipeline } from "../src/pipeline/voice-setup.ts";
import type { TraceRecord } from "../src/trace/trace.ts";
import { acceptsConnections, freePort } from "../test/helpers.ts";

const shared = process.env.HARK_SHARED_DIR ?? path.resolve(packageRoot, "..", "shared");
const runs = Number(process.env.HARK_BENCH_SATELLITE_RUNS ?? 5);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hark-bench-satellites-"));
const pacedMic = path.join(packageRoot, "test", "fixtures", "paced-mic.py");
const sh = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: ["ignore", "ignore", "ignore"] });

/** Raw 16 kHz audio: silence, "hey jarvis", a pause, "what time is it", 1.5 s of silence; and where the speech ends. */
function turnAudio(): { raw: string; speechEndMs: number } {
    const part = (name: string, text: string) => {
        sh("espeak-ng", ["-v", "en-us", "-s", "150", "-w", path.join(dir, `${name}.22k.wav`), text]);
        sh("sox", ["-R", path.join(dir, `${name}.22k.wav`), "-r", "16000", "-c", "1", "-b", "16", path.join(dir, `${name}.wav`)]);
        return Number(execFileSync("soxi", ["-D", path.join(dir, `${name}.wav`)], { encoding: "utf8" })) * 1000;
    };
    const wakeMs = part("wake", "hey jarvis");
    const commandMs = part("command", "what time is it");
    const raw = path.join(dir, "turn.raw");
    sh("sox", ["-R", "-n", "-r", "16000", "-c", "1", "-b", "16", path.join(dir, "gap.wav"), "trim", "0", "0.4"]);
    sh("sox", ["-R", "-n", "-r", "16000", "-c", "1", "-b", "16", path.join(dir, "tail.wav"), "trim", "0", "1.5"]);
    sh("sox", [path.join(dir, "gap.wav"), path.join(dir, "wake.wav"), path.join(dir, "gap.wav"), path.join(dir, "command.wav"), path.join(dir, "tail.wav"), "-t", "raw", "-e", "signed-integer", "-L", raw]);
    return { raw, speechEndMs: 400 + wakeMs + 400 + commandMs };
}

const until = async (check: () => boolean | Promise<boolean>, timeoutMs: number, what: string) => {
    const end = Date.now() + timeoutMs;
    while (!(await check())) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 20));
    }
};

/** CPU seconds used so far by this process and by its pocketsphinx children (the shared recognizer). */
function cpuSeconds(): { hub: number; recognizer: number } {
    const usage = process.cpuUsage();
    let ticks = 0;
    for (const pid of fs.readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
        try {
            const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
            const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
            if (Number(fields[1]) === process.pid && stat.includes("(pocketsphinx")) ticks += Number(fields[11]) + Number(fields[12]);
        } catch {
            // The process ended while we looked.
        }
    }
    return { hub: (usage.user + usage.system) / 1e6, recognizer: ticks / 100 };
}

/** When the handler started, in epoch ms: the turn's start plus its recognition. */
const handlerStartMs = (r: TraceRecord) => Date.parse(r.time) + stageMs(r, "recognize");
const stageMs = (r: TraceRecord, name: string) => r.stages.find((s) => s.name === name)?.durationMs ?? 0;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

const { raw, speechEndMs } = turnAudio();
const config = validateConfig({ paths: { dataDir: dir }, trace: { enabled: false }, music: { dir: path.join(dir, "music") }, conversation: { feedbackSounds: false, followUpMs: 0 } });
fs.mkdirSync(config.music.dir);
const assistant = await Assistant.create({ config, log: silentLogger(), ephemeralState: true, llm: false });
const transcriber = await createTranscriber(config, assistant, silentLogger());
// The recognizer's processes start with the first utterance: started here, so no path pays for it.
await transcriber.transcribe(new Int16Array(16000));
console.log(`\nrooms over Wyoming (a real wyoming-satellite streaming in real time on loopback; ${runs} turns each way)`);

// Through a satellite.
const satelliteLatency: number[] = [];
const satelliteWait: number[] = [];
let listenCpu = 0;
let turnCpu = { hub: 0, recognizer: 0 };
for (let i = 0; i < runs; i++) {
    const port = await freePort();
    const gate = path.join(dir, `gate-${i}`);
    const stamp = path.join(dir, `stamp-${i}`);
    const satellite: ChildProcess = spawn("python3", ["-m", "wyoming_satellite", "--name", "bench", "--uri", `tcp://127.0.0.1:${port}`, "--no-zeroconf",
        "--mic-command", `python3 ${pacedMic} ${gate} ${raw} ${stamp}`, "--snd-command", "sh -c 'cat > /dev/null'"], { env: { ...process.env, PYTHONPATH: path.join(shared, "vendor", "python") }, stdio: "ignore", detached: true });
    try {
        await until(() => acceptsConnections(port), 30_000, "the satellite");
        const hub = SatelliteHub.start([{ name: "bench", uri: `tcp://127.0.0.1:${port}` }], { config, turns: assistant, timers: assistant.services.timers, transcriber, log: silentLogger() });
        const turns: TraceRecord[] = [];
        hub.onTurn((r) => turns.push(r));
        await until(() => hub.status().bench === "streaming", 30_000, "the hub to start the satellite");
        fs.writeFileSync(gate, "");
        await until(() => fs.existsSync(stamp) && fs.readFileSync(stamp, "utf8").length > 0, 10_000, "the microphone to start");
        const started = Number(fs.readFileSync(stamp, "utf8")) * 1000;
        const before = cpuSeconds();
        await until(() => turns.length > 0, 60_000, "the turn");
        const after = cpuSeconds();
        turnCpu = { hub: turnCpu.hub + after.hub - before.hub, recognizer: turnCpu.recognizer + after.recognizer - before.recognizer };
        satelliteLatency.push(handlerStartMs(turns[0]!) - (started + speechEndMs));
        satelliteWait.push(satelliteLatency.at(-1)! - stageMs(turns[0]!, "transcribe") - stageMs(turns[0]!, "recognize"));
        if (i === 0) {
            // Then the room just listens (the microphone streams silence after the turn): the hub's cost per second.
            await new Promise((r) => setTimeout(r, 2000));
            const from = cpuSeconds();
            const t0 = performance.now();
            await new Promise((r) => setTimeout(r, 15_000));
            listenCpu = (cpuSeconds().hub - from.hub) / ((performance.now() - t0) / 1000);
        }
        await hub.dispose();
    } finally {
        // With its microphone command (its process group).
        if (satellite.pid) process.kill(-satellite.pid, "SIGKILL");
    }
}

// The same audio through hark's own input: a pipe at the microphone's pace.
const localLatency: number[] = [];
const localWait: number[] = [];
for (let i = 0; i < runs; i++) {
    const gate = path.join(dir, `local-gate-${i}`);
    const stamp = path.join(dir, `local-stamp-${i}`);
    fs.writeFileSync(gate, "");
    const mic = spawn("python3", [pacedMic, gate, raw, stamp], { stdio: ["ignore", "pipe", "ignore"] });
    const room = await createRoomEngines(config);
    const pipeline = createVoicePipeline(config, assistant, assistant.output, { ...room, transcriber }, silentLogger(), { speak: false });
    const controller = new AbortController();
    const turns: TraceRecord[] = [];
    pipeline.onTurn((r) => {
        turns.push(r);
        controller.abort();
    });
    await pipeline.run(new PcmStreamSource(mic.stdout!), controller.signal);
    mic.kill();
    await room.dispose();
    const started = Number(fs.readFileSync(stamp, "utf8")) * 1000;
    if (turns[0]) {
        localLatency.push(handlerStartMs(turns[0]) - (started + speechEndMs));
        localWait.push(localLatency.at(-1)! - stageMs(turns[0], "transcribe") - stageMs(turns[0], "recognize"));
    }
}

const cores = os.cpus().length;
console.log(`  one room listening (hub: wake word, VAD, audio conversion)   ${(listenCpu * 100).toFixed(1)} % of one core`);
console.log(`  one turn, from the start of its audio to the handler: hub ${(turnCpu.hub / runs).toFixed(2)} s + recognizer ${(turnCpu.recognizer / runs).toFixed(2)} s of CPU`);
console.log(`  end of speech → handler start: satellite p50 ${median(satelliteLatency).toFixed(0)} ms, hark's own input p50 ${median(localLatency).toFixed(0)} ms (difference ${(median(satelliteLatency) - median(localLatency)).toFixed(0)} ms)`);
// The satellite program runs on this machine's cores here (on its own Pi in a home), which slows the recognizer;
// what the Wyoming path itself adds is the part before transcription: the audio's trip and the end-of-speech wait.
console.log(`    of which before transcription (audio delivery and the end-of-speech silence): satellite p50 ${median(satelliteWait).toFixed(0)} ms, own input ${median(localWait).toFixed(0)} ms (difference ${(median(satelliteWait) - median(localWait)).toFixed(0)} ms)`);
console.log(`  rooms listening at once on this ${cores}-core machine, by CPU: about ${Math.floor((cores * 0.7) / Math.max(listenCpu, 1e-3))} (70 % of all cores)`);
await transcriber.dispose();
await assistant.dispose();
fs.rmSync(dir, { recursive: true, force: true });
