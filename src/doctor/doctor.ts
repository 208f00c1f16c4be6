import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadConfig } from "../config/load.ts";
import type { HarkConfig } from "../config/schema.ts";
import { errorMessage } from "../errors.ts";
import { loadSpeexEcho, SPEEX_ECHO_BINDING } from "../frontend/echo.ts";
import { howToGetModel, type ResolvedProfile } from "../llm/profile.ts";
import { isIntentFile, loadIntentDirs } from "../intents/load.ts";
import { silentLogger } from "../log/logger.ts";
import { isBuiltinIntentsDir } from "../paths.ts";
import { selectedProfile, modelStore } from "../pipeline/llm-setup.ts";
import { chooseTranscriber, createGrammarTranscriber, createWakeWordDetector, fillersNotDropped } from "../pipeline/voice-setup.ts";
import { SERVICE_FILES, systemdRunning } from "../service/install.ts";
import type { GrammarTranscriber } from "../stt/grammar.ts";
import { SileroVad } from "../vad/silero.ts";
import { packagedModelsDir } from "../wake/openwakeword.ts";
import { WyomingConnection } from "../wyoming/connection.ts";
import { installHint, lastLine, runProgram } from "../util/program.ts";

/** ok: fine. warn: hark runs, with something missing. fail: `hark run` cannot work until it is fixed. */
export type CheckStatus = "ok" | "warn" | "fail" | "skip";

/** One finding: what was checked, what was found, and how to fix it. */
export interface CheckResult {
    name: string;
    status: CheckStatus;
    detail: string;
    fix?: string;
}

/** Options for {@link runDoctor}. */
export interface DoctorOptions {
    /** The config file to check (the CLI's --config); default: where hark would look. */
    configFile?: string;
    /** Skip hashing model files (seconds per GB on a Pi). */
    quick?: boolean;
    /** Seconds of test capture from the microphone. Defaults to 1. */
    captureSeconds?: number;
}

/** Node.js versions hark runs on. */
const NODE_MIN = [20, 12] as const;
/** One intent's handler worker (measured 18.6 MiB, scripts/bench-isolation.ts). */
const WORKER_MEMORY_MIB = 19;
/** hark run's own peak RSS without a language model (measured ~220–250 MiB, bench-voice). */
const BASE_MEMORY_MIB = 260;

/**
 * Checks the machine, the config, the models and the service, and explains each problem with its fix. Every check
 * runs even when an earlier one failed, so one run shows everything to fix.
 */
export async function runDoctor(options: DoctorOptions = {}): Promise<CheckResult[]> {
    const results: CheckResult[] = [checkNode(), checkPlatform()];
    let config: HarkConfig | null = null;
    try {
        const loaded = loadConfig(options.configFile ? { file: options.configFile } : {});
        config = loaded.config;
        results.push({ name: "config", status: "ok", detail: loaded.file ? `${loaded.file} is valid` : "no config file; defaults in use (hark config init writes one)" });
    } catch (error) {
        results.push({ name: "config", status: "fail", detail: errorMessage(error), fix: "edit the file (hark config schema lists every key), or move it away to run on defaults" });
    }
    results.push(...checkPrograms(config));
    results.push(await checkCapture(config, options.captureSeconds ?? 1));
    results.push(await checkPlayback());
    if (config) {
        let profile: ResolvedProfile | null = null;
        try {
            profile = selectedProfile(config, {});
            results.push(checkLlm(profile));
        } catch (error) {
            results.push({ name: "llm", status: "fail", detail: errorMessage(error), fix: "set llm.profile to one of hark models list or llm.profiles" });
        }
        results.push(...(await checkModels(config, options.quick ?? false)));
        results.push(...(await checkIntents(config)));
        results.push(checkMemory(config, profile));
        results.push(...(await checkSatellites(config)));
    }
    results.push(await checkService());
    return results;
}

