import type { TemplateIntent } from "../template/index.ts";
import type { JSONSchema7 } from "./json-schema.ts";

export type { SentenceGroup, SlotList } from "../template/index.ts";

/**
 * The tool name that means "no intent fits": hark's own model and instruct models answer it, and no intent may take
 * the name.
 */
export const NONE_TOOL = "none";

/** What a recognizer needs to know about one intent: the template language's view of it, plus its description and arguments. */
export interface IntentSpec extends TemplateIntent {
    /** snake_case; also the tool name the LLM sees. */
    name: string;
    description: string;
    /** JSON Schema (type: object) for the arguments. */
    args: JSONSchema7;
    /**
     * For an intent that changes or destroys state: the question to ask before acting on a request that was not
     * matched exactly ("Cancel the pizza timer?"). Absent: hark acts without asking.
     */
    confirm?: (args: Record<string, unknown>) => string;
    /** Arguments that name a date or time, resolved for the handler (see `src/resolve`); the first takes a date said anywhere. */
    dates?: string[];
}
