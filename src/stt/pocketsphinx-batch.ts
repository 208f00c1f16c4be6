import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import readline from "node:readline";
import type { Logger } from "pino";
import { HarkError } from "../errors.ts";
import { installHint, lastLine } from "../util/program.ts";

/** What pocketsphinx made of one utterance: its words with the path's total score, and how long it was. */
export interface Segmentation {
    /** The words, without silences, fillers and alternate-pronunciation marks. */
    words: string[];
    /** The best path's total score (acoustic and language, pocketsphinx's log base 1.0001; higher is likelier). */
    score: number;
    /** 10 ms frames in the utterance. */
    frames: number;
    /** Frames the path spends in words rather than silence or fillers. */
    speechFrames: number;
    /** The path's acoustic score alone (the total less the language model's). */
    acoustic: number;
    /** Every stretch of the path, silences and fillers included, in order: what it was taken for, where, and its acoustic score. */
    segments: PathSegment[];
}

/** One stretch of a decoded path: frames `start` (inclusive) to `end` (exclusive). */
export interface PathSegment {
    word: string;
    start: number;
    end: number;
    acoustic: number;
    /** A word that was said (not silence, a filler or a grammar's empty transition). */
    speech: boolean;
}

/** pocketsphinx exited, was stopped, or gave no result while an utterance waited for one. */
export class DecoderDiedError extends HarkError {
    public constructor(reason: string) {
        super("HARK_STT_FAILED", `pocketsphinx stopped: ${reason}`);
    }
}

/** Options for {@link BatchDecoder.start}. */
export interface BatchDecoderOptions {
    /** Folder for the FIFOs; utterances are read from here as `<id>.raw` (16 kHz, 16-bit, mono, no header). */
    dir: string;
    /** What this decoder is for, in log lines ("grammar", "reference"). */
    role: string;
    /** The search: `-jsgf`/`-lm`, `-dict`, `-hmm`, beams. */
    searchArgs: string[];
    log: Logger;
}

/**
 * How long a new decoder may take to load before its first result: ~1 s here, several seconds on a Pi or a busy
 * machine. Without it the first command after start-up could be taken for a hung decoder.
 */
const STARTUP_ALLOWANCE_MS = 15_000;

/**
 * One `pocketsphinx_batch` kept running: utterance names go in through a control FIFO, segmentations come back through
 * a second FIFO (`-hypseg`), so the acoustic model and the search are loaded once rather than per utterance.
 */
export class BatchDecoder {
    /** Until the first result, a wait also covers loading the acoustic model and the search. */
    private warm = false;
    private readonly startedAt = performance.now();
    /** Set when hark itself stops it (new grammar, dispose): its exit is expected then. */
    private stopping = false;
    /** The utterance being waited on, and how to hand it its result. A result for any other (one given up on) is dropped. */
    private waiter: { id: string; finish: (result: Segmentation | null, error?: Error) => void } | null = null;
    private readonly control: fs.WriteStream;
    private exited = false;

