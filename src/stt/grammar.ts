import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Logger } from "pino";
import { HarkError } from "../errors.ts";
import type { IntentSpec } from "../intents/types.ts";
import { installHint, lastLine } from "../util/program.ts";
import { compileGrammar, type GrammarProblem } from "./jsgf.ts";
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
/** Seconds of silence appended to each utterance so pocketsphinx closes it. */
const TRAILING_SILENCE_S = 0.4;

/** A running pocketsphinx process and the utterance result lines it has printed. */
interface Decoder {
    child: ChildProcess;
    input: fs.WriteStream;
    lines: string[];
    waiter: ((line: string | null, error?: Error) => void) | null;
    /** Until the first result, the wait also covers loading the acoustic model and compiling the grammar. */
    warm: boolean;
    startedAt: number;
    /** Set when hark itself stops it (new grammar, dispose): its exit is expected then. */
    stopping: boolean;
}

/** pocketsphinx exited while an utterance waited for its result. */
class DecoderDiedError extends HarkError {
    public constructor(reason: string) {
        super("HARK_STT_FAILED", `pocketsphinx stopped: ${reason}`);
    }
}

/**
 * How long a new decoder may take to load before its first result (it says nothing when ready): ~1 s here, several
 * seconds on a Pi or a busy machine. Without it the first command after start-up could time out as "no speech".
 */
