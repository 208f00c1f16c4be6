import { TemplateMatcher, tokenize, trimFillers, type TemplateIntent } from "../template/index.ts";
import type { ResolvedWhen } from "../resolve/when.ts";

/**
 * Answers to "Cancel the pizza timer?": a pseudo-intent, so the speech grammar can hear them and the template
 * matcher can read them. Not an intent of its own: outside a question they mean nothing.
 */
export const CONFIRMATION_ANSWERS: TemplateIntent = {
    name: "confirmation_answer",
    sentences: [
        { sentences: ["(yes|yeah|yep|yup|sure|okay|ok|correct|confirm|affirmative|right) [please|do it|go ahead|thanks|thank you]", "(do it|go ahead|please do|that is right|that is correct|yes that is right)"], args: { yes: true } },
        { sentences: ["(no|nope|cancel|stop) [thanks|thank you|do not|please|leave it]", "(do not|never mind|leave it|no way|not that|that is wrong|wrong)"], args: { yes: false } }
    ],
    slots: {},
    rules: {},
    textOnlyRules: [],
    examples: []
};

const answers = new TemplateMatcher([CONFIRMATION_ANSWERS]);
const FILLERS = new Set(["please", "hey", "um", "uh", "oh", "well", "jarvis"]);

/** "yes", "no", or null when the text is no answer to a yes/no question. */
export function readAnswer(text: string): "yes" | "no" | null {
    const match = answers.match(trimFillers(tokenize(text), FILLERS))[0];
    return match == null ? null : match.args.yes ? "yes" : "no";
}

/** A call waiting for "yes". */
export interface PendingCall {
    intent: string;
    args: Record<string, unknown>;
    /** Its date arguments, resolved when it was understood. */
    resolved?: Record<string, ResolvedWhen | null>;
    question: string;
    /** The engine and confidence that understood it, for the trace of the turn that runs it. */
    engine: string;
    confidence: number;
    /** performance.now() after which it lapses. */
    expiresAt: number;
}
