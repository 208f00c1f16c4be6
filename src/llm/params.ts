import { Type, type Static } from "@sinclair/typebox";
import { Ajv } from "ajv";
import { LlmConfigError } from "../errors.ts";
import { describeSchemaErrors, suggest } from "../util/schema-errors.ts";

/** Generation and context parameters of a language model, as a profile or `--param k=v` sets them. */
export const LlmParamsSchema = Type.Object({
    temperature: Type.Number({ minimum: 0, maximum: 2, description: "Sampling temperature; 0 always takes the most likely token (repeatable tool calls)." }),
    topP: Type.Number({ minimum: 0, maximum: 1, description: "Nucleus sampling: keep the most likely tokens whose probabilities add up to this." }),
    topK: Type.Integer({ minimum: 0, description: "Keep only the k most likely tokens; 0 keeps all." }),
    minP: Type.Number({ minimum: 0, maximum: 1, description: "Drop tokens less likely than this fraction of the most likely one." }),
    repeatPenalty: Type.Number({ minimum: 1, maximum: 2, description: "Penalty for repeating recent tokens; 1 is off (JSON repeats quotes and braces by design)." }),
    maxTokens: Type.Integer({ minimum: 8, maximum: 4096, description: "Most tokens one tool call may take; a call cut short is no match." }),
    seed: Type.Integer({ minimum: 0, description: "Random seed for sampling (matters when temperature > 0)." }),
    contextSize: Type.Integer({ minimum: 128, maximum: 131072, description: "Tokens the context holds: the prompt (intents and examples) plus one turn." }),
    threads: Type.Integer({ minimum: 0, maximum: 256, description: "CPU threads; 0: automatic (1 for hark's own small model, else as many as there are cores, at most 4)." })
}, { additionalProperties: false });

export type LlmParams = Static<typeof LlmParamsSchema>;

/** A partial set of parameters, as a profile or the global `llm.params` gives them. */
export const LlmParamsPartialSchema = Type.Partial(LlmParamsSchema, { additionalProperties: false, default: {} });

/** The defaults every profile starts from. */
export const DEFAULT_LLM_PARAMS: LlmParams = {
    temperature: 0,
    topP: 1,
    topK: 40,
    minP: 0.05,
    repeatPenalty: 1,
    maxTokens: 192,
    seed: 0,
    contextSize: 4096,
    threads: 0
};

const ajv = new Ajv({ allErrors: true, strict: false });
const validateParams = ajv.compile<LlmParams>(LlmParamsSchema);

/** Merges parameter sets (later wins) over the defaults and validates the result. */
export function mergeParams(...sets: ReadonlyArray<Partial<LlmParams> | undefined>): LlmParams {
    const merged = Object.assign({}, DEFAULT_LLM_PARAMS, ...sets.filter(Boolean)) as LlmParams;
    if (!validateParams(merged)) {
        throw new LlmConfigError(`invalid model parameters:\n  - ${describeSchemaErrors(validateParams.errors, LlmParamsSchema).join("\n  - ")}`);
    }
    return merged;
}

/**
 * Parses `--param temperature=0.2 --param top_k=20`. Keys are matched ignoring case, `-` and `_`; an unknown key
 * gets a "did you mean"; values must be numbers. Ranges are checked by {@link mergeParams}.
 */
export function parseParamAssignments(assignments: readonly string[]): Partial<LlmParams> {
    const known = Object.keys(LlmParamsSchema.properties);
    const squash = (s: string): string => s.toLowerCase().replace(/[-_]/g, "");
    const out: Record<string, number> = {};
    for (const assignment of assignments) {
        const eq = assignment.indexOf("=");
        if (eq <= 0) throw new LlmConfigError(`--param "${assignment}": write it as name=value, e.g. --param temperature=0.2`);
        const name = assignment.slice(0, eq).trim();
        const key = known.find((k) => squash(k) === squash(name));
        if (key == null) throw new LlmConfigError(`--param "${name}": unknown parameter${suggest(name, known)}; known: ${known.join(", ")}`);
        const text = assignment.slice(eq + 1).trim();
        const value = Number(text);
        if (text === "" || !Number.isFinite(value)) throw new LlmConfigError(`--param ${key}: "${text}" is not a number`);
        out[key] = value;
    }
    return out as Partial<LlmParams>;
}