const STARTUP_ALLOWANCE_MS = 15_000;
/** Pronunciations for words the built-in intents use that cmudict lacks (service names, "o'clock" as normalised). */
const EXTRA_DICTIONARY = new URL("./extra.dict", import.meta.url);

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
    public setIntents(intents: readonly IntentSpec[], slotValues: Readonly<Record<string, readonly string[]>> = {}): void {
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
     * Decodes one utterance. A pocketsphinx process is kept running, reading audio from a FIFO, so the acoustic model
     * and grammar are loaded once rather than per utterance (npm run bench: end of speech → handler p50 ~800 → ~450 ms).
     */
    public transcribe(samples: Int16Array, signal?: AbortSignal): Promise<Transcript> {
        if (!this.ready) return Promise.reject(new HarkError("HARK_STT_NOT_READY", "the grammar has not been compiled; call setIntents first"));
        const run = this.queue.then(() => this.decode(samples, signal).catch((error: unknown) => {
            // A decoder that failed the utterance (died, was stopped for a new grammar, or never answered after it
            // started; not a missing program) gets one fresh try.
            if (!(error instanceof DecoderDiedError) || signal?.aborted) throw error;
            this.options.log.warn({ err: error }, `${error.message}; decoding the utterance again with a new pocketsphinx`);
            return this.decode(samples, signal, true);
        }));
        this.queue = run.then(() => undefined, () => undefined);
        return run;
    }

    public async dispose(): Promise<void> {
        this.stopDecoder();
        fs.rmSync(this.dir, { recursive: true, force: true });
    }

    /** `retry`: this is the utterance's second decoder, so one that stays silent means no speech, not a failure. */
    private async decode(samples: Int16Array, signal?: AbortSignal, retry = false): Promise<Transcript> {
        const decoder = this.decoder ?? this.startDecoder();
        decoder.lines.length = 0; // anything left over belongs to an earlier utterance
        // Silence after the utterance lets pocketsphinx's own voice detector close it and print the result.
        const padded = new Int16Array(samples.length + 16_000 * TRAILING_SILENCE_S);
        padded.set(samples);
        decoder.input.write(Buffer.from(padded.buffer));
        const startup = decoder.warm ? 0 : Math.max(0, STARTUP_ALLOWANCE_MS - (performance.now() - decoder.startedAt));
        const waitMs = 1500 + (padded.length / 16_000) * 1000 + startup;
        const text = await new Promise<string | null>((resolve, reject) => {
            const timer = setTimeout(() => finish(null), waitMs);
            const onAbort = (): void => finish(null);
            const finish = (value: string | null, error?: Error): void => {
                clearTimeout(timer);
                if (value != null) decoder.warm = true;
                signal?.removeEventListener("abort", onAbort);
                decoder.waiter = null;
                if (error) reject(error);
                else resolve(value);
            };
            signal?.addEventListener("abort", onAbort, { once: true });
            decoder.waiter = finish;
            const ready = decoder.lines.shift();
            if (ready != null) finish(ready);
        });
        if (text == null && !decoder.warm && !retry && !signal?.aborted) {
            // A new decoder that never answered may not have started properly (seen rarely in CI under load: an empty
            // transcript after the whole allowance): it is replaced, and transcribe() tries the utterance once more.
            if (this.decoder === decoder) this.stopDecoder();
            throw new DecoderDiedError(`gave no result within ${Math.round(waitMs)} ms of starting`);
        }
        // No line in time: pocketsphinx heard no speech in it (it prints nothing then).
        return { text: text ?? "", engine: this.name, ...(text == null ? { detail: { noHypothesis: true } } : {}) };
    }

    private startDecoder(): Decoder {
        const fifo = path.join(this.dir, `audio-${Date.now()}.fifo`);
        execFileSync("mkfifo", [fifo]);
        const child = spawn("pocketsphinx_continuous", [
            "-infile", fifo, "-jsgf", path.join(this.dir, "hark.jsgf"), "-dict", path.join(this.dir, "hark.dict"),
            "-hmm", this.hmmDir, "-logfn", "/dev/null",
            // Wider beams than the defaults: with a grammar this size the default pruning loses the right path
            // and returns nothing ("final result does not match the grammar"); measured with npm run bench.
            "-beam", "1e-60", "-pbeam", "1e-60", "-wbeam", "1e-40",
            // An utterance ends after 0.75 s of silence: longer than any pause the endpointer leaves inside one.
            "-vad_postspeech", "75"
        ], { stdio: ["ignore", "pipe", "pipe"] });
        // Opened read-write: opening a FIFO write-only blocks (a libuv thread, for good) until a reader appears, and
        // a pocketsphinx that dies before opening it would never appear.
        const decoder: Decoder = { child, input: fs.createWriteStream(fifo, { flags: "r+" }), lines: [], waiter: null, warm: false, startedAt: performance.now(), stopping: false };
        decoder.input.on("error", (error) => this.options.log.error({ err: error }, "pocketsphinx input failed"));
        let partial = "";
        child.stdout.setEncoding("utf8").on("data", (data: string) => {
            partial += data;
            let newline: number;
            while ((newline = partial.indexOf("\n")) >= 0) {
                const line = partial.slice(0, newline).trim();
                partial = partial.slice(newline + 1);
                if (decoder.waiter) decoder.waiter(line);
                else decoder.lines.push(line);
            }
        });
        let stderr = "";
        child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
        child.on("error", (error: NodeJS.ErrnoException) => {
            const message = error.code === "ENOENT" ? `pocketsphinx_continuous not found; ${installHint("pocketsphinx")}` : error.message;
            decoder.waiter?.(null, new HarkError("HARK_STT_FAILED", message));
        });
        child.on("close", (code, exitSignal) => {
            if (this.decoder === decoder) this.decoder = null;
            decoder.input.destroy();
            if (decoder.stopping) {
                // Stopped for a new grammar while an utterance waited on it: that utterance is decoded again.
                decoder.waiter?.(null, new DecoderDiedError("stopped for a new grammar"));
                return;
            }
            // Killed by a signal (code null) counts too: waiting for a result that cannot come only hid the failure.
            const reason = lastLine(stderr) || (exitSignal ? `killed by ${exitSignal}` : `exit ${code}`);
            this.options.log.error({ code, signal: exitSignal, reason }, "pocketsphinx stopped");
            decoder.waiter?.(null, new DecoderDiedError(reason));
        });
        this.decoder = decoder;
        return decoder;
    }

    private stopDecoder(): void {
        const decoder = this.decoder;
        this.decoder = null;
        if (!decoder) return;
        decoder.stopping = true;
        decoder.input.destroy();
        // SIGKILL: a decoder being replaced has nothing to save, and a hung one may not act on SIGTERM.
        decoder.child.kill("SIGKILL");
    }
}
