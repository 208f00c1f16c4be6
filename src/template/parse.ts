import { templateWords, tokenize } from "./normalize.ts";
import { TemplateSyntaxError, type TemplateIntent } from "./types.ts";

/** A parsed sentence template: a sequence of nodes. */
export type Sequence = TemplateNode[];

/** One element of a template. Optional parts `[x]` become an alternative with an empty branch. */
export type TemplateNode =
    | { kind: "word"; text: string }
    | { kind: "alt"; options: Sequence[] }
    /** `possessive`: written `{artist}'s`, the value's last word was said with "'s", which is no part of the value. */
    | { kind: "slot"; name: string; possessive?: true }
    | { kind: "rule"; name: string };

/**
 * Parses a hassil-style template: `(what's|what is) the weather [like] in {location}`.
 * `(a|b)` alternatives, `[a]` optional, `{name}` slot (`{name}'s`: said with a possessive "'s", kept out of the
 * value), `<name>` expansion rule; words are normalised like input.
 */
export function parseTemplate(template: string): Sequence {
    const known = parsed.get(template);
    if (known) return known;
    const { text, origin } = expandEndings(template);
    const parser = new Parser(text, template, origin);
    const seq = parser.sequence(null);
    if (!parser.done()) parser.fail(`unexpected "${parser.peek()}"`);
    parsed.set(template, seq);
    return seq;
}

/** Templates parsed so far: an intent's are checked when it loads and compiled again by the matcher and the grammar. Nobody changes a parsed sequence. */
const parsed = new Map<string, Sequence>();

/**
 * "minute[s]" and "max[imum]" are optional endings of one word, not a separate optional word: rewritten as
 * "(minute|minutes)". `origin[i]` is where the rewritten text's character i came from in the template, so that an
 * error points at the column the person wrote.
 */