/** Each configured satellite answers `describe` with its satellite info (hark connects to it, not it to hark). */
async function checkSatellites(config: HarkConfig): Promise<CheckResult[]> {
    return Promise.all(config.satellites.map(async ({ name, uri }): Promise<CheckResult> => {
        const check = `satellite ${name}`;
        let connection: WyomingConnection | null = null;
        try {
            connection = await WyomingConnection.connect(uri, { timeoutMs: 3000 });
            await connection.send({ type: "describe", data: {} });
            const answer = await Promise.race([
                (async () => {
                    for (let event = await connection.next(); event; event = await connection.next()) if (event.type === "info") return event.data;
                    return null;
                })(),
                new Promise<null>((resolve) => setTimeout(() => resolve(null), 3000).unref())
            ]);
            const satellite = answer?.satellite as { name?: string; version?: string } | undefined;
            if (satellite == null) {
                return { name: check, status: "warn", detail: `${uri} answers, but not as a Wyoming satellite`, fix: "point the satellite's uri at wyoming-satellite's --uri (it listens; hark connects to it)" };
            }
            return { name: check, status: "ok", detail: `${uri}: ${satellite.name ?? "a satellite"} answers (wyoming-satellite ${satellite.version ?? "?"})` };
        } catch (error) {
            return {
                name: check, status: "warn", detail: errorMessage(error),
                fix: `start wyoming-satellite in the ${name} room with --uri tcp://0.0.0.0:10700 (hark connects to it and retries meanwhile), or correct its uri under satellites`
            };
        } finally {
            connection?.close();
        }
    }));
}

function checkNode(): CheckResult {
    const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
    const ok = major > NODE_MIN[0] || (major === NODE_MIN[0] && minor >= NODE_MIN[1]);
    return ok
        ? { name: "node", status: "ok", detail: `Node.js ${process.version}` }
        : { name: "node", status: "fail", detail: `Node.js ${process.version} is too old; hark needs ${NODE_MIN.join(".")} or newer`, fix: "install Node.js 20 or 22 (NodeSource's Debian packages, or nodejs.org), then run scripts/setup.sh again" };
}

function checkPlatform(): CheckResult {
    const model = ["/proc/device-tree/model", "/sys/firmware/devicetree/base/model"].map((f) => readText(f)).find(Boolean)?.replace(/\0/g, "").trim();
    const where = `${model ?? "not a Raspberry Pi"}, ${os.platform()} ${os.arch()}, ${os.cpus().length} CPU(s), ${Math.round(os.totalmem() / 2 ** 20)} MiB`;
    if (os.platform() !== "linux") return { name: "platform", status: "warn", detail: where, fix: "hark is built for Linux (Debian, Raspberry Pi OS); audio capture and the service need ALSA and systemd" };
    if (os.arch() !== "x64" && os.arch() !== "arm64") {
        return { name: "platform", status: "fail", detail: `${where}: onnxruntime-node (the wake word and voice activity models) has no ${os.arch()} build`, fix: "install the 64-bit Raspberry Pi OS (Pi 3, 4, 5 and Zero 2 W all run it)" };
    }
    if (model && /Zero 2|Pi 3/.test(model)) {
        return { name: "platform", status: "warn", detail: `${where}: slow for a language model or whisper`, fix: "use the grammar recognizer and templates (stt.engine: grammar, llm.enabled: false); see the README's Pi section" };
    }
    return { name: "platform", status: "ok", detail: where };
}

interface ProgramNeed {
    program: string;
    /** Why hark needs it. */
    use: string;
    /** Whether hark run cannot work without it under this config. */
    blocks: (config: HarkConfig | null) => boolean;
}

const PROGRAMS: readonly ProgramNeed[] = [
    { program: "arecord", use: "microphone capture", blocks: () => true },
    { program: "aplay", use: "speaking replies", blocks: () => false },
    { program: "amixer", use: "the volume intent", blocks: () => false },
    { program: "espeak-ng", use: "speaking replies", blocks: () => false },
    { program: "pocketsphinx_batch", use: "the grammar speech recognizer", blocks: (c) => c != null && chooseTranscriber(c) === "grammar" },
    { program: "sox", use: "sample-rate conversion and playing FLAC/Ogg", blocks: (c) => c != null && (c.audio.sampleRateHz !== 16000 || c.audio.channels !== 1) },
    { program: "mpg123", use: "playing MP3s", blocks: () => false }
];

function checkPrograms(config: HarkConfig | null): CheckResult[] {
    return PROGRAMS.map((need) => {
        const found = onPath(need.program);
        if (found) return { name: need.program, status: "ok", detail: found };
        return { name: need.program, status: need.blocks(config) ? "fail" : "warn", detail: `not installed; needed for ${need.use}`, fix: installHint(need.program) };
    });
}

