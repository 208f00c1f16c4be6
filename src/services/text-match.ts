import { distance } from "fastest-levenshtein";
import { tokenize } from "../template/index.ts";

/** Lower case, no punctuation, numbers as digits: the form names are compared in. */
export function normalizeName(text: string): string {
    return tokenize(text).map((t) => t.text).join(" ");
}

/**
 * How well a spoken name fits a stored one, 0..1: 1 for equal, 0.9 when all spoken words appear in order,
 * otherwise the better of word overlap and character similarity.
 */
export function nameSimilarity(spoken: string, stored: string): number {
    const a = normalizeName(spoken);
    const b = normalizeName(stored);
    if (!a || !b) return 0;
    if (a === b) return 1;
    if (` ${b} `.includes(` ${a} `)) return 0.9 * Math.min(1, 0.5 + a.length / b.length / 2) + 0.05;
    const aw = new Set(a.split(" "));
    const bw = new Set(b.split(" "));
    let common = 0;
    for (const w of aw) if (bw.has(w)) common++;
    const overlap = common / Math.max(aw.size, bw.size);
    const chars = 1 - distance(a, b) / Math.max(a.length, b.length);
    return Math.max(overlap, chars);
}
