import fs from "node:fs";
import { HarkError } from "../errors.ts";
import type { LoadedIntent } from "../intents/compile.ts";

/** One line of an eval file: a sentence and what should come of it (`null`: no action). */
export interface EvalCase {
    text: string;
    expect: { intent: string; args: Record<string, unknown> } | null;
    /** Where the sentence came from, when the file says. */
    source?: string;
}

/** Reads a JSONL eval file; a malformed line is an error naming the file and line. */
export function readEvalFile(file: string): EvalCase[] {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (error) {
        throw new HarkError("HARK_EVAL_FILE", `cannot read eval file ${file}: ${(error as Error).message}`);
    }
    const cases: EvalCase[] = [];
    text.split("\n").forEach((line, index) => {
        if (!line.trim()) return;
        const where = `${file}:${index + 1}`;
        let value: unknown;
        try {
            value = JSON.parse(line);
        } catch (error) {
            throw new HarkError("HARK_EVAL_FILE", `${where}: not valid JSON (${(error as Error).message})`);
        }
        const v = value as Partial<EvalCase>;
        if (typeof v.text !== "string") throw new HarkError("HARK_EVAL_FILE", `${where}: "text" must be a string`);
        if (v.expect === undefined) throw new HarkError("HARK_EVAL_FILE", `${where}: "expect" is missing; use null for "no action"`);
        if (v.expect !== null && (typeof v.expect !== "object" || typeof v.expect.intent !== "string")) {
            throw new HarkError("HARK_EVAL_FILE", `${where}: "expect" must be null or {"intent": "...", "args": {...}}`);
        }
        cases.push({ text: v.text, expect: v.expect === null ? null : { intent: v.expect.intent, args: v.expect.args ?? {} }, ...(v.source ? { source: v.source } : {}) });
    });
    return cases;
}

/** Every intent's examples as eval cases (source "example:<intent>"). */
export function examplesAsEvalCases(intents: readonly LoadedIntent[]): EvalCase[] {
    return intents.flatMap((i) => i.spec.examples.map((e) => ({ text: e.text, expect: { intent: i.spec.name, args: e.args }, source: `example:${i.spec.name}` })));
}
