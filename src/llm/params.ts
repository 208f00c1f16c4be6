import { LlmParamsSchema, type LlmParams } from "../config/llm-params.ts";
import { LlmConfigError } from "../errors.ts";
import { describeSchemaErrors, suggest } from "../util/schema-errors.ts";
import { compiledOnUse } from "../util/validator.ts";

export type { LlmParams } from "../config/llm-params.ts";

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

const validateParams = compiledOnUse<LlmParams>("llm-params", LlmParamsSchema, { allErrors: true, strict: false });

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
