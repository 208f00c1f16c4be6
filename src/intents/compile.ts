import type { Static } from "@sinclair/typebox";
import type { ValidateFunction } from "ajv";
import { errorMessage } from "../errors.ts";
import { NOUN_CATEGORIES, WordNet } from "../resolve/wordnet.ts";
import { collectRules, collectSlots, normalizedText, parseTemplate, type Sequence } from "../template/index.ts";
import { suggest } from "../util/schema-errors.ts";
import type { IntentContext, IntentResult, SlotDeclaration } from "./define.ts";
import type { IntentDeclarationSchema } from "./file-schema.ts";
import type { JSONSchema7 } from "./json-schema.ts";
import type { IntentSpec, SlotList } from "./types.ts";
import { compileArgsSchema, describeAjvErrors } from "./validate-args.ts";

/** A handler as the dispatcher calls it. */
export type IntentHandler = (context: IntentContext) => IntentResult | string | Promise<IntentResult | string>;

/** An intent that passed every check and is ready to recognise and run. */
export interface LoadedIntent {
    spec: IntentSpec;
    file: string;
    format: "yaml" | "code";
    /** Overrides the dispatcher's timeout. */
    timeoutMs?: number;
    handler: IntentHandler;
    /** What loads but will not work as written (`file:line:column: reason`): `intents check` lists them. */
    warnings?: string[];
    /** A code intent's bundled module, for running its handler in a worker thread. */
    bundle?: string;
    /** Validates (and fills defaults into) arguments; returns a reason or `null` when they are fine. */
    checkArgs(args: Record<string, unknown>): string | null;
}

type Declaration = Omit<Static<typeof IntentDeclarationSchema>, "confirm"> & { confirm?: string | ((args: Record<string, unknown>) => string) };

/** Where in an intent's declaration something is: `["sentences", 2]`, `["slots", "room", "trim", 0]`. */
export type DeclarationPath = Array<string | number>;

/** A check of {@link compileIntent} failed at `at` in the declaration; the loader turns that into the file's line. */
export class IntentDeclarationError extends Error {
    public constructor(message: string, public readonly at: DeclarationPath) {
        super(message);
        this.name = "IntentDeclarationError";
    }
}

/** Runs `check`; an error it throws (a template's syntax, a reason) becomes an {@link IntentDeclarationError} at `at`. */
function checkAt<T>(at: DeclarationPath, check: () => T): T {
    try {
        return check();
    } catch (error) {
        if (error instanceof IntentDeclarationError) throw error;
        throw new IntentDeclarationError(errorMessage(error), at);
    }
}

/**
 * Checks the parts of an intent a schema cannot: the argument schema compiles, templates parse, every `{slot}`
 * has a slot list and an argument, every `<rule>` exists, and examples carry valid arguments.
 * Throws an {@link IntentDeclarationError} saying what is wrong and where.
 */
export function compileIntent(decl: Declaration, handler: IntentHandler, file: string, format: "yaml" | "code"): LoadedIntent {
    const argsSchema: JSONSchema7 = (decl.args as JSONSchema7 | undefined) ?? { type: "object", properties: {}, additionalProperties: false };
    const validate: ValidateFunction = checkAt(["args"], () => {
        try {
            return compileArgsSchema(argsSchema);
        } catch (error) {
            throw new Error(`args is not a valid JSON Schema: ${errorMessage(error)}`);
        }
    });
    const properties = Object.keys(argsSchema.properties ?? {});

    const slots: Record<string, SlotList> = {};
    for (const [name, declaration] of Object.entries(decl.slots ?? {})) {
        checkAt(["slots", name], () => {
            if (!properties.includes(name)) throw new Error(`slot "${name}" has no argument of that name in args.properties (${properties.join(", ") || "none declared"})`);
            slots[name] = toSlotList(name, declaration as SlotDeclaration);
        });
    }

    const rules = new Map<string, Sequence>();
    for (const [name, template] of Object.entries(decl.rules ?? {})) rules.set(name, checkAt(["rules", name], () => parseTemplate(template)));
    (decl.textOnlyRules ?? []).forEach((name, i) => checkAt(["textOnlyRules", i], () => {
        if (!rules.has(name)) throw new Error(`textOnlyRules names <${name}>, which is not defined under rules`);
    }));

    const sentences = decl.sentences.map((s) => (typeof s === "string" ? { sentences: [s], args: {} } : { sentences: s.sentences, args: s.args ?? {} }));
    sentences.forEach((group, g) => {
        group.sentences.forEach((sentence, i) => checkAt(typeof decl.sentences[g] === "string" ? ["sentences", g] : ["sentences", g, "sentences", i], () => {
            const seq = parseTemplate(sentence);
            for (const rule of collectRules(seq)) {
                if (!rules.has(rule)) throw new Error(`sentence "${sentence}" uses <${rule}>, which is not defined under rules`);
            }
            for (const slot of collectSlots(seq, rules)) {
                if (!(slot in slots)) throw new Error(`sentence "${sentence}" uses {${slot}}, which is not declared under slots`);
            }
            for (const slot of collectSlots(seq, rules, new Set(), "possessive")) {
                if (slots[slot]!.kind !== "wildcard") throw new Error(`sentence "${sentence}" uses {${slot}}'s, but only a wildcard slot can be said with "'s"`);
            }
        }));
        for (const key of Object.keys(group.args)) {
            checkAt(["sentences", g, "args", key], () => {
                if (!properties.includes(key)) throw new Error(`fixed argument "${key}" in sentences is not in args.properties`);
            });
        }
    });

    for (const [slot, list] of Object.entries(slots)) {
        (list.kind === "wildcard" ? list.trim ?? [] : []).forEach((template, i) => checkAt(["slots", slot, "trim", i], () => {
            for (const rule of collectRules(parseTemplate(template))) {
                if (!rules.has(rule)) throw new Error(`slot "${slot}": trim "${template}" uses <${rule}>, which is not defined under rules`);
            }
            for (const name of collectSlots(parseTemplate(template), rules)) {
                if (name !== "year" && name !== "number") throw new Error(`slot "${slot}": trim "${template}" uses {${name}}; only {year} and {number} may be used there`);
            }
        }));
    }
    (decl.dates ?? []).forEach((name, i) => checkAt(["dates", i], () => {
        const schema = argsSchema.properties?.[name];
        if (schema == null || schema.type !== "string" || schema.enum !== undefined) throw new Error(`dates names "${name}", which is not a free-text string in args.properties`);
    }));

    const examples = (decl.examples ?? []).map((e) => ({ text: e.text, args: e.args ?? {} }));
    examples.forEach((example, i) => checkAt(["examples", i], () => {
        const copy = structuredClone(example.args);
        if (!validate(copy)) throw new Error(`example "${example.text}" has invalid args: ${describeAjvErrors(validate.errors)}`);
    }));

    const spec: IntentSpec = {
        name: decl.name,
        description: decl.description,
        args: argsSchema,
        sentences,
        slots,
        rules: decl.rules ?? {},
        textOnlyRules: decl.textOnlyRules ?? [],
        examples,
        dates: decl.dates ?? [],
        ...(decl.confirm != null ? { confirm: checkAt(["confirm"], () => confirmQuestion(decl.confirm!, properties)) } : {})
    };
    return {
        spec, file, format, handler,
        ...(decl.timeoutMs != null ? { timeoutMs: decl.timeoutMs } : {}),
        checkArgs: (args) => (validate(args) ? null : describeAjvErrors(validate.errors))
    };
}