async function checkCapture(config: HarkConfig | null, seconds: number): Promise<CheckResult> {
    if (config?.audio.device === "none") return { name: "capture", status: "skip", detail: "no microphone here (audio.device: none)" };
    if (!onPath("arecord")) return { name: "capture", status: "skip", detail: "arecord is missing (see above)" };
    const cards = await listCards("arecord");
    if (cards.length === 0) {
        return {
            name: "capture", status: "fail", detail: "no capture device: arecord -l finds no sound card with a microphone",
            fix: "plug in a USB microphone or set up a microphone HAT (README: On a Raspberry Pi), then check with arecord -l"
        };
    }
    const device = config?.audio.device ?? "default";
    const rate = String(config?.audio.sampleRateHz ?? 16000);
    const channels = String(config?.audio.channels ?? 1);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hark-doctor-"));
    try {
        const file = path.join(dir, "capture.raw");
        await runProgram(["arecord", "-q", "-D", device, "-d", String(seconds), "-f", "S16_LE", "-r", rate, "-c", channels, "-t", "raw", file], { timeoutMs: seconds * 1000 + 5000 });
        const bytes = fs.readFileSync(file);
        const samples = new Int16Array(bytes.buffer, bytes.byteOffset, Math.floor(bytes.length / 2));
        const peak = samples.reduce((max, s) => Math.max(max, Math.abs(s)), 0);
        const listed = `cards: ${cards.join("; ")}`;
        if (samples.length === 0 || peak === 0) {
            return { name: "capture", status: "warn", detail: `${device} recorded only silence (${listed})`, fix: "the microphone may be muted: raise its capture level with alsamixer (F4), or pick another device in audio.device" };
        }
        return { name: "capture", status: "ok", detail: `${device}: ${seconds} s recorded, peak ${Math.round((peak / 32768) * 100)}% (${listed})` };
    } catch (error) {
        if (/busy/i.test(errorMessage(error))) {
            return { name: "capture", status: "warn", detail: `${device} is busy: another program records from it (the hark service? hark service status)`, fix: "stop the other program to test the microphone here (sudo systemctl stop hark), then start it again" };
        }
        return { name: "capture", status: "fail", detail: `${device} cannot record: ${errorMessage(error)} (cards: ${cards.join("; ")})`, fix: "set audio.device to one arecord -L lists (e.g. plughw:CARD=Device,DEV=0), and audio.sampleRateHz/channels to what it supports" };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

async function checkPlayback(): Promise<CheckResult> {
    if (!onPath("aplay")) return { name: "playback", status: "skip", detail: "aplay is missing (see above)" };
    const cards = await listCards("aplay");
    if (cards.length === 0) {
        return { name: "playback", status: "warn", detail: "no playback device: aplay -l finds no sound card; hark prints replies but cannot speak or play music", fix: "connect a speaker (USB, HAT, HDMI or the 3.5 mm jack), then check with speaker-test -c 2 -t wav" };
    }
    return { name: "playback", status: "ok", detail: `cards: ${cards.join("; ")}` };
}

/** Sound cards that `arecord -l` / `aplay -l` list, as "card 1: Device [USB Audio Device]". */
async function listCards(program: "arecord" | "aplay"): Promise<string[]> {
    const { stdout } = await runProgram([program, "-l"]).catch(() => ({ stdout: "" }));
    return stdout.split("\n").filter((l) => l.startsWith("card ")).map((l) => l.replace(/, device .*$/, "").trim());
}

async function checkModels(config: HarkConfig, quick: boolean): Promise<CheckResult[]> {
    const results: CheckResult[] = [];
    try {
        const wake = await createWakeWordDetector(config);
        await wake.dispose();
        results.push({ name: "wake model", status: "ok", detail: `${config.wake.engine} "${wake.keyword}" loads` });
    } catch (error) {
        results.push({ name: "wake model", status: "fail", detail: errorMessage(error), fix: "set wake.keyword to a built-in keyword or a .onnx file that exists, or run scripts/setup.sh to restore the npm packages" });
    }
    const vadFile = config.vad.modelPath || path.join(packagedModelsDir(), "silero_vad.onnx");
    try {
        const vad = await SileroVad.create({ modelPath: vadFile });
        await vad.dispose();
        results.push({ name: "vad model", status: "ok", detail: `${vadFile} loads` });
    } catch (error) {
        results.push({ name: "vad model", status: "fail", detail: errorMessage(error), fix: "point vad.modelPath at a Silero VAD .onnx, or leave it empty for the packaged one" });
    }
    if (config.audio.echoCancellation) {
        try {
            loadSpeexEcho();
            results.push({ name: "echo canceller", status: "ok", detail: `${SPEEX_ECHO_BINDING} loads: what this machine plays is taken out of what it hears` });
        } catch (error) {
            results.push({ name: "echo canceller", status: "warn", detail: `${errorMessage(error)}; hark listens without it, so the wake word is harder to hear over its own replies and music`, fix: "run scripts/setup.sh (it installs gcc and libspeexdsp-dev and builds it), or set audio.echoCancellation: false" });
        }
    }
    const stt = chooseTranscriber(config);
    if (stt === "whisper" && !fs.existsSync(config.stt.whisperModel)) {
        results.push({ name: "whisper model", status: "fail", detail: `stt.engine is whisper and ${config.stt.whisperModel || "stt.whisperModel"} does not exist`, fix: "hark models pull whisper-base.en (hark models list shows them), or set stt.engine: grammar" });
    }
    const store = modelStore(config);
    for (const stored of store.list().filter((m) => m.installed)) {
        if (quick) {
            results.push({ name: `model ${stored.model.name}`, status: "skip", detail: `${stored.file}: checksum not checked (--quick)` });
            continue;
        }
        const check = await store.verify(stored.model.name);
        if (!check.matches) {
            results.push({ name: `model ${stored.model.name}`, status: "fail", detail: `${check.file} is damaged or changed: sha256 ${check.sha256}, expected ${check.expected}`, fix: `hark models rm ${stored.model.name} && hark models pull ${stored.model.name}` });
        } else {
            results.push({ name: `model ${stored.model.name}`, status: "ok", detail: check.expected ? `${check.file}: sha256 matches` : `${check.file}: no checksum known to compare (sha256 ${check.sha256})` });
        }
    }
    return results;
}

function checkLlm(profile: ResolvedProfile | null): CheckResult {
    if (profile == null) return { name: "llm", status: "ok", detail: "off (llm.enabled: false): templates answer" };
    if (!fs.existsSync(profile.modelFile)) {
        return { name: "llm", status: "warn", detail: `profile ${profile.name}: ${profile.modelFile} is not on disk, so only templates answer`, fix: `${howToGetModel(profile)} (or llm.enabled: false to silence this)` };
    }
    return { name: "llm", status: "ok", detail: `profile ${profile.name}: ${profile.modelFile} (${Math.round(fs.statSync(profile.modelFile).size / 2 ** 20)} MiB)` };
}

async function checkIntents(config: HarkConfig): Promise<CheckResult[]> {
    const set = await loadIntentDirs(config.paths.intentsDirs);
    const results: CheckResult[] = set.problems.map((p) => ({ name: "intents", status: "warn" as const, detail: p.message, fix: "fix or remove the file (hark intents check); the other intents work meanwhile" }));
    if (set.intents.length === 0) {
        // Nothing for the speech grammar to be built from either: its check would only fail again.
        return [...results, { name: "intents", status: "fail", detail: `no intents loaded from ${config.paths.intentsDirs.join(", ")}`, fix: config.intents.builtins ? "put intent files in a folder of paths.intentsDirs (hark intents check says why a file does not load)" : "set intents.builtins: true for the intents shipped with hark, or add folders with intent files to paths.intentsDirs" }];
    }
    results.push({ name: "intents", status: "ok", detail: `${set.intents.length} loaded from ${config.paths.intentsDirs.join(", ")}` });
    if (chooseTranscriber(config) !== "grammar" || !onPath("pocketsphinx_batch")) return results;
    const notDropped = fillersNotDropped(config);
    if (notDropped.length) {
        results.push({ name: "fillers", status: "warn", detail: `the grammar recognizer does not listen for ${notDropped.join(", ")} around requests: stt.fillersBefore/fillersAfter name them, nlu.fillerWords does not`, fix: "add them to nlu.fillerWords (the text matcher then drops them too), or take them out of stt.fillersBefore and stt.fillersAfter" });
    }
    let transcriber: GrammarTranscriber;
    try {
        transcriber = await createGrammarTranscriber(config, silentLogger());
    } catch (error) {
        return [...results, { name: "pronunciations", status: "fail", detail: errorMessage(error), fix: "sudo apt-get install pocketsphinx-en-us (scripts/setup.sh does this), or fix stt.hmmDir / stt.dictionaryPath" }];
    }
    try {
        transcriber.setIntents(set.intents.map((i) => i.spec), config.stt.slotValues);
        const words = [...new Set(transcriber.grammarProblems.filter((p) => p.kind === "missing-pronunciation").map((p) => p.subject))];
        results.push(words.length
            ? { name: "pronunciations", status: "warn", detail: `the grammar recognizer cannot hear ${words.length} word(s): ${words.slice(0, 12).join(", ")}${words.length > 12 ? ", …" : ""}`, fix: "add each word's ARPAbet phones under stt.pronunciations (like jarvis: \"JH AA R V AH S\"); hark intents check lists the sentences" }
            : { name: "pronunciations", status: "ok", detail: "every word of the intents' sentences has a pronunciation" });
    } finally {
        await transcriber.dispose();
    }
    return results;
}

function checkMemory(config: HarkConfig, profile: ResolvedProfile | null): CheckResult {
    const meminfo = readText("/proc/meminfo") ?? "";
    const kib = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(meminfo)?.[1] ?? NaN);
    const totalMiB = kib("MemTotal") / 1024;
    const availableMiB = kib("MemAvailable") / 1024;
    let needMiB = BASE_MEMORY_MIB;
    const parts = [`hark ${BASE_MEMORY_MIB}`];
    const add = (label: string, file: string): void => {
        const size = fs.statSync(file, { throwIfNoEntry: false })?.size;
        if (size == null) return;
        // Weights are mapped whole; the context and compute buffers add roughly a fifth on top for small models.
        const mib = Math.round((size / 2 ** 20) * 1.2);
        needMiB += mib;
        parts.push(`${label} ${mib}`);
    };
    if (profile) add("language model", profile.modelFile);
    if (chooseTranscriber(config) === "grammar") {
        // Each pocketsphinx_batch holds its own copy of the acoustic model: ~100 MiB (measured); two with stt.confidence.
        const decoders = config.stt.confidence ? 2 : 1;
        needMiB += 100 * decoders;
        parts.push(`pocketsphinx ${100 * decoders}`);
    }
    if (chooseTranscriber(config) === "whisper") add("whisper", config.stt.whisperModel);
    if (config.dispatch.isolation === "worker") {
        // Each of your code intents runs in a worker thread of its own once it has been asked for.
        const workers = config.paths.intentsDirs.filter((d) => !isBuiltinIntentsDir(d))
            .flatMap((d) => (fs.existsSync(d) ? fs.readdirSync(d, { withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name) : []))
            .filter((f) => isIntentFile(f) && !/\.ya?ml$/i.test(f)).length;
        if (workers) {
            needMiB += WORKER_MEMORY_MIB * workers;
            parts.push(`${workers} intent worker(s) ${WORKER_MEMORY_MIB * workers}`);
        }
    }
    const detail = `need ~${needMiB} MiB (${parts.join(" + ")}); ${Math.round(availableMiB)} MiB available of ${Math.round(totalMiB)}`;
    if (!Number.isFinite(totalMiB)) return { name: "memory", status: "skip", detail: "cannot read /proc/meminfo" };
    if (needMiB > totalMiB) return { name: "memory", status: "fail", detail, fix: "choose a smaller model (hark models list: the 0.5B ones suit a 1–2 GB Pi) or switch the LLM off (llm.enabled: false)" };
    if (needMiB > availableMiB) return { name: "memory", status: "warn", detail, fix: "other programs use the memory hark needs: stop some, or choose a smaller model" };
    return { name: "memory", status: "ok", detail };
}

async function checkService(): Promise<CheckResult> {
    if (!fs.existsSync(SERVICE_FILES.unit)) return { name: "service", status: "skip", detail: "not installed (optional: sudo ./scripts/setup.sh --service runs hark at boot)" };
    if (!systemdRunning()) return { name: "service", status: "warn", detail: "installed, but systemd is not running on this machine", fix: "run hark by hand here (hark run), or on a machine booted with systemd" };
    const state = await runProgram(["systemctl", "is-active", "hark.service"]).then((r) => r.stdout.trim(), (e: Error) => lastLine(e.message));
    if (state === "active") return { name: "service", status: "ok", detail: "hark.service is running" };
    return { name: "service", status: "warn", detail: `hark.service is ${state || "not running"}`, fix: "see why with journalctl -u hark -n 50, then sudo systemctl restart hark" };
}

/** The full path of a program found on PATH, or null. */
function onPath(program: string): string | null {
    for (const dir of (process.env.PATH ?? "").split(":").filter(Boolean)) {
        const file = path.join(dir, program);
        try {
            fs.accessSync(file, fs.constants.X_OK);
            return file;
        } catch {
            // not in this folder
        }
    }
    return null;
}

function readText(file: string): string | null {
    try {
        return fs.readFileSync(file, "utf8");
    } catch {
        return null;
    }
}
