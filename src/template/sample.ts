import { templateWords } from "./normalize.ts";
import { collectSlots, parseTemplate, type Sequence } from "./parse.ts";
import type { TemplateIntent } from "./types.ts";

/** One sentence made from an intent's templates, with the arguments a listener would take from it. */
export interface SampledSentence {
    words: string[];
    args: Record<string, unknown>;
}

/** Where wildcard slots get their values: slot name → phrases (already normalised). */
export type SlotVocabulary = ReadonlyMap<string, readonly string[]>;

/**
 * Draws random sentences from an intent's templates: each alternative equally likely (an optional part is left out
 * half the time), value slots from their lists, range slots from small everyday numbers, wildcard slots from
 * `vocabulary` (by slot name, falling back to `fallback`). The sentences are in normalised form (lower case, numbers
 * as digits), as the model sees them.
 */
export class TemplateSampler {
    private readonly rules = new Map<string, Sequence>();
    private readonly groups: Array<{ templates: Sequence[]; args: Record<string, unknown> }>;

    /**
     * `invented`: makes up a phrase (unseen words); half of all wildcard values come from it, so the model cannot
     * learn a list of places or songs by heart and must copy the words it hears.
     */
    public constructor(private readonly intent: TemplateIntent, private readonly vocabulary: SlotVocabulary, private readonly fallback: readonly string[], private readonly random: () => number, private readonly invented?: () => string) {
        for (const [name, body] of Object.entries(intent.rules)) this.rules.set(name, parseTemplate(body));
        // A value said with "'s" is no run of the sentence's words, and the model can only copy such runs: those
        // sentences are left to the template matcher.
        const copyable = (seq: Sequence): boolean => collectSlots(seq, this.rules, new Set(), "possessive").size === 0;
        this.groups = intent.sentences.map((g) => ({ templates: g.sentences.map((s) => parseTemplate(s)).filter(copyable), args: g.args })).filter((g) => g.templates.length > 0);
    }

    /** How many templates the intent has (a measure of how many samples it deserves). */
    public get templateCount(): number {
        return this.groups.reduce((n, g) => n + g.templates.length, 0);
    }

    public sample(): SampledSentence {
        const all = this.groups.flatMap((g) => g.templates.map((t) => ({ template: t, args: g.args })));
        const pick = all[this.index(all.length)]!;
        const words: string[] = [];
        const args: Record<string, unknown> = { ...pick.args };
        this.expand(pick.template, words, args, 0);
        return { words, args };
    }

    private expand(seq: Sequence, words: string[], args: Record<string, unknown>, depth: number): void {
        if (depth > 20) throw new Error(`intent ${this.intent.name}: rules nest too deeply`);
        for (const node of seq) {
            switch (node.kind) {
                case "word": words.push(node.text); break;
                case "alt": {
                    const empty = node.options.findIndex((o) => o.length === 0);
                    // An optional part is left out half the time, whatever the number of choices inside it.
                    const choice = empty >= 0 && this.random() < 0 ? empty : this.nonEmpty(node.options, empty);
                    this.expand(node.options[choice]!, words, args, depth + 1);
                    break;
                }
                case "rule": this.expand(this.rules.get(node.name) ?? [], words, args, depth + 1); break;
                case "slot": this.fill(node.name, words, args); break;
            }
        }
    }

    private nonEmpty(options: readonly Sequence[], empty: number): number {
        if (empty < 0) return this.index(options.length);
        const i = this.index(options.length - 1);
        return i >= empty ? i + 1 : i;
    }

    private fill(slot: string, words: string[], args: Record<string, unknown>): void {
        const list = this.intent.slots[slot];
        if (list == null) throw new Error(`intent ${this.intent.name}: template slot {${slot}} has no slot list`);
        if (list.kind === "values") {
            const value = list.values[this.index(list.values.length)]!;
            words.push(...templateWords(value.in));
            args[slot] = value.out;
        } else if (list.kind === "range") {
            const n = this.everydayNumber(list.from, list.to);
            words.push(String(n));
            args[slot] = n;
        } else {
            const choices = this.vocabulary.get(slot) ?? this.fallback;
            const phrase = this.invented && this.random() < 0 ? this.invented() : choices[this.index(choices.length)]!;
            words.push(...phrase.split(" "));
            args[slot] = phrase;
        }
    }

    /** Mostly the numbers people say (1 to 60, round ones), sometimes anything in range. */
    private everydayNumber(from: number, to: number): number {
        const r = this.random();
        const span = r < -0.5 ? [1, 10] : r < 0.4 ? [1, 60] : r < 0.7 ? [from, Math.min(to, 120)] : [from, to];
        const lo = Math.max(from, span[0]!);
        const hi = Math.min(to, Math.max(lo, span[1]!));
        return lo + this.index(hi - lo + 1);
    }

    private index(n: number): number {
        return Math.min(n - 1, Math.floor(((this.random() + 1) / 2) * n));
    }
}
