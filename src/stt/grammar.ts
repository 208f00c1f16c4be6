import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Logger } from "pino";
import { toSample } from "../audio/pcm.ts";
import { HarkError } from "../errors.ts";
import { packageRoot } from "../paths.ts";
import { compileGrammar, type GrammarOptions, type GrammarProblem, type TemplateIntent } from "../template/index.ts";
import { seededRandom } from "../util/random.ts";
import { BatchDecoder, DecoderDiedError, type PathSegment, type Segmentation } from "./pocketsphinx-batch.ts";
import type { Transcriber, Transcript } from "./transcriber.ts";

/** Options for {@link GrammarTranscriber.create}. */
export interface GrammarTranscriberOptions {
    /** Acoustic model folder. Defaults to Debian's pocketsphinx-en-us. */
    hmmDir?: string;
    /** Pronunciation dictionary. Defaults to Debian's cmudict-en-us.dict. */
    dictionaryPath?: string;
    /** Extra pronunciations, word → ARPAbet phones ("jarvis": "JH AA R V AH S"). */
    pronunciations?: Readonly<Record<string, string>>;
    /**
     * The general English language model the same audio is also decoded with, to tell how well it fits the grammar
     * (see {@link grammarConfidence}); `null` turns that off and every transcript is as sure as before. Defaults to
     * Debian's en-us.lm.bin.
     */
    referenceLmPath?: string | null;
    /** Filler words and polite openings a request may be said with (the config's stt.fillersBefore, stt.fillersAfter and nlu.leadingPhrases). */
    around?: GrammarOptions["around"];
    log: Logger;
}

const DEBIAN_MODEL = "/usr/share/pocketsphinx/model/en-us";

/** Words the built-in intents use that cmudict lacks; the config's `stt.pronunciations` come on top. */
const BUILTIN_PRONUNCIATIONS: Readonly<Record<string, string>> = {
    unpause: "AH N P AO Z", unfreeze: "AH N F R IY Z", ep: "IY P IY", prog: "P R AA G", synth: "S IH N TH", synthpop: "S IH N TH P AA P",
    breakbeat: "B R EY K B IY T", afrobeat: "AE F R OW B IY T", afrobeats: "AE F R OW B IY T S", highlife: "HH AY L AY F", bossa: "B AO S AH",
    bachata: "B AH CH AA T AH", zouk: "Z UW K", dancehall: "D AE N S HH AO L", acapella: "AA K AH P EH L AH", cantopop: "K AE N T OW P AA P",
    qawwali: "K AH W AA L IY", ghazal: "G AH Z AH L", fado: "F AA D OW", shoegaze: "SH UW G EY Z", chillwave: "CH IH L W EY V",
    vaporwave: "V EY P ER W EY V", exotica: "EH G Z AA T IH K AH"
};
/** Pronunciations for words the built-in intents use that cmudict lacks (service names, "o'clock" as normalised). */
const EXTRA_DICTIONARY = path.join(packageRoot, "src", "stt", "extra.dict");

/**
 * Peak of the faint noise added to each utterance, in steps of 16-bit audio (about -67 dBFS: under the noise of any
 * microphone, which it barely changes). Digital or near-digital silence — exact zeros, or the ±1-step hiss that
 * resampling dither leaves, as in synthesized or padded audio or from a microphone that gates — gives pocketsphinx
 * next to no spectrum: a decode over it found no sentence at all or the wrong one (docs/speech.md has the numbers).
 */
const NOISE_FLOOR = 24;
/** Fixed, so the same utterance always decodes the same. */
const NOISE_SEED = 0x5eed;

/** `samples` with a faint, repeatable noise floor under them. */
function withNoiseFloor(samples: Int16Array): Int16Array {
    const random = seededRandom(NOISE_SEED);
    const out = new Int16Array(samples.length);
    for (let i = 0; i < samples.length; i++) out[i] = toSample(samples[i]! + Math.round(random() * NOISE_FLOOR));
    return out;
}

