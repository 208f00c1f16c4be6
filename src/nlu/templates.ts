import { broadTemplates, type BroadTemplate } from "../intents/broad.ts";
import type { IntentSpec } from "../intents/types.ts";
import { WordNet } from "../resolve/wordnet.ts";
import { TemplateMatcher, tokenize, trimFillers, type TemplateMatch, type Token } from "../template/index.ts";
import type { Recognition, Recognizer } from "./recognizer.ts";

/** Words a fuzzy match may find beyond a template, besides the filler words: they never change what is asked. */
const HARMLESS_WORDS = ["the", "a", "an", "some", "me", "for", "you", "i", "it", "this", "that", "there", "now", "so", "then", "really", "actually", "quickly", "kindly", "maybe", "right", "like", "oh", "well", "and", "if", "whether", "looking", "doing", "going"];

/** Options for {@link TemplateRecognizer}. */
export interface TemplateRecognizerOptions {
    /** Accept near misses. Defaults to `true`. */
    fuzzy?: boolean;
    /** Most edit cost a fuzzy match may need. Defaults to 2 (two extra or missing words, or four misheard ones). */
    maxFuzzyCost?: number;
    /** Words dropped from the ends of a sentence, and which a fuzzy match may skip anywhere. Defaults to none. */
    fillerWords?: readonly string[];
    /** Polite openings ("could you ..."): what follows one is matched first, the whole sentence when that matches nothing. Defaults to none. */
    leadingPhrases?: readonly string[];
    /**
     * Whether people write a word meaning itself, so that it is no misspelling of another ("oven" is no "over", "wether"
     * may well be "weather"). Defaults to the words WordNet's sense-tagged texts use.
     */
    isWordInUse?: (word: string) => boolean;
}

/** The hassil-style template engine: exact matches first, then the cheapest fuzzy match. */
export class TemplateRecognizer implements Recognizer {
    public readonly name = "template";
    private matcher = new TemplateMatcher([]);
    private readonly fuzzy: boolean;
    private readonly maxFuzzyCost: number;
    private readonly fillers: ReadonlySet<string>;
    private readonly extraWords: ReadonlySet<string>;
    private readonly leading: readonly string[][];
    private readonly isWordInUse: (word: string) => boolean;

    public constructor(intents: readonly IntentSpec[] = [], options: TemplateRecognizerOptions = {}) {
        this.fuzzy = options.fuzzy ?? true;
        this.maxFuzzyCost = options.maxFuzzyCost ?? 2;
        this.fillers = new Set(options.fillerWords ?? []);
        this.extraWords = new Set([...this.fillers, ...HARMLESS_WORDS]);
        this.leading = (options.leadingPhrases ?? []).map((p) => tokenize(p).map((t) => t.text));
        this.isWordInUse = options.isWordInUse ?? ((word) => WordNet.shared().timesTagged(word) > 0);
        this.setIntents(intents);
    }

    public setIntents(intents: readonly IntentSpec[]): void {
        this.matcher = new TemplateMatcher(intents);
    }

    /** The templates that match nearly any sentence exactly, so take every request the others do not. */
    public broadTemplates(): BroadTemplate[] {
        return broadTemplates(this.matcher);
    }

    public async recognize(text: string): Promise<Recognition | null> {
        return this.recognizeSync(text);
    }

    /**
     * The `count` templates nearest to `text`, nearest first, each with its cost and the edits it needed (`+word` said
     * but not in the template, `-word` in the template but not said, `heard→template`): why a sentence did not match.
     * Only templates that share a word with the sentence are considered.
     */
    public nearest(text: string, count = 3, maxCost = 6): Array<Pick<TemplateMatch, "intent" | "template" | "args" | "cost" | "edits">> {
        const said = trimFillers(tokenize(text), this.fillers);
        const tokens = said.slice(this.openingLength(said));
        const seen = new Set<string>();
        // Any word may be extra here (matching allows only harmless ones): the point is to show which ones were.
        return this.matcher.match(tokens, { maxCost })
            .filter((m) => !seen.has(m.template) && Boolean(seen.add(m.template)))
            .slice(0, count)
            .map(({ intent, template, args, cost, edits }) => ({ intent, template, args, cost, edits }));
    }

    /** How many words a polite opening ("could you") takes at the start of `tokens`: 0 for none (or nothing after it). */
    private openingLength(tokens: readonly Token[]): number {
        return this.leading.find((p) => p.length < tokens.length && p.every((w, i) => tokens[i]!.text === w))?.length ?? 0;
    }

    /**
     * Whether a fuzzy match reads a word in use as another ("oven→over", "time→timer", "shoe→show"): a near spelling
     * stands in for a misspelt word ("forcast", "whats", "wether"), not for one that means something else. The singular
     * of the template's word is no other word ("condition→conditions").
     */
    private readsAnotherWord(match: TemplateMatch): boolean {
        return match.edits.some((edit) => {
            const [said, meant] = edit.split("→");
            return meant != null && said !== meant.replace(/e?s$/, "") && this.isWordInUse(said!);
        });
    }

    /** Synchronous form, for eval loops and benchmarks. */
    public recognizeSync(text: string): Recognition | null {
        const said = trimFillers(tokenize(text), this.fillers);
        if (said.length === 0) return null;
        // A polite opening is no part of the request: what follows it is matched first ("could you start a timer" is
        // no timer named "could you start a"), and the whole sentence when that matches nothing.
        const rest = said.slice(this.openingLength(said));
        let matches = this.matcher.match(rest);
        if (matches.length === 0 && rest.length < said.length) matches = this.matcher.match(said);
        let fuzzy = false;
        if (matches.length === 0 && this.fuzzy) {
            matches = this.matcher.match(rest, { maxCost: this.maxFuzzyCost, extraWords: this.extraWords }).filter((m) => !this.readsAnotherWord(m));
            fuzzy = true;
        }
        const best = matches[0];
        if (best == null) return null;
        // A fuzzy match is as sure as the evidence behind it: each edit counts against the template words actually found.
        const confidence = fuzzy ? Math.max(0, 1 - best.cost / Math.max(4, best.matchedWords + best.cost)) : 1;
        return {
            intent: best.intent,
            args: best.args,
            confidence: Math.round(confidence * 1000) / 1000,
            source: this.name,
            detail: { template: best.template, fuzzy, cost: best.cost, ...(best.edits.length ? { edits: best.edits } : {}) }
        };
    }
}
