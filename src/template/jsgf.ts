import { contractedForms, templateWords } from "./normalize.ts";
import { numberToWords } from "./numbers.ts";
import { isFunctionWord } from "./match.ts";
import { parseTemplate, sentenceWords, type Sequence } from "./parse.ts";
import type { TemplateIntent } from "./types.ts";

/** Something the grammar could not include, and what to do about it. */
export interface GrammarProblem {
    intent: string;
    kind: "missing-pronunciation" | "wildcard-without-values";
    /** The word without a pronunciation, or the slot without values. */
    subject: string;
    message: string;
}

/** A compiled JSGF grammar with the words it uses. */
export interface CompiledGrammar {
    jsgf: string;
    words: Set<string>;
    problems: GrammarProblem[];
}

/** Options for {@link compileGrammar}. */
export interface GrammarOptions {
    /** Words that have a pronunciation. */
    dictionary: ReadonlySet<string>;
    /** Values for wildcard slots, by slot name (song titles from the music folder, a user's list, ...). */
    slotValues?: Readonly<Record<string, readonly string[]>>;
    /**
     * What a request may be said with that typed text is matched without: a filler word before it ("please"), one after
     * it ("thanks") and a polite opening ("could you"). Phrases with a word the dictionary lacks are left out.
     */
    around?: { before?: readonly string[]; after?: readonly string[]; leadingPhrases?: readonly string[] };
}

/**
 * The numbers people say, for a number slot wider than 200: every number to 100, tens to 200, hundreds to 900 ("a
 * timer for 90 seconds", "150 minutes", "500 seconds"). Nobody asks for "nineteen thousand four seconds", and a
 * grammar that holds every number lets any speech pass for one.
 */
function spokenNumbers(from: number, to: number): number[] {
    const said = (n: number): boolean => n <= 100 || (n <= 200 && n % 10 === 0) || (n < 1000 && n % 100 === 0);
    return Array.from({ length: Math.min(to, 999) - from + 1 }, (_, i) => from + i).filter(said);
}

/**
 * What a wildcard slot may not hold that names another kind of thing, as values the recogniser can hear: "what's the
 * weather like in the film" is then heard as said, and turned down for "film", instead of forced into the nearest
 * place the grammar knows. A phrase needs a word no intent's sentences or rules say (`said`): one made of such words
 * and function words ("next song", "to") is another request or part of one, and heard as a name it would take that
 * request's place. A phrase without an article is heard with "the" too.
 */
function decoys(exclude: readonly string[], said: ReadonlySet<string>): string[] {
    return exclude
        .filter((phrase) => templateWords(phrase).some((word) => !said.has(word) && !isFunctionWord(word)))
        .flatMap((phrase) => (/^(the|a|an|my) /.test(phrase) ? [phrase] : [phrase, `the ${phrase}`]));
}

/** Words as the recogniser hears them: digits spelled out ("5" → "five"). */
function spokenWords(text: string): string[] {
    return templateWords(text).flatMap((word) => (/^\d+$/.test(word) ? numberToWords(Number(word)).split(" ") : [word]));
}

/**
 * Compiles every intent's sentence templates into one JSGF grammar for a closed-vocabulary recogniser.
 * List and number slots become alternatives. A wildcard slot cannot be expressed in a closed grammar: it takes the
 * values given for its name (music titles, a user's list) plus the values in the intent's examples; with none, the
 * sentences that need it are left out and reported. A word without a pronunciation is left out and reported too,
 * so recognition never fails on it.
 */
