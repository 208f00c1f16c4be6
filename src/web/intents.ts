import type { LoadedIntent } from "../intents/compile.ts";
import type { SlotList } from "../template/types.ts";

/** An intent as the Intents page shows it: what it does, how it is said, what it takes, and where it came from. */
export interface IntentView {
    name: string;
    description: string;
    file: string;
    format: LoadedIntent["format"];
    sentences: Array<{ sentences: string[]; args: Record<string, unknown> }>;
    slots: Array<{ name: string; takes: string }>;
    examples: Array<{ text: string; args: Record<string, unknown> }>;
    /** Whether hark asks before acting on a request that was not matched exactly. */
    confirms: boolean;
    warnings: string[];
}

export function describeIntent(intent: LoadedIntent): IntentView {
    const { spec } = intent;
    return {
        name: spec.name, description: spec.description, file: intent.file, format: intent.format,
        sentences: spec.sentences.map((g) => ({ sentences: g.sentences, args: g.args })),
        slots: Object.entries(spec.slots).map(([name, list]) => ({ name, takes: describeSlot(list) })),
        examples: spec.examples, confirms: spec.confirm != null, warnings: intent.warnings ?? []
    };
}

function describeSlot(list: SlotList): string {
    if (list.kind === "range") return `a number from ${list.from} to ${list.to}`;
    if (list.kind === "wildcard") return "any words (a name)";
    const shown = list.values.slice(0, 12).map((v) => v.in);
    return `one of: ${shown.join(", ")}${list.values.length > shown.length ? `, … (${list.values.length} in all)` : ""}`;
}