    private constructor(public readonly child: ChildProcess, controlFifo: string, results: net.Socket, private readonly options: BatchDecoderOptions, onClose: () => void) {
        // Opened read-write: opening a FIFO write-only blocks (a libuv thread, for good) until a reader appears, and a
        // pocketsphinx that dies before opening it would never appear.
        this.control = fs.createWriteStream(controlFifo, { flags: "r+" });
        this.control.on("error", (error) => options.log.error({ err: error, role: options.role }, "pocketsphinx control input failed"));
        readline.createInterface({ input: results }).on("line", (line) => {
            const parsed = parseHypseg(line);
            if (parsed && this.waiter?.id === parsed.id) this.waiter.finish(parsed.segmentation);
        });
        let stderr = "";
        child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr = (stderr + d).slice(-4096)));
        child.on("error", (error: NodeJS.ErrnoException) => {
            const message = error.code === "ENOENT" ? `pocketsphinx_batch not found; ${installHint("pocketsphinx")}` : error.message;
            this.waiter?.finish(null, new HarkError("HARK_STT_FAILED", message));
        });
        child.on("close", (code, exitSignal) => {
            this.exited = true;
            this.control.destroy();
            results.destroy();
            onClose();
            if (this.stopping) {
                // Stopped (for a new grammar) while an utterance waited on it: that utterance is decoded again.
                this.waiter?.finish(null, new DecoderDiedError("stopped for a new grammar"));
                return;
            }
            // Killed by a signal (code null) counts too: waiting for a result that cannot come only hid the failure.
            const reason = lastLine(stderr) || (exitSignal ? `killed by ${exitSignal}` : `exit ${code}`);
            options.log.error({ code, signal: exitSignal, reason, role: options.role }, "pocketsphinx stopped");
            this.waiter?.finish(null, new DecoderDiedError(reason));
        });
    }

    /** Starts a decoder; it loads its models while the first utterance is being recorded. */
    public static start(options: BatchDecoderOptions, stamp: string): BatchDecoder {
        const control = path.join(options.dir, `control-${options.role}-${stamp}.fifo`);
        const hypotheses = path.join(options.dir, `results-${options.role}-${stamp}.fifo`);
        execFileSync("mkfifo", [control, hypotheses]);
        // Results come through a FIFO of their own: pocketsphinx opens its -hypseg file by name, and /dev/stdout cannot
        // be opened when stdout is Node's socket. Ours is opened read-write before the start, so pocketsphinx's open
        // does not wait for a reader, and read through a pipe handle, so waiting for a line holds no libuv thread.
        const results = new net.Socket({ fd: fs.openSync(hypotheses, fs.constants.O_RDWR | fs.constants.O_NONBLOCK), readable: true, writable: false });
        const child = spawn("pocketsphinx_batch", [
            "-ctl", control, "-cepdir", options.dir, "-cepext", ".raw", "-adcin", "yes", "-adchdr", "0",
            "-logfn", "/dev/null", "-hypseg", hypotheses, ...options.searchArgs
        ], { stdio: ["ignore", "ignore", "pipe"] });
        return new BatchDecoder(child, control, results, options, () => {
            for (const fifo of [control, hypotheses]) fs.rmSync(fifo, { force: true });
        });
    }

    /** Whether the process has exited or is being stopped (a new one is needed). */
    public get dead(): boolean {
        return this.exited || this.stopping;
    }

    /**
     * Decodes `<dir>/<id>.raw` of `durationMs`. Resolves with its segmentation (no words: nothing of the search fitted),
     * or null when `signal` aborts; rejects with {@link DecoderDiedError} when the process dies or gives no answer.
     */
    public decode(id: string, durationMs: number, signal?: AbortSignal): Promise<Segmentation | null> {
        this.control.write(`${id}\n`);
        const startup = this.warm ? 0 : Math.max(0, STARTUP_ALLOWANCE_MS - (performance.now() - this.startedAt));
        // Decoding takes a fraction of real time; the rest is room for a busy machine.
        const waitMs = 5000 + durationMs + startup;
        return new Promise<Segmentation | null>((resolve, reject) => {
            const timer = setTimeout(() => finish(null, new DecoderDiedError(`${this.options.role} decoder gave no result within ${Math.round(waitMs)} ms`)), waitMs);
            const onAbort = (): void => finish(null);
            const finish = (value: Segmentation | null, error?: Error): void => {
                clearTimeout(timer);
                signal?.removeEventListener("abort", onAbort);
                this.waiter = null;
                if (error) reject(error);
                else {
                    if (value) this.warm = true;
                    resolve(value);
                }
            };
            signal?.addEventListener("abort", onAbort, { once: true });
            // Set before any result can be read: reading waits for this tick to end.
            this.waiter = { id, finish };
        });
    }

    /** Stops the process. SIGKILL: a decoder being replaced has nothing to save, and a hung one may not act on SIGTERM. */
    public stop(): void {
        this.stopping = true;
        this.control.destroy();
        this.child.kill("SIGKILL");
    }
}

/**
 * Words pocketsphinx puts in a path that were not said: silence, sentence marks, fillers and a grammar's empty
 * transitions ("<sil>", "[NOISE]", "++UH++", "(NULL)").
 */
const NOT_SPEECH = /^(<.*>|\[.*\]|\+\+.*\+\+|\(NULL\))$/;

/**
 * Reads one `-hypseg` line: `u3 S 0 T -6886 A -6212 L -674 0 -160 -337 <sil> 18 -2683 0 cancel ... 184` — the
 * utterance, scaling, total, acoustic and language scores, then start frame, acoustic and language score and word of
 * each segment, then the end frame.
 */
export function parseHypseg(line: string): { id: string; segmentation: Segmentation } | null {
    const parts = line.trim().split(/\s+/);
    if (parts.length < 10 || parts[1] !== "S" || parts[3] !== "T") return null;
    const score = Number(parts[4]);
    const acoustic = Number(parts[6]);
    const rest = parts.slice(9);
    const frames = Number(rest.at(-1));
    if (!Number.isFinite(score) || !Number.isFinite(acoustic) || !Number.isFinite(frames)) return null;
    const words: string[] = [];
    const segments: PathSegment[] = [];
    let speechFrames = 0;
    for (let i = 0; i + 3 < rest.length; i += 4) {
        const start = Number(rest[i]);
        const end = i + 4 < rest.length - 1 ? Number(rest[i + 4]) : frames;
        const word = rest[i + 3]!.replace(/\(\d+\)$/, "");
        const speech = !NOT_SPEECH.test(word);
        segments.push({ word, start, end, acoustic: Number(rest[i + 1]), speech });
        if (!speech) continue;
        words.push(word);
        speechFrames += Math.max(0, end - start);
    }
    return { id: parts[0]!, segmentation: { words, score, frames, speechFrames, acoustic, segments } };
}