export function compileGrammar(intents: readonly TemplateIntent[], options: GrammarOptions): CompiledGrammar {
    const problems: GrammarProblem[] = [];
    const words = new Set<string>();
    const rules: string[] = [];
    const reported = new Set<string>();
    const report = (problem: GrammarProblem): void => {
        const key = `${problem.intent}/${problem.kind}/${problem.subject}`;
        if (!reported.has(key)) {
            reported.add(key);
            problems.push(problem);
        }
    };
    const phrase = (intent: string, text: string): string | null => {
        const spoken = spokenWords(text);
        const missing = spoken.filter((w) => !options.dictionary.has(w));
        for (const w of missing) {
            report({ intent, kind: "missing-pronunciation", subject: w, message: `intent ${intent}: "${w}" has no pronunciation in the dictionary, so phrases with it cannot be heard; add its ARPAbet phones under stt.pronunciations (like jarvis: "JH AA R V AH S") or change the sentence` });
        }
        if (missing.length || spoken.length === 0) return null;
        spoken.forEach((w) => words.add(w));
        return spoken.join(" ");
    };
    const intentRules: string[] = [];
    const said = new Set<string>();
    for (const intent of intents) sentenceWords(intent, said);

    for (const intent of intents) {
        const id = ruleName(intent.name);
        const slotRules = new Map<string, string | null>();
        const slotRule = (name: string): string | null => {
            if (slotRules.has(name)) return slotRules.get(name)!;
            const list = intent.slots[name];
            let body: string | null = null;
            if (list?.kind === "values") {
                body = sharedBeginnings(list.values.map((v) => wordsOf(phrase(intent.name, v.in))));
            } else if (list?.kind === "range") {
                const numbers = list.to - list.from <= 200 ? Array.from({ length: list.to - list.from + 1 }, (_, i) => list.from + i) : spokenNumbers(list.from, list.to);
                body = sharedBeginnings(numbers.map((n) => wordsOf(phrase(intent.name, numberToWords(n)))));
            } else if (list?.kind === "wildcard") {
                const values = [...(options.slotValues?.[name] ?? []), ...intent.examples.map((e) => e.args[name]).filter((v): v is string => typeof v === "string")];
                const heard = [...new Set(values)].map((v) => wordsOf(phrase(intent.name, v)));
                // Decoys without a pronunciation are left out quietly: they are no phrase anyone asked to be heard.
                const refused = list.hearExcluded?.length && heard.some((v) => v != null) ? decoys(list.hearExcluded, said).map(spokenWords).filter((w) => w.every((x) => options.dictionary.has(x))) : [];
                body = sharedBeginnings([...heard, ...refused]);
                if (body == null) {
                    report({ intent: intent.name, kind: "wildcard-without-values", subject: name, message: `intent ${intent.name}: {${name}} is a wildcard and no values are known for it; sentences that need it are left out of the grammar (give values under stt.slotValues.${name}, or use the whisper engine)` });
                }
            }
            const rule = body == null ? null : `<${id}_${ruleName(name)}>`;
            if (rule) rules.push(`${rule} = ${body};`);
            slotRules.set(name, rule);
            return rule;
        };
        const ruleBodies = new Map(Object.entries(intent.rules).map(([k, v]) => [k, parseTemplate(v)]));
        const expr = (seq: Sequence, stack: string[]): string | null => exprParts(seq, stack)?.join(" ") ?? null;
        const exprParts = (seq: Sequence, stack: string[]): string[] | null => {
            const parts: string[] = [];
            for (const node of seq) {
                let part: string | null;
                if (node.kind === "word") part = phrase(intent.name, node.text);
                // Speech has no apostrophes: a possessive slot's sentences are typed only.
                else if (node.kind === "slot") part = node.possessive ? null : slotRule(node.name);
                else if (node.kind === "rule") {
                    const body = ruleBodies.get(node.name);
                    const spoken = body && !stack.includes(node.name) && !intent.textOnlyRules.includes(node.name);
                    part = spoken ? expr(body, [...stack, node.name]) : null;
                } else {
                    const options = node.options.map((o) => (o.length === 0 ? "" : expr(o, stack)));
                    const present = options.filter((o): o is string => o != null && o !== "");
                    const optional = options.includes("");
                    if (present.length === 0) part = optional ? "" : null;
                    else part = optional ? `[${alternatives(present)}]` : `(${alternatives(present)})`;
                }
                if (part == null) return null;
                if (part) parts.push(part);
            }
            return withContractions(parts, options.dictionary);
        };
        const body = sharedBeginnings(sharedEndings(intent.sentences.flatMap((g) => g.sentences).map((s) => exprParts(parseTemplate(s), [])).filter((s): s is string[] => s != null && s.length > 0)));
        if (body == null) continue;
        rules.push(`<${id}> = ${body};`);
        intentRules.push(`<${id}>`);
    }
    if (intentRules.length === 0) throw new Error("no intent sentence could be expressed in the grammar");
    // Rule names with "-", which no intent's rule name has.
    const around = (name: string, phrases: readonly string[] = []): string => {
        const body = sharedBeginnings(phrases.map((p) => spokenWords(p)).filter((w) => w.every((x) => options.dictionary.has(x))));
        if (body == null) return "";
        rules.push(`<around-${name}> = ${body};`);
        return `[<around-${name}>]`;
    };
    const command = [around("before", options.around?.before), around("opening", options.around?.leadingPhrases), `(${intentRules.join(" | ")})`, around("after", options.around?.after)].filter(Boolean).join(" ");
    // The contracted forms withContractions() added, and the words around a request, are words of the grammar too.
    for (const rule of rules) for (const w of rule.slice(rule.indexOf("=")).replace(/<[^>]*>/g, " ").match(/[a-z']+/g) ?? []) words.add(w);
    const jsgf = ["#JSGF V1.0;", "grammar hark;", `public <command> = ${command};`, ...rules].join("\n");
    return { jsgf: `${jsgf}\n`, words, problems };
}

/**
 * Joins a sequence's parts, letting two plain words also be said contracted: "what is" becomes "(what is | what's)"
 * where the dictionary has "what's" (people say "what's the time"; the transcript is read back as "what is").
 */
function withContractions(parts: readonly string[], dictionary: ReadonlySet<string>): string[] {
    const out: string[] = [];
    for (let i = 0; i < parts.length; i++) {
        const [a, b] = [parts[i]!, parts[i + 1]];
        const short = b != null && /^[a-z]+$/.test(a) && /^[a-z]+$/.test(b) ? contractedForms(a, b).filter((w) => dictionary.has(w)) : [];
        if (short.length) {
            out.push(`(${a} ${b} | ${short.join(" | ")})`);
            i++;
        } else out.push(a);
    }
    return out;
}

/** A part worth writing once: a slot's list (a rule reference) or a spoken rule this long ("<duration>": 1,500 characters). */
function heavy(part: string): boolean {
    return part.length >= 200 || /<[^>]+>/.test(part);
}

/**
 * The sentences (each as its parts) as grammar alternatives, those that end alike from their last heavy part on
 * written as one: `(set a | start a) DURATION timer` rather than DURATION once per sentence. The language is the
 * same; pocketsphinx copies a rule into its search graph wherever it is written, so a duration said in 30 sentences
 * made set_timer most of the graph, and decoding took seconds.
 */
function sharedEndings(sentences: readonly string[][]): string[][] {
    const byEnding = new Map<string, { ending: string[]; starts: string[] }>();
    const out: string[][] = [];
    for (const parts of sentences) {
        const at = parts.findLastIndex(heavy);
        if (at <= 0) {
            out.push(parts);
            continue;
        }
        const ending = parts.slice(at);
        const key = ending.join(" ");
        const group = byEnding.get(key) ?? byEnding.set(key, { ending, starts: [] }).get(key)!;
        group.starts.push(parts.slice(0, at).join(" "));
    }
    for (const { ending, starts } of byEnding.values()) {
        const unique = [...new Set(starts)];
        out.push([unique.length === 1 ? unique[0]! : `(${unique.join(" | ")})`, ...ending]);
    }
    return out;
}

/**
 * Phrases (each as its words, or a sentence as its parts) as grammar alternatives with what they begin with written
 * once: "twenty (one | two | ...)" rather than "twenty one | twenty two | ...". The language is the same; pocketsphinx
 * copies every written word and rule into its search graph, so one arc for "twenty" instead of ten, for the numbers of
 * a duration said in many sentences, is most of the graph.
 */
function sharedBeginnings(phrases: ReadonlyArray<readonly string[] | null>): string | null {
    type Node = { end: boolean; next: Map<string, Node> };
    const root: Node = { end: false, next: new Map() };
    for (const phrase of phrases) {
        if (!phrase?.length) continue;
        let node = root;
        for (const token of phrase) node = node.next.get(token) ?? node.next.set(token, { end: false, next: new Map() }).get(token)!;
        node.end = true;
    }
    const render = (node: Node): string => [...node.next].map(([token, child]) => {
        if (child.next.size === 0) return token;
        const rest = render(child);
        return `${token} ${child.end ? `[${rest}]` : child.next.size > 1 ? `(${rest})` : rest}`;
    }).join(" | ");
    return root.next.size ? render(root) : null;
}

/** A phrase as the words {@link sharedBeginnings} takes. */
function wordsOf(phrase: string | null): string[] | null {
    return phrase ? phrase.split(" ") : null;
}

function alternatives(options: ReadonlyArray<string | null>): string | null {
    const present = [...new Set(options.filter((o): o is string => o != null && o !== ""))];
    return present.length ? present.join(" | ") : null;
}

function ruleName(name: string): string {
    return name.replace(/[^a-zA-Z0-9_]/g, "_");
}
