import { tokenize, WildcardTrimmer, type TemplateIntent } from "../template/index.ts";

type NamedIntent = Pick<TemplateIntent, "slots" | "rules">;

const trimmers = new WeakMap<NamedIntent, Map<string, WildcardTrimmer>>();

/**
 * The call's names without the phrases their slots declare as no part of a name (`trim`): "blowfly from the
 * seventies" → "blowfly"; a name that is nothing else is dropped ("here", "on spotify").
 */
export function trimNames(spec: NamedIntent, args: Record<string, unknown>): Record<string, unknown> {
    let out = args;
    for (const [name, value] of Object.entries(args)) {
        const trimmer = trimmerFor(spec, name);
        if (trimmer == null || typeof value !== "string") continue;
        const trimmed = trimmer.trim(tokenize(value));
        if (trimmed === value) continue;
        out = { ...out };
        if (trimmed) out[name] = trimmed;
        else delete out[name];
    }
    return out;
}

/** Whether `words` are, all of them, a phrase the slot declares as no part of a name ("in", "close to"). */
export function isTrimPhrase(spec: NamedIntent, slot: string, words: string): boolean {
    const trimmer = trimmerFor(spec, slot);
    return trimmer != null && trimmer.trim(tokenize(words)) === "";
}

function trimmerFor(spec: NamedIntent, slot: string): WildcardTrimmer | null {
    const list = spec.slots[slot];
    if (list?.kind !== "wildcard" || !list.trim?.length) return null;
    let bySlot = trimmers.get(spec);
    if (bySlot == null) trimmers.set(spec, (bySlot = new Map()));
    let trimmer = bySlot.get(slot);
    if (trimmer == null) bySlot.set(slot, (trimmer = new WildcardTrimmer(list.trim, spec.rules)));
    return trimmer;
}
