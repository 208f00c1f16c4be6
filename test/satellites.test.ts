import assert from "node:assert/strict";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { Assistant } from "../src/pipeline/assistant.ts";
import { SatelliteHub } from "../src/pipeline/satellites.ts";
import { createTranscriber } from "../src/pipeline/voice-setup.ts";
import { startWyoming } from "../src/pipeline/compose.ts";
import type { Transcriber } from "../src/stt/transcriber.ts";
import type { TraceRecord } from "../src/trace/trace.ts";
import { acceptsConnections, freePort, makeSpeech, packageRoot, sharedDir, silentLogger, tempDir, testConfig, waitFor } from "./helpers.ts";

const pythonPath = path.join(sharedDir, "vendor", "python");
const dir = tempDir();

/** Raw 16 kHz mono audio of "hey jarvis", a pause, `command` and a second of silence: what a satellite's microphone hears. */
function spokenTurn(name: string, command: string): string {
    const wake = makeSpeech(path.join(dir, `${name}-wake.wav`), "hey jarvis", 400);
    const said = makeSpeech(path.join(dir, `${name}-cmd.wav`), command, 1500);
    const raw = path.join(dir, `${name}.raw`);
    execFileSync("sox", [wake, said, "-t", "raw", "-r", "16000", "-c", "1", "-b", "16", "-e", "signed-integer", "-L", raw]);
    return raw;
}

/** A real wyoming-satellite whose microphone plays `raw` once `gate` exists, and whose speaker appends to `speaker`. */
class Satellite {
    public readonly gate: string;
    public readonly speaker: string;
    /** What the satellite's timer commands were given. */
    public readonly timerLog: string;
    private child: ChildProcess | null = null;

    /** `extra`: more wyoming-satellite options; `paced`: the microphone speaks in real time (a local wake word needs it). */
    public constructor(public readonly name: string, public readonly port: number, private readonly raw: string, private readonly options: { extra?: string[]; paced?: boolean } = {}) {
        this.gate = path.join(dir, `${name}.go`);
        this.speaker = path.join(dir, `${name}-speaker.raw`);
        this.timerLog = path.join(dir, `${name}-timers.log`);
    }

    public async start(): Promise<void> {
        fs.rmSync(this.gate, { force: true });
        const mic = this.options.paced
            ? `python3 ${path.join(packageRoot, "test", "fixtures", "paced-mic.py")} ${this.gate} ${this.raw} ${path.join(dir, `${this.name}.stamp`)}`
            : `sh -c 'while [ ! -e ${this.gate} ]; do sleep 0.05; done; cat ${this.raw}; exec sleep 600'`;
        this.child = spawn("python3", ["-m", "wyoming_satellite", "--name", this.name, "--uri", `tcp://127.0.0.1:${this.port}`, "--no-zeroconf",
            "--mic-command", mic, "--snd-command", `sh -c 'cat >> ${this.speaker}'`,
            "--timer-started-command", `sh -c '(printf "started "; cat; echo) >> ${this.timerLog}'`,
            "--timer-finished-command", `sh -c '(printf "finished "; cat; echo) >> ${this.timerLog}'`, ...(this.options.extra ?? [])], { env: { ...process.env, PYTHONPATH: pythonPath }, stdio: "ignore", detached: true });
        await waitFor(() => acceptsConnections(this.port), 30_000, `satellite ${this.name} to listen`);
    }

    /** Lets the microphone speak. */
    public speak(): void {
        fs.writeFileSync(this.gate, "");
    }

    /** Kills the satellite and its microphone and speaker commands (its process group), as a power cut would. */
    public kill(): void {
        if (this.child?.pid) process.kill(-this.child.pid, "SIGKILL");
        this.child = null;
    }
}

