import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import type { Logger } from "pino";
import { HarkError } from "../errors.ts";
import { installHint, lastLine } from "../util/program.ts";
import { seededRandom } from "../util/random.ts";
import { compileGrammar, type GrammarProblem, type TemplateIntent } from "../template/index.ts";
import type { Transcriber, Transcript } from "./transcriber.ts";

/** Options for {@link GrammarTranscriber.create}. */
export interface GrammarTranscriberOptions {
    /** Acoustic model folder. Defaults to Debian's pocketsphinx-en-us. */
    hmmDir?: string;
    /** Pronunciation dictionary. Defaults to Debian's cmudict-en-us.dict. */
    dictionaryPath?: string;
    /** Extra pronunciations, word → ARPAbet phones ("jarvis": "JH AA R V AH S"). */
    pronunciations?: Readonly<Record<string, string>>;
    log: Logger;
}

const DEBIAN_MODEL = "/usr/share/pocketsphinx/model/en-us";

/** A running pocketsphinx_batch process, reading utterance names from a FIFO and printing results to another. */
interface Decoder {
    child: ChildProcess;
    /** The control FIFO: one utterance name per line. */
    control: fs.WriteStream;
    /** The utterance being waited on, and how to hand it its result. A result for any other (one given up on) is dropped. */
    waiter: { id: string; finish: (text: string | null, error?: Error) => void } | null;
    /** Until the first result, the wait also covers loading the acoustic model and compiling the grammar. */
    warm: boolean;
    startedAt: number;
    /** Set when hark itself stops it (new grammar, dispose): its exit is expected then. */
    stopping: boolean;
    /** Closes both FIFOs and removes them. */
    close: () => void;
}

/** pocketsphinx exited, was stopped, or gave no result while an utterance waited for one. */
class DecoderDiedError extends HarkError {
    public constructor(reason: string) {
        super("HARK_STT_FAILED", `pocketsphinx stopped: ${reason}`);
    }
}

/**
 * How long a new decoder may take to load before its first result: ~1 s here, several seconds on a Pi or a busy
 * machine. Without it the first command after start-up could be taken for a hung decoder.
 */
const STARTUP_ALLOWANCE_MS = 15_000;
/** Pronunciations for words the built-in intents use that cmudict lacks (service names, "o'clock" as normalised). */
const EXTRA_DICTIONARY = new URL("./extra.dict", import.meta.url);
/** A result line of pocketsphinx_batch: the words, then the utterance's name and score ("what time is it (u3 -5123)"). */
const RESULT_LINE = /^(.*?)\s*\((\S+) -?\d+\)$/;

/**
 * Peak of the faint noise added to each utterance, in steps of 16-bit audio (about -67 dBFS: under the noise of any
 * microphone, which it barely changes). Digital or near-digital silence — exact zeros, or the ±1-step hiss that
 * resampling dither leaves, as in synthesized or padded audio or from a microphone that gates — gives pocketsphinx
 * next to no spectrum: a decode over it found no sentence at all ("final result does not match the grammar": "what
 * time is it" came back empty) or the wrong one ("cancel the timer" → "queue soul by queen"). On 180 espeak-ng
 * commands, exact transcripts by peak: 0 → 116, 3 → 129, 6 → 135, 24 → 139, 48 → 140 on clean audio; 143, 144,
 * 143, 143, 148 in pink noise.
 */
const NOISE_FLOOR = 24;
/** Fixed, so the same utterance always decodes the same. */
const NOISE_SEED = 0x5eed;

/** `samples` with a faint, repeatable noise floor under them. */
function withNoiseFloor(samples: Int16Array): Int16Array {
    const random = seededRandom(NOISE_SEED);
    const out = new Int16Array(samples.length);
    for (let i = 0; i < samples.length; i++) out[i] = Math.max(-32768, Math.min(32767, samples[i]! + Math.round(random() * NOISE_FLOOR)));
    return out;
}