/** How an utterance's grammar decoding compares with its open-vocabulary one: what a transcript's confidence is made of. */
export interface GrammarFit {
    /** Total path score, grammar less reference, per speech frame. */
    scorePerFrame: number;
    /** The same with acoustic scores alone (no language model on either side). */
    acousticPerFrame: number;
    /** The grammar's worst-fitting word: its acoustic score less the reference path's over the same frames, per frame. */
    worstWordPerFrame: number;
    /** Words in the grammar's transcript. */
    words: number;
    /** Speech frames of the grammar's path over all frames. */
    speechShare: number;
}

/** The acoustic score `path` gives frames `start` to `end`, each of its segments counted by how much of it lies there. */
function acousticOver(path: readonly PathSegment[], start: number, end: number): number {
    let total = 0;
    for (const s of path) {
        const overlap = Math.min(end, s.end) - Math.max(start, s.start);
        if (overlap > 0 && s.end > s.start) total += (s.acoustic * overlap) / (s.end - s.start);
    }
    return total;
}

/** Compares the two decodings of one utterance ({@link GrammarFit}). */
export function grammarFit(grammar: Segmentation, reference: Segmentation): GrammarFit {
    const speech = Math.max(20, grammar.speechFrames, reference.speechFrames);
    let worst = 0;
    for (const s of grammar.segments) {
        if (!s.speech || s.end - s.start < 3) continue;
        worst = Math.min(worst, (s.acoustic - acousticOver(reference.segments, s.start, s.end)) / (s.end - s.start));
    }
    return {
        scorePerFrame: (grammar.score - reference.score) / speech,
        acousticPerFrame: (grammar.acoustic - reference.acoustic) / speech,
        worstWordPerFrame: worst,
        words: grammar.words.length,
        speechShare: grammar.speechFrames / Math.max(1, grammar.frames)
    };
}

/**
 * The weights of {@link grammarConfidence}: a logistic regression fitted on the speech benchmark's labelled utterances
 * (scripts/fit-transcript-confidence.ts; docs/precision.md has the sets and the numbers), its 0.5 put where 3 % of the
 * commands it would act on rightly fall below. The config's thresholds (stt.minConfidence, stt.askBelowConfidence) sit
 * where 2 % and 20 % of them do.
 */
const CONFIDENCE_WEIGHTS: { readonly bias: number; readonly features: Readonly<Partial<Record<keyof GrammarFit, number>>> } = {
    features: { scorePerFrame: 0.16293, worstWordPerFrame: 0.03135 }, bias: 3.062
};

/**
 * How well an utterance fits the grammar, 0..1, from the comparison of its two decodings ({@link GrammarFit}). Speech
 * that is a sentence of the grammar scores about as well under the grammar as under general English, word by word;
 * anything else is forced into the nearest sentence of the grammar and scores far worse than under general English,
 * worst of all where a word of the sentence stands on sounds that were no such word.
 */
export function grammarConfidence(fit: GrammarFit): number {
    if (fit.words === 0) return 0;
    let sum = CONFIDENCE_WEIGHTS.bias;
    for (const [feature, weight] of Object.entries(CONFIDENCE_WEIGHTS.features)) sum += weight * fit[feature as keyof GrammarFit];
    return 1 / (1 + Math.exp(-sum));
}

/**
 * pocketsphinx scales each frame's acoustic scores by the best senone it computed, and by default it computes only
 * those of the words its search holds open: the same words on the same audio would then score worse in a bigger
 * grammar (more intents, optional polite words, a bigger music library) and the confidence would drift with it.
 * Computing every senone takes that scaling out; what the grammar still moves is the path's alignment (docs/precision.md).
 */
const SCORE_EVERY_SENONE = ["-compallsen", "yes"];

/** The two decoders of one grammar: the grammar itself, and the open-vocabulary reference (when on). */
interface Decoders {
    grammar: BatchDecoder;
    reference: BatchDecoder | null;
}

/**
 * pocketsphinx decoding against a JSGF grammar compiled from the loaded intents: fast and accurate for the
 * sentences hark understands. The same audio is decoded with a general English language model too, and the two
 * scores give each transcript a confidence, so speech that is no sentence of the grammar can be turned down instead
 * of being taken for the nearest one. Rebuild with {@link setIntents} when intents change.
 */