function expandEndings(template: string): { text: string; origin: number[] } {
    let text = "";
    const origin: number[] = [];
    let last = 0;
    for (const match of template.matchAll(/([a-z0-9']+)\[([a-z0-9']+)\](?![a-z0-9'])/gi)) {
        for (let i = last; i < match.index; i++) origin.push(i);
        const out = `(${match[1]}|${match[1]}${match[2]})`;
        text += template.slice(last, match.index) + out;
        for (let i = 0; i < out.length; i++) origin.push(match.index);
        last = match.index + match[0].length;
    }
    for (let i = last; i <= template.length; i++) origin.push(i);
    return { text: text + template.slice(last), origin };
}

/** Slot names referenced by a template (only those written `{name}'s` when `which` says so), rules resolved through `rules`. */
export function collectSlots(seq: Sequence, rules: ReadonlyMap<string, Sequence> = new Map(), seen = new Set<string>(), which: "all" | "possessive" = "all"): Set<string> {
    const names = new Set<string>();
    const visit = (nodes: Sequence): void => {
        for (const node of nodes) {
            if (node.kind === "slot" && (which === "all" || node.possessive)) names.add(node.name);
            else if (node.kind === "alt") node.options.forEach(visit);
            else if (node.kind === "rule" && !seen.has(node.name)) {
                seen.add(node.name);
                const body = rules.get(node.name);
                if (body) visit(body);
            }
        }
    };
    visit(seq);
    return names;
}

/** The words a template spells out (rules not followed), added to `into`. */
export function collectWords(seq: Sequence, into = new Set<string>()): Set<string> {
    for (const node of seq) {
        if (node.kind === "word") into.add(node.text);
        else if (node.kind === "alt") node.options.forEach((o) => collectWords(o, into));
    }
    return into;
}

/** The words an intent's sentences and rules spell out (not its listed values), added to `into`. */
export function sentenceWords(intent: Pick<TemplateIntent, "sentences" | "rules">, into = new Set<string>()): Set<string> {
    for (const template of [...intent.sentences.flatMap((g) => g.sentences), ...Object.values(intent.rules)]) collectWords(parseTemplate(template), into);
    return into;
}

/**
 * Every word an intent's sentences, rules and listed values spell out ("weather", "near", "later"): the words that
 * say this intent is asked for, as against a name or a date said with it.
 */
export function intentWords(intent: Pick<TemplateIntent, "sentences" | "slots" | "rules">): Set<string> {
    const words = sentenceWords(intent);
    for (const list of Object.values(intent.slots)) if (list.kind === "values") for (const value of list.values) for (const word of tokenize(value.in)) words.add(word.text);
    return words;
}

/** Rule names referenced by a template. */
export function collectRules(seq: Sequence): Set<string> {
    const names = new Set<string>();
    const visit = (nodes: Sequence): void => {
        for (const node of nodes) {
            if (node.kind === "rule") names.add(node.name);
            else if (node.kind === "alt") node.options.forEach(visit);
        }
    };
    visit(seq);
    return names;
}

class Parser {
    private pos = 0;

    /** `text` is the template after {@link expandEndings}; errors name `template` and the column it had there. */
    public constructor(private readonly text: string, private readonly template: string, private readonly origin: readonly number[]) {}

    public done(): boolean {
        return this.pos >= this.text.length;
    }

    public peek(): string {
        return this.text[this.pos] ?? "";
    }

    public fail(reason: string): never {
        throw new TemplateSyntaxError(this.template, (this.origin[this.pos] ?? this.template.length) + 1, reason);
    }

    /** Reads until `close` (or the end when `close` is null); splits on `|` into alternatives when inside a group. */
    public sequence(close: ")" | "]" | null): Sequence {
        const options: Sequence[] = [[]];
        let literal = "";
        const flush = (): void => {
            if (literal.trim()) options[options.length - 1]!.push(...templateWords(literal).map((text) => ({ kind: "word" as const, text })));
            literal = "";
        };
        while (!this.done()) {
            const c = this.peek();
            if (c === close) {
                break;
            } else if (c === ")" || c === "]") {
                this.fail(`"${c}" without a matching opening bracket`);
            } else if (c === "|") {
                if (close == null) this.fail(`"|" outside ( ) or [ ]; write (a|b)`);
                flush();
                options.push([]);
                this.pos++;
            } else if (c === "(" || c === "[") {
                flush();
                this.pos++;
                const closing = c === "(" ? ")" : "]";
                const inner = this.sequence(closing);
                if (this.peek() !== closing) this.fail(`"${c}" is never closed with "${closing}"`);
                this.pos++;
                const alt = inner.length === 1 && inner[0]!.kind === "alt" ? inner[0]!.options : [inner];
                options[options.length - 1]!.push({ kind: "alt", options: c === "[" ? [...alt, []] : alt });
            } else if (c === "{" || c === "<") {
                flush();
                const closing = c === "{" ? "}" : ">";
                const end = this.text.indexOf(closing, this.pos);
                if (end < 0) this.fail(`"${c}" is never closed with "${closing}"`);
                const name = this.text.slice(this.pos + 1, end).trim();
                if (!/^[a-z_][a-z0-9_]*$/i.test(name)) this.fail(`"${name}" is not a valid ${c === "{" ? "slot" : "rule"} name (letters, digits, _)`);
                this.pos = end + 1;
                if (c === "{" && /^'s(?![a-z0-9'])/i.test(this.text.slice(this.pos))) {
                    options[options.length - 1]!.push({ kind: "slot", name, possessive: true });
                    this.pos += 2;
                } else {
                    options[options.length - 1]!.push({ kind: c === "{" ? "slot" : "rule", name });
                }
            } else if (c === "}" || c === ">") {
                this.fail(`"${c}" without a matching opening bracket`);
            } else {
                literal += c;
                this.pos++;
            }
        }
        flush();
        if (options.length === 1) return options[0]!;
        return [{ kind: "alt", options }];
    }
}