describe("satellites: real wyoming-satellite programs as rooms of hark's hub", () => {
    const config = testConfig();
    let assistant: Assistant;
    let transcriber: Transcriber;
    const satellites: Satellite[] = [];
    const hubs: SatelliteHub[] = [];

    before(async () => {
        assistant = await Assistant.create({ config, log: silentLogger(), ephemeralState: true });
        transcriber = await createTranscriber(config, assistant, silentLogger());
    });

    after(async () => {
        for (const hub of hubs) await hub.dispose();
        for (const s of satellites) s.kill();
        await transcriber.dispose();
        await assistant.dispose();
    });

    const startHub = (rooms: Satellite[]): { hub: SatelliteHub; turns: TraceRecord[] } => {
        const hub = SatelliteHub.start(rooms.map((s) => ({ name: s.name, uri: `tcp://127.0.0.1:${s.port}` })), {
            config, turns: assistant, timers: assistant.services.timers, transcriber, log: silentLogger(), retryInitialMs: 200, retryMaxMs: 400
        });
        hubs.push(hub);
        const turns: TraceRecord[] = [];
        hub.onTurn((r) => turns.push(r));
        return { hub, turns };
    };

    /** A WAV file as the satellite's speaker receives it (its default format: 22050 Hz mono 16-bit). */
    const asHeard = (wav: string): Buffer => execFileSync("sox", ["-R", wav, "-t", "raw", "-r", "22050", "-c", "1", "-b", "16", "-e", "signed-integer", "-L", "-"]);
    /** The reply as hark speaks it, as the satellite's speaker receives it. */
    const spokenReply = async (text: string): Promise<Buffer> => {
        const wav = path.join(tempDir(), "reply.wav");
        await assistant.say(text, { speak: false, replyWav: wav });
        return asHeard(wav);
    };
    /** hark's own feedback sounds, which play in the room too. */
    const sound = (name: "wake" | "done") => asHeard(path.join(packageRoot, "src", "audio", "sounds", `${name}.wav`));

    it("a turn spoken into a satellite runs in its room and the reply plays on its speaker", async () => {
        const kitchen = new Satellite("kitchen", await freePort(), spokenTurn("kitchen", "what time is it"));
        satellites.push(kitchen);
        await kitchen.start();
        const { hub, turns } = startHub([kitchen]);
        await waitFor(() => hub.status().kitchen === "streaming", 30_000, "the hub to start the satellite");
        kitchen.speak();
        await waitFor(() => turns.length > 0, 60_000, "the kitchen's turn");
        const [turn] = turns;
        assert.equal(turn!.room, "kitchen");
        assert.equal(turn!.input.text, "what time is it");
        assert.equal(turn!.toolCall?.name, "get_time");
        assert.match(turn!.reply, /^It's \d{1,2}:\d\d [AP]M\.$/);
        // The speaker received hark's wake sound, its done sound and its spoken reply, sample for sample.
        const expected = Buffer.concat([sound("wake"), sound("done"), await spokenReply(turn!.reply)]);
        await waitFor(() => fs.existsSync(kitchen.speaker) && fs.statSync(kitchen.speaker).size >= expected.length, 30_000, "the reply on the kitchen's speaker");
        assert.ok(expected.length > 22050, "at least half a second of speech");
        assert.deepEqual(fs.readFileSync(kitchen.speaker), expected);
    });

    it("a satellite with its own wake word (here: hark's Wyoming wake service) starts the turn itself", async () => {
        const wake = await startWyoming("tcp://127.0.0.1:0", assistant, transcriber, silentLogger());
        try {
            const hall = new Satellite("hall", await freePort(), spokenTurn("hall", "what time is it"), { paced: true, extra: ["--wake-uri", wake.uri, "--wake-word-name", "hey_jarvis"] });
            satellites.push(hall);
            await hall.start();
            const { hub, turns } = startHub([hall]);
            await waitFor(() => hub.status().hall === "streaming", 30_000, "the hub to start the satellite");
            hall.speak();
            await waitFor(() => turns.length > 0, 60_000, "the hall's turn");
            assert.equal(turns[0]!.toolCall?.name, "get_time");
            assert.deepEqual(turns[0]!.stages[0], { name: "wake", durationMs: 0, output: { heardBy: "satellite", interrupted: false } });
        } finally {
            await wake.dispose();
        }
    });

    it("a timer set in a room rings in that room, on its satellite's speaker", async () => {
        const kitchen = new Satellite("pantry", await freePort(), spokenTurn("pantry", "set a timer for five seconds"));
        satellites.push(kitchen);
        await kitchen.start();
        const { hub, turns } = startHub([kitchen]);
        const announced: TraceRecord[] = [];
        assistant.startTimers({ outputIn: (room) => hub.outputIn(room), onAnnounced: (r) => announced.push(r) });
        await waitFor(() => hub.status().pantry === "streaming", 30_000, "the hub to start the satellite");
        kitchen.speak();
        await waitFor(() => turns.length > 0, 60_000, "the pantry's turn");
        assert.equal(turns[0]!.toolCall?.name, "set_timer");
        assert.deepEqual(turns[0]!.toolCall?.arguments, { seconds: 5 });
        await waitFor(() => announced.length > 0, 30_000, "the timer to ring");
        assert.equal(announced[0]!.room, "pantry");
        assert.equal(announced[0]!.reply, "Your timer for 5 seconds is done.");
        // The pantry's speaker heard the sounds and the reply, then the announcement; the satellite was told of the timer.
        const expected = Buffer.concat([sound("wake"), sound("done"), await spokenReply(turns[0]!.reply), await spokenReply(announced[0]!.reply)]);
        await waitFor(() => fs.statSync(kitchen.speaker).size >= expected.length, 30_000, "the announcement on the pantry's speaker");
        assert.deepEqual(fs.readFileSync(kitchen.speaker), expected);
        const timer = turns[0]!.result?.data as { timer: { id: string } };
        await waitFor(() => fs.existsSync(kitchen.timerLog) && fs.readFileSync(kitchen.timerLog, "utf8").includes("finished"), 10_000, "the satellite's timer commands");
        const told = fs.readFileSync(kitchen.timerLog, "utf8");
        assert.match(told, new RegExp(`started \\{"type": "timer-started", "data": \\{"id": "${timer.timer.id}", "total_seconds": 5`));
        assert.match(told, new RegExp(`finished ${timer.timer.id}`));
    });

    it("hark run with audio.device none serves its satellites only, prints each room's turns, and stops cleanly", async () => {
        const attic = new Satellite("attic", await freePort(), spokenTurn("attic", "what time is it"));
        satellites.push(attic);
        await attic.start();
        const cfg = path.join(tempDir(), "config.yaml");
        fs.writeFileSync(cfg, `satellites:\n  - { name: attic, uri: "tcp://127.0.0.1:${attic.port}" }\npaths: { dataDir: ${tempDir()} }\nmusic: { dir: ${tempDir()} }\nllm: { enabled: false }\naudio: { device: none }\n`);
        const child = spawn(process.execPath, [path.join(packageRoot, "bin", "hark.js"), "--config", cfg, "run"], { stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout!.setEncoding("utf8").on("data", (d: string) => (stdout += d));
        child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
        const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
        try {
            await waitFor(() => stderr.includes("satellite attic connected"), 60_000, `hark run to connect (${stderr.slice(-500)})`);
            attic.speak();
            await waitFor(() => /\[attic\] "what time is it" → It's \d/.test(stdout), 60_000, `the attic's turn (${stdout})`);
        } finally {
            child.kill("SIGTERM");
        }
        assert.equal(await exited, 0, stderr.slice(-1000));
    });

    it("two rooms at once; a satellite killed in the middle of a turn and restarted is connected again, and the other room is unaffected", async () => {
        const study = new Satellite("study", await freePort(), spokenTurn("study", "what time is it"));
        const nursery = new Satellite("nursery", await freePort(), spokenTurn("nursery", "what day is it"), { paced: true });
        satellites.push(study, nursery);
        await study.start();
        await nursery.start();
        const { hub, turns } = startHub([study, nursery]);
        await waitFor(() => hub.status().study === "streaming" && hub.status().nursery === "streaming", 30_000, "both satellites streaming");
        // The nursery's wake word is heard (its speaker gets the wake sound), and the satellite dies while its
        // command is being said.
        nursery.speak();
        await waitFor(() => fs.existsSync(nursery.speaker) && fs.statSync(nursery.speaker).size >= sound("wake").length, 30_000, "the nursery's wake word");
        nursery.kill();
        await waitFor(() => hub.status().nursery !== "streaming", 10_000, "the hub to notice the nursery is gone");
        study.speak();
        await nursery.start();
        await waitFor(() => hub.status().nursery === "streaming", 30_000, "the hub to connect to the nursery again");
        nursery.speak();
        await waitFor(() => turns.length >= 2, 90_000, "a turn in each room");
        const byRoom = Object.fromEntries(turns.map((t) => [t.room, t]));
        assert.equal(byRoom.study?.toolCall?.name, "get_time");
        assert.equal(byRoom.nursery?.toolCall?.name, "get_date");
        assert.equal(turns.length, 2, "one turn each: the half-heard one is dropped, none repeated");
    });
});
