import { Type } from "@sinclair/typebox";
import { NOUN_CATEGORIES } from "../resolve/wordnet.ts";

const SlotDeclaration = Type.Union([
    Type.Literal("wildcard"),
    Type.Array(Type.String(), { minItems: 1 }),
    Type.Object({
        wildcard: Type.Literal(true),
        exclude: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: "Words or phrases the value may not contain: they name another kind of thing (\"movie\" in a song title)." })),
        hearExcluded: Type.Optional(Type.Union([Type.Boolean(), Type.Array(Type.String({ minLength: 1 }))], { description: "Speech: the grammar recogniser listens for the excluded phrases too (true), or for those listed here, so that \"what's the weather in the film\" is heard as said and turned down rather than heard as the nearest known name. Catches requests about other things; each phrase heard can also be heard in a real name, and in noise it turns down some real requests." })),
        notKinds: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: "WordNet nouns (\"home appliance\", \"game\"): a value whose main noun is a kind of one of them names another kind of thing and is turned down unless it is a known value (\"play the dishwasher\")." })),
        kinds: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: `WordNet's categories of nouns (${NOUN_CATEGORIES.join(", ")}): a value said with an article or possessive whose main noun has no meaning in one of them is turned down ("the weather in the film").` })),
        trim: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: "Templates of phrases that are no part of a name (\"(on|from) <service>\", \"from {year}\", \"near\"), taken off either end of the value; {year} and {number} and the intent's rules may be used." }))
    }, { additionalProperties: false }),
    Type.Object({
        values: Type.Array(Type.Union([Type.String(), Type.Object({ in: Type.String(), out: Type.Unknown() }, { additionalProperties: false })]), { minItems: 1 })
    }, { additionalProperties: false }),
    Type.Object({ range: Type.Object({ from: Type.Integer(), to: Type.Integer() }, { additionalProperties: false }) }, { additionalProperties: false })
]);

const Substitutable = Type.String({ description: "Text in which {arg} is replaced by the argument's value." });

/** The action of a declarative (YAML) intent: exactly one of speak, run or http. */
export const ActionSchema = Type.Union([
    Type.Object({ speak: Substitutable }, { additionalProperties: false }),
    Type.Object({
        run: Type.Object({
            command: Type.Array(Type.String(), { minItems: 1, description: "argv; never run through a shell" }),
            timeoutMs: Type.Optional(Type.Integer({ minimum: 100 })),
            speak: Type.Optional(Substitutable)
        }, { additionalProperties: false })
    }, { additionalProperties: false }),
    Type.Object({
        http: Type.Object({
            method: Type.Optional(Type.Union(["GET", "POST", "PUT", "PATCH", "DELETE"].map((m) => Type.Literal(m)))),
            url: Substitutable,
            headers: Type.Optional(Type.Record(Type.String(), Type.String())),
            json: Type.Optional(Type.Unknown()),
            timeoutMs: Type.Optional(Type.Integer({ minimum: 100 })),
            speak: Type.Optional(Substitutable)
        }, { additionalProperties: false })
    }, { additionalProperties: false })
]);

/** Everything an intent declares for recognition; shared by YAML files and code files. */
export const IntentDeclarationSchema = Type.Object({
    name: Type.String({ pattern: "^[a-z][a-z0-9]*(_[a-z0-9]+)*$", description: "snake_case, also the LLM tool name" }),
    description: Type.String({ minLength: 1 }),
    args: Type.Optional(Type.Object({ type: Type.Literal("object") }, { additionalProperties: true })),
    sentences: Type.Array(Type.Union([
        Type.String({ minLength: 1 }),
        Type.Object({
            sentences: Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }),
            args: Type.Optional(Type.Record(Type.String(), Type.Unknown()))
        }, { additionalProperties: false })
    ]), { minItems: 1 }),
    slots: Type.Optional(Type.Record(Type.String(), SlotDeclaration)),
    rules: Type.Optional(Type.Record(Type.String(), Type.String())),
    textOnlyRules: Type.Optional(Type.Array(Type.String())),
    examples: Type.Optional(Type.Array(Type.Object({
        text: Type.String({ minLength: 1 }),
        args: Type.Optional(Type.Record(Type.String(), Type.Unknown()))
    }, { additionalProperties: false }))),
    timeoutMs: Type.Optional(Type.Integer({ minimum: 100 })),
    dates: Type.Optional(Type.Array(Type.String({ minLength: 1 }), {
        description: "Arguments that name a date or time (\"tomorrow\", \"friday the 11th\"): the handler gets each resolved to a local start and end, and a date said anywhere in the sentence goes to the first of them."
    })),
    confirm: Type.Optional(Type.String({
        minLength: 1,
        description: "For an intent that changes or destroys state: the question asked before acting on a request that was not matched exactly, {arg} replaced by the argument (\"Turn off the {room} heater?\")."
    }))
});

/** A YAML intent file: the declaration plus an action. */
export const YamlIntentSchema = Type.Composite([IntentDeclarationSchema, Type.Object({ action: ActionSchema })], { additionalProperties: false });

/** A code intent's default export: the declaration plus a handler function (checked separately). */
export const CodeIntentSchema = Type.Composite([IntentDeclarationSchema, Type.Object({ handler: Type.Unknown() })], { additionalProperties: false });