/** The question of an intent that asks first: a function as given, or text whose `{arg}` placeholders are filled in. */
function confirmQuestion(confirm: string | ((args: Record<string, unknown>) => string), properties: readonly string[]): (args: Record<string, unknown>) => string {
    if (typeof confirm === "function") return confirm;
    for (const [, name] of confirm.matchAll(/\{([^{}]*)\}/g)) {
        if (!properties.includes(name!)) throw new Error(`confirm names {${name}}, which is not in args.properties (${properties.join(", ") || "none declared"})`);
    }
    // A missing argument leaves no gap: "Cancel the {label} timer?" without a label is "Cancel the timer?".
    return (args) => confirm.replace(/\{([^{}]*)\}/g, (_, name: string) => (args[name] == null ? "" : String(args[name]))).replace(/\s+/g, " ").replace(/\s+([?.!,])/g, "$1").trim();
}

function toSlotList(name: string, declaration: SlotDeclaration): SlotList {
    if (declaration === "wildcard") return { kind: "wildcard" };
    if (typeof declaration === "object" && "wildcard" in declaration) {
        const exclude = (declaration.exclude ?? []).map((phrase) => normalizedText(phrase)).filter(Boolean);
        for (const kind of declaration.notKinds ?? []) {
            if (WordNet.shared().nounSenses(kind).length === 0) throw new Error(`slot "${name}": notKinds names "${kind}", which is no noun WordNet knows; write a noun such as "home appliance" or "game"`);
        }
        for (const kind of declaration.kinds ?? []) {
            if (!(NOUN_CATEGORIES as readonly string[]).includes(kind)) throw new Error(`slot "${name}": kinds names "${kind}", which is none of WordNet's categories of nouns${suggest(kind, NOUN_CATEGORIES)}: ${NOUN_CATEGORIES.join(", ")}`);
        }
        const heard = Array.isArray(declaration.hearExcluded) ? declaration.hearExcluded.map((phrase) => normalizedText(phrase)) : declaration.hearExcluded ? exclude : [];
        const unlisted = heard.find((phrase) => !exclude.includes(phrase));
        if (unlisted != null) throw new Error(`slot "${name}": hearExcluded names "${unlisted}", which is not excluded; add it to exclude, or leave it out`);
        return {
            kind: "wildcard", ...(exclude.length ? { exclude } : {}), ...(heard.length ? { hearExcluded: heard } : {}),
            ...(declaration.trim?.length ? { trim: declaration.trim } : {}),
            ...(declaration.notKinds?.length ? { notKinds: declaration.notKinds } : {}), ...(declaration.kinds?.length ? { kinds: declaration.kinds } : {})
        };
    }
    if (Array.isArray(declaration)) return { kind: "values", values: declaration.map((v) => ({ in: v, out: v })) };
    if ("values" in declaration) {
        return { kind: "values", values: declaration.values.map((v) => (typeof v === "string" ? { in: v, out: v } : v)) };
    }
    if (declaration.range.from > declaration.range.to) throw new Error(`slot "${name}": range.from is greater than range.to`);
    return { kind: "range", from: declaration.range.from, to: declaration.range.to };
}