export class GrammarTranscriber implements Transcriber {
    public readonly name = "grammar";
    private readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), "hark-grammar-"));
    private problems: GrammarProblem[] = [];
    private ready = false;
    private decoders: Decoders | null = null;
    private queue: Promise<void> = Promise.resolve();
    private utterances = 0;
    private started = 0;

    private constructor(
        private readonly options: GrammarTranscriberOptions,
        private readonly hmmDir: string,
        private readonly dictionaryPath: string,
        private readonly referenceLmPath: string | null,
        private readonly dictionary: Map<string, string[]>
    ) {}

    public static async create(options: GrammarTranscriberOptions): Promise<GrammarTranscriber> {
        const hmmDir = options.hmmDir ?? path.join(DEBIAN_MODEL, "en-us");
        const dictionaryPath = options.dictionaryPath ?? path.join(DEBIAN_MODEL, "cmudict-en-us.dict");
        for (const [what, p] of [["acoustic model", hmmDir], ["dictionary", dictionaryPath]] as const) {
            if (!fs.existsSync(p)) throw new HarkError("HARK_MODEL_MISSING", `pocketsphinx ${what} not found at ${p}; install it with "sudo apt-get install pocketsphinx-en-us" (scripts/setup.sh does this)`);
        }
        let referenceLmPath = options.referenceLmPath === undefined ? path.join(DEBIAN_MODEL, "en-us.lm.bin") : options.referenceLmPath;
        if (referenceLmPath != null && !fs.existsSync(referenceLmPath)) {
            options.log.warn({ file: referenceLmPath }, "the general language model is missing, so speech the intents do not cover cannot be told apart and is taken for their nearest sentence; install pocketsphinx-en-us");
            referenceLmPath = null;
        }
        const dictionary = new Map<string, string[]>();
        for (const line of [...fs.readFileSync(dictionaryPath, "utf8").split("\n"), ...fs.readFileSync(EXTRA_DICTIONARY, "utf8").split("\n")]) {
            const space = line.indexOf(" ");
            if (space <= 0) continue;
            const word = line.slice(0, space).replace(/\(\d+\)$/, "");
            const phones = line.slice(space + 1).trim();
            dictionary.set(word, [...(dictionary.get(word) ?? []), phones]);
        }
        for (const [word, phones] of Object.entries({ ...BUILTIN_PRONUNCIATIONS, ...options.pronunciations })) dictionary.set(word.toLowerCase(), [phones.toUpperCase()]);
        return new GrammarTranscriber(options, hmmDir, dictionaryPath, referenceLmPath, dictionary);
    }

    /** Words the grammar had to leave out, and wildcard slots without values: each with what to do. */
    public get grammarProblems(): readonly GrammarProblem[] {
        return this.problems;
    }

    /** Compiles the grammar from the intents; `slotValues` fills wildcard slots (song titles, artists, ...). */
    public setIntents(intents: readonly TemplateIntent[], slotValues: Readonly<Record<string, readonly string[]>> = {}): void {
        const grammar = compileGrammar(intents, { dictionary: new Set(this.dictionary.keys()), slotValues, around: this.options.around });
        this.problems = grammar.problems;
        if (grammar.problems.length) {
            this.options.log.warn({ problems: grammar.problems.map((p) => `${p.intent}: ${p.subject}`) }, `${grammar.problems.length} grammar gap(s): some phrases cannot be heard; "hark intents check" explains each`);
        }
        for (const p of grammar.problems) this.options.log.debug({ intent: p.intent, kind: p.kind, subject: p.subject }, p.message);
        // A dictionary of just the grammar's words keeps pocketsphinx's start-up short.
        const dict = [...grammar.words].sort().flatMap((w) => this.dictionary.get(w)!.map((phones, i) => `${i ? `${w}(${i + 1})` : w} ${phones}`));
        fs.writeFileSync(path.join(this.dir, "hark.jsgf"), grammar.jsgf);
        fs.writeFileSync(path.join(this.dir, "hark.dict"), `${dict.join("\n")}\n`);
        // The running grammar decoder has the old grammar: the next utterance starts a new one (the reference stays).
        this.decoders?.grammar.stop();
        this.ready = true;
        this.options.log.info({ words: grammar.words.size, problems: grammar.problems.length }, "grammar compiled");
    }

    /**
     * Decodes one utterance, whole and on its own (its cepstral mean comes from itself, and no voice detector of
     * pocketsphinx's decides where it starts). A decoder that fails the utterance (died, was stopped for a new
     * grammar, or never answered; not a missing program) is replaced and the utterance tried once more.
     */
    public transcribe(samples: Int16Array, signal?: AbortSignal): Promise<Transcript> {
        if (!this.ready) return Promise.reject(new HarkError("HARK_STT_NOT_READY", "the grammar has not been compiled; call setIntents first"));
        const run = this.queue.then(() => this.decode(samples, signal).catch((error: unknown) => {
            if (!(error instanceof DecoderDiedError) || signal?.aborted) throw error;
            this.options.log.warn({ err: error }, `${error.message}; decoding the utterance again with a new pocketsphinx`);
            return this.decode(samples, signal);
        }));
        this.queue = run.then(() => undefined, () => undefined);
        return run;
    }

    public async dispose(): Promise<void> {
        this.stopDecoders();
        fs.rmSync(this.dir, { recursive: true, force: true });
    }

    private async decode(samples: Int16Array, signal?: AbortSignal): Promise<Transcript> {
        const decoders = this.running();
        const id = `u${++this.utterances}`;
        const audio = path.join(this.dir, `${id}.raw`);
        const floored = withNoiseFloor(samples);
        fs.writeFileSync(audio, Buffer.from(floored.buffer, floored.byteOffset, floored.byteLength));
        const durationMs = (samples.length / 16_000) * 1000;
        try {
            // Both decoders work at once, on two cores; the turn waits for the slower.
            const [grammar, reference] = await Promise.all([decoders.grammar.decode(id, durationMs, signal), decoders.reference?.decode(id, durationMs, signal) ?? null]).catch((error: unknown) => {
                // A decoder that failed the utterance is replaced (one that died is gone already).
                if (this.decoders === decoders) this.stopDecoders();
                throw error;
            });
            if (grammar == null) return { text: "", engine: this.name };
            const text = grammar.words.join(" ");
            if (!text) return { text, engine: this.name, confidence: 0, detail: { noHypothesis: true } };
            if (reference == null) return { text, engine: this.name };
            const fit = grammarFit(grammar, reference);
            // Three decimals, and never 1: a transcript is never certain.
            const confidence = Math.min(0.999, Math.round(grammarConfidence(fit) * 1000) / 1000);
            return {
                text, engine: this.name, confidence,
                detail: { confidence, grammarScore: grammar.score, referenceScore: reference.score, speechFrames: Math.max(grammar.speechFrames, reference.speechFrames), reference: reference.words.join(" "), fit }
            };
        } finally {
            fs.rmSync(audio, { force: true });
        }
    }

    /** The decoders, started where none runs (at the first utterance, after a new grammar or a failure). */
    private running(): Decoders {
        const stamp = `${Date.now()}-${++this.started}`;
        const model = ["-hmm", this.hmmDir];
        const log = this.options.log;
        const grammar = this.decoders && !this.decoders.grammar.dead ? this.decoders.grammar : BatchDecoder.start({
            dir: this.dir, role: "grammar", log,
            // Wider beams than the defaults: with a grammar this size the default pruning loses the right path and
            // returns nothing ("final result does not match the grammar"); measured with npm run bench.
            searchArgs: ["-jsgf", path.join(this.dir, "hark.jsgf"), "-dict", path.join(this.dir, "hark.dict"), ...model, ...SCORE_EVERY_SENONE, "-beam", "1e-60", "-pbeam", "1e-60", "-wbeam", "1e-40"]
        }, stamp);
        const reference = this.referenceLmPath == null ? null : this.decoders?.reference && !this.decoders.reference.dead ? this.decoders.reference : BatchDecoder.start({
            dir: this.dir, role: "reference", log,
            // One forward pass with narrower beams: a reference score is all it gives, at a fifth of a full decoding's time.
            searchArgs: ["-lm", this.referenceLmPath, "-dict", this.dictionaryPath, ...model, ...SCORE_EVERY_SENONE, "-fwdflat", "no", "-bestpath", "no", "-beam", "1e-40", "-wbeam", "1e-25"]
        }, stamp);
        this.decoders = { grammar, reference };
        return this.decoders;
    }

    private stopDecoders(): void {
        const decoders = this.decoders;
        this.decoders = null;
        decoders?.grammar.stop();
        decoders?.reference?.stop();
    }
}
