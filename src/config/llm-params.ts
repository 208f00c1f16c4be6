import { Type, type Static } from "@sinclair/typebox";

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