/**
 * pocketsphinx decoding against a JSGF grammar compiled from the loaded intents: fast and accurate for the
 * sentences hark understands, deaf to everything else. Rebuild with {@link setIntents} when intents change.
 */
export class GrammarTranscriber implements Transcriber {
    public readonly name = "grammar";
    private readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), "hark-grammar-"));
    private problems: GrammarProblem[] = [];
    private ready = false;
    private decoder: Decoder | null = null;
    private queue: Promise<void> = Promise.resolve();
    private utterances = 0;
    private decoders = 0;

    private constructor(private readonly options: GrammarTranscriberOptions, private readonly hmmDir: string, private readonly dictionary: Map<string, string[]>) {}

    public static async create(options: GrammarTranscriberOptions): Promise<GrammarTranscriber> {
        const hmmDir = options.hmmDir ?? path.join(DEBIAN_MODEL, "en-us");
        const dictionaryPath = options.dictionaryPath ?? path.join(DEBIAN_MODEL, "cmudict-en-us.dict");
        for (const [what, p] of [["acoustic model", hmmDir], ["dictionary", dictionaryPath]] as const) {
            if (!fs.existsSync(p)) throw new HarkError("HARK_MODEL_MISSING", `pocketsphinx ${what} not found at ${p}; install it with "sudo apt-get install pocketsphinx-en-us" (scripts/setup.sh does this)`);
        }
        const dictionary = new Map<string, string[]>();
        for (const line of [...fs.readFileSync(dictionaryPath, "utf8").split("\n"), ...fs.readFileSync(EXTRA_DICTIONARY, "utf8").split("\n")]) {
            const space = line.indexOf(" ");
            if (space <= 0) continue;
            const word = line.slice(0, space).replace(/\(\d+\)$/, "");
            const phones = line.slice(space + 1).trim();
            dictionary.set(word, [...(dictionary.get(word) ?? []), phones]);
        }
        for (const [word, phones] of Object.entries(options.pronunciations ?? {})) dictionary.set(word.toLowerCase(), [phones.toUpperCase()]);
        return new GrammarTranscriber(options, hmmDir, dictionary);
    }

    /** Words the grammar had to leave out, and wildcard slots without values: each with what to do. */
    public get grammarProblems(): readonly GrammarProblem[] {
        return this.problems;
    }

    /** Compiles the grammar from the intents; `slotValues` fills wildcard slots (song titles, artists, ...). */
    public setIntents(intents: readonly TemplateIntent[], slotValues: Readonly<Record<string, readonly string[]>> = {}): void {
        const grammar = compileGrammar(intents, { dictionary: new Set(this.dictionary.keys()), slotValues });
        this.problems = grammar.problems;
        if (grammar.problems.length) {
            this.options.log.warn({ problems: grammar.problems.map((p) => `${p.intent}: ${p.subject}`) }, `${grammar.problems.length} grammar gap(s): some phrases cannot be heard; "hark intents check" explains each`);
        }
        for (const p of grammar.problems) this.options.log.debug({ intent: p.intent, kind: p.kind, subject: p.subject }, p.message);
        // A dictionary of just the grammar's words keeps pocketsphinx's start-up short.
        const dict = [...grammar.words].sort().flatMap((w) => this.dictionary.get(w)!.map((phones, i) => `${i ? `${w}(${i + 1})` : w} ${phones}`));
        fs.writeFileSync(path.join(this.dir, "hark.jsgf"), grammar.jsgf);
        fs.writeFileSync(path.join(this.dir, "hark.dict"), `${dict.join("\n")}\n`);
        // The running decoder has the old grammar: the next utterance starts a new one.
        this.stopDecoder();
        this.ready = true;
        this.options.log.info({ words: grammar.words.size, problems: grammar.problems.length }, "grammar compiled");
    }

    /**
     * Decodes one utterance. A pocketsphinx_batch process is kept running, reading utterance names from a FIFO, so
     * the acoustic model and grammar are loaded once rather than per utterance (npm run bench, end of speech →
     * handler p50: ~800 ms with a process per utterance). Each utterance is decoded whole, on its own: its cepstral mean comes from itself,
     * and no voice detector of pocketsphinx's decides where it starts (see {@link decode}).
     */
    public transcribe(samples: Int16Array, signal?: AbortSignal): Promise<Transcript> {
        if (!this.ready) return Promise.reject(new HarkError("HARK_STT_NOT_READY", "the grammar has not been compiled; call setIntents first"));
        const run = this.queue.then(() => this.decode(samples, signal).catch((error: unknown) => {
            // A decoder that failed the utterance (died, was stopped for a new grammar, or never answered; not a
            // missing program) gets one fresh try.
            if (!(error instanceof DecoderDiedError) || signal?.aborted) throw error;
            this.options.log.warn({ err: error }, `${error.message}; decoding the utterance again with a new pocketsphinx`);
            return this.decode(samples, signal);
        }));
        this.queue = run.then(() => undefined, () => undefined);
        return run;
    }

    public async dispose(): Promise<void> {
        this.stopDecoder();
        fs.rmSync(this.dir, { recursive: true, force: true });
    }

    /**
     * Batch decoding of the endpointed utterance, not pocketsphinx_continuous on a stream. The continuous decoder's
     * own voice detector cut the first syllables of an utterance that began at its first sample (someone speaking
     * right after the wake word: "set a timer for five minutes" came back as "queue top five record by queen", in 1
     * of 40 runs of the voice test), and its cepstral mean carried over from earlier utterances, so the same audio
     * decoded differently after a restart. Here each utterance is decoded whole and on its own, over a faint noise
     * floor. Measured: npm run bench's 120 spoken commands, 105 → 110 exact tool calls and p50 381 → 346 ms; 180
     * espeak-ng commands that start at their first sample, decoder new for each, 78 → 139 right on clean audio and
     * 132 → 143 in pink noise (a continuous decoder kept warm over all 180 scored 149 in noise, but a real one is new
     * after every start and every change of intents).
     */
    private async decode(samples: Int16Array, signal?: AbortSignal): Promise<Transcript> {
        const decoder = this.decoder ?? this.startDecoder();
        const id = `u${++this.utterances}`;
        const audio = path.join(this.dir, `${id}.raw`);
        const floored = withNoiseFloor(samples);
        fs.writeFileSync(audio, Buffer.from(floored.buffer, floored.byteOffset, floored.byteLength));
        try {
            decoder.control.write(`${id}\n`);
            const startup = decoder.warm ? 0 : Math.max(0, STARTUP_ALLOWANCE_MS - (performance.now() - decoder.startedAt));
            // Decoding takes a fraction of real time; the rest is room for a busy machine.
            const waitMs = 5000 + (samples.length / 16_000) * 1000 + startup;
            const text = await new Promise<string | null>((resolve, reject) => {
                const timer = setTimeout(() => finish(null, new DecoderDiedError(`gave no result within ${Math.round(waitMs)} ms`)), waitMs);
                const onAbort = (): void => finish(null);
                const finish = (value: string | null, error?: Error): void => {
                    clearTimeout(timer);
                    signal?.removeEventListener("abort", onAbort);
                    decoder.waiter = null;
                    if (error) reject(error);
                    else resolve(value);
                };
                signal?.addEventListener("abort", onAbort, { once: true });
                // Set before any result can be read: reading waits for this tick to end.
                decoder.waiter = { id, finish };
            }).catch((error: unknown) => {
                // A decoder that failed the utterance is replaced (one that died is gone already); transcribe() tries
                // the utterance once more.
                if (this.decoder === decoder) this.stopDecoder();
                throw error;
            });
            if (text != null) decoder.warm = true;
            // An empty result: pocketsphinx found no sentence of the grammar in the audio.
            return { text: text ?? "", engine: this.name, ...(!text ? { detail: { noHypothesis: true } } : {}) };
        } finally {
            fs.rmSync(audio, { force: true });
        }
    }

    private startDecoder(): Decoder {
        const stamp = `${Date.now()}-${++this.decoders}`;
        const control = path.join(this.dir, `control-${stamp}.fifo`);
        const hypotheses = path.join(this.dir, `results-${stamp}.fifo`);
        execFileSync("mkfifo", [control, hypotheses]);
        // Results come through a FIFO of their own: pocketsphinx opens its -hyp file by name, and /dev/stdout cannot
        // be opened when stdout is Node's socket. Ours is opened read-write before the start, so pocketsphinx's open
        // does not wait for a reader, and read through a pipe handle, so waiting for a line holds no libuv thread.
        const results = new net.Socket({ fd: fs.openSync(hypotheses, fs.constants.O_RDWR | fs.constants.O_NONBLOCK), readable: true, writable: false });
        const child = spawn("pocketsphinx_batch", [
            "-ctl", control, "-cepdir", this.dir, "-cepext", ".raw", "-adcin", "yes", "-adchdr", "0",
            "-jsgf", path.join(this.dir, "hark.jsgf"), "-dict", path.join(this.dir, "hark.dict"),
            "-hmm", this.hmmDir, "-logfn", "/dev/null", "-hyp", hypotheses,
            // Wider beams than the defaults: with a grammar this size the default pruning loses the right path
            // and returns nothing ("final result does not match the grammar"); measured with npm run bench.
            "-beam", "1e-60", "-pbeam", "1e-60", "-wbeam", "1e-40"
        ], { stdio: ["ignore", "ignore", "pipe"] });
        // The control FIFO is opened read-write: opening a FIFO write-only blocks (a libuv thread, for good) until a
        // reader appears, and a pocketsphinx that dies before opening it would never appear.
        const decoder: Decoder = {
            child, control: fs.createWriteStream(control, { flags: "r+" }), waiter: null, warm: false, startedAt: performance.now(), stopping: false,
            close: () => {
                decoder.control.destroy();
                results.destroy();
                for (const fifo of [control, hypotheses]) fs.rmSync(fifo, { force: true });
            }
        };
        decoder.control.on("error", (error) => this.options.log.error({ err: error }, "pocketsphinx control input failed"));
        readline.createInterface({ input: results }).on("line", (line) => {
            const match = RESULT_LINE.exec(line.trim());
            const waiter = decoder.waiter;
            if (match && waiter && waiter.id === match[2]) waiter.finish(match[1]!);
        });
        let stderr = "";
        child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr = (stderr + d).slice(-4096)));
        child.on("error", (error: NodeJS.ErrnoException) => {
            const message = error.code === "ENOENT" ? `pocketsphinx_batch not found; ${installHint("pocketsphinx")}` : error.message;
            decoder.waiter?.finish(null, new HarkError("HARK_STT_FAILED", message));
        });
        child.on("close", (code, exitSignal) => {
            if (this.decoder === decoder) this.decoder = null;
            decoder.close();
            if (decoder.stopping) {
                // Stopped for a new grammar while an utterance waited on it: that utterance is decoded again.
                decoder.waiter?.finish(null, new DecoderDiedError("stopped for a new grammar"));
                return;
            }
            // Killed by a signal (code null) counts too: waiting for a result that cannot come only hid the failure.
            const reason = lastLine(stderr) || (exitSignal ? `killed by ${exitSignal}` : `exit ${code}`);
            this.options.log.error({ code, signal: exitSignal, reason }, "pocketsphinx stopped");
            decoder.waiter?.finish(null, new DecoderDiedError(reason));
        });
        this.decoder = decoder;
        return decoder;
    }

    private stopDecoder(): void {
        const decoder = this.decoder;
        this.decoder = null;
        if (!decoder) return;
        decoder.stopping = true;
        decoder.control.destroy();
        // SIGKILL: a decoder being replaced has nothing to save, and a hung one may not act on SIGTERM.
        decoder.child.kill("SIGKILL");
    }
}
