import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Logger } from "pino";
import { writeWav } from "../audio/pcm.ts";
import { HarkError } from "../errors.ts";
import type { IntentSpec } from "../intents/types.ts";
import { runProgram } from "../util/program.ts";
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
        this.ready = true;
        this.options.log.info({ words: grammar.words.size, problems: grammar.problems.length }, "grammar compiled");
    }

    public async transcribe(samples: Int16Array, signal?: AbortSignal): Promise<Transcript> {
        if (!this.ready) throw new HarkError("HARK_STT_NOT_READY", "the grammar has not been compiled; call setIntents first");
        const wav = path.join(this.dir, `utterance-${process.pid}-${Date.now()}.wav`);
        writeWav(wav, samples);
        try {
            const { stdout } = await runProgram([
                "pocketsphinx_continuous", "-infile", wav, "-jsgf", path.join(this.dir, "hark.jsgf"), "-dict", path.join(this.dir, "hark.dict"),
                "-hmm", this.hmmDir, "-logfn", "/dev/null",
                // Wider beams than the defaults: with a grammar this size the default pruning loses the right path
                // and returns nothing ("final result does not match the grammar"); measured with npm run bench.
                "-beam", "1e-60", "-pbeam", "1e-60", "-wbeam", "1e-40"
            ], { signal, timeoutMs: 30_000 });
            const text = stdout.split("\n").map((l) => l.trim()).filter(Boolean).join(" ");
            return { text, engine: this.name };
        } finally {
            fs.rmSync(wav, { force: true });
        }
    }

    public async dispose(): Promise<void> {
        fs.rmSync(this.dir, { recursive: true, force: true });
    }
}
