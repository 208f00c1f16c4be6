import fs from "node:fs";
import path from "node:path";
import { HarkError } from "../errors.ts";
import type { LoadedIntent } from "../intents/compile.ts";
import { suggest } from "../util/schema-errors.ts";
import type { TraceRecord } from "../trace/trace.ts";
import { withFileLock } from "../state/json-file.ts";
import { privateModes, writeFileAtomic } from "../util/files.ts";
import { readEvalFile, type EvalCase } from "./dataset.ts";

/**
 * What a person says a turn should have done: what hark did was right, it should have done nothing, or it should have
 * called this intent with these arguments.
 */
export type TurnLabel = { kind: "right" } | { kind: "none" } | { kind: "call"; intent: string; args: Record<string, unknown> };

/**
 * A label as a person gave it (the page's JSON, or the terminal's answer made into it), checked against the loaded
 * intents: an intent that is not loaded, or arguments its schema refuses, are turned down with the reason.
 */
export function checkLabel(given: unknown, intents: readonly LoadedIntent[]): TurnLabel {
    const b = (given ?? {}) as { kind?: unknown; intent?: unknown; args?: unknown };
    if (b.kind === "right" || b.kind === "none") return { kind: b.kind };
    if (b.kind !== "call" || typeof b.intent !== "string") throw new HarkError("HARK_LABEL", `a label is {"kind": "right"}, {"kind": "none"} or {"kind": "call", "intent": ..., "args": {...}}`);
    const intent = intents.find((i) => i.spec.name === b.intent);
    if (intent == null) throw new HarkError("HARK_LABEL", `no intent called ${b.intent} is loaded${suggest(b.intent, intents.map((i) => i.spec.name))}`);
    const args = b.args ?? {};
    if (typeof args !== "object" || args === null || Array.isArray(args)) throw new HarkError("HARK_LABEL", "the arguments must be a JSON object");
    const wrong = intent.checkArgs(structuredClone(args) as Record<string, unknown>);
    if (wrong) throw new HarkError("HARK_LABEL", `arguments for ${b.intent}: ${wrong}`);
    return { kind: "call", intent: b.intent, args: args as Record<string, unknown> };
}

/** A labelled turn as a line of `usage.jsonl`: an eval case, with the turn it came from (and its audio, when kept). */
export interface UsageCase extends EvalCase {
    source: "usage";
    turn: string;
    /** When the turn was. */
    time: string;
    /** The utterance's WAV, when audio.saveUtterances kept it. */
    audio?: string;
}

/** The file labelled turns are kept in: an eval file like the project's, in the data folder. */
export function usageFile(dataDir: string): string {
    return path.join(dataDir, "usage.jsonl");
}

/** The eval case a label makes of a turn. A turn that was no request (a timer ringing, nothing heard) cannot be labelled. */
export function labelledCase(record: TraceRecord, label: TurnLabel): UsageCase {
    const text = record.input.text.trim();
    if (record.input.source === "timer" || !text) throw new HarkError("HARK_LABEL", "this turn has no sentence to label (a timer rang, or nothing was heard)");
    const done = record.toolCall ?? confirmedCall(record);
    const expect = label.kind === "right" ? (done ? { intent: done.name, args: done.arguments } : null)
        : label.kind === "none" ? null
        : { intent: label.intent, args: label.args };
    const audio = (record.stages.find((s) => s.name === "endpoint")?.output as { savedAs?: string } | undefined)?.savedAs;
    return { text, expect, source: "usage", turn: record.id, time: record.time, ...(audio && fs.existsSync(audio) ? { audio } : {}) };
}

/** The call a turn asked about before acting ("Cancel the pizza timer?"), which counts as what it did. */
function confirmedCall(record: TraceRecord): { name: string; arguments: Record<string, unknown> } | null {
    const out = record.stages.find((s) => s.name === "recognize")?.output as { intent?: string | null; args?: Record<string, unknown> | null; decision?: { verdict?: string } } | undefined;
    return out?.decision?.verdict === "confirm" && out.intent ? { name: out.intent, arguments: out.args ?? {} } : null;
}

/**
 * Saves a labelled turn to `usage.jsonl` in the data folder. Labelling a turn again replaces its line (the latest word
 * wins); every other line is kept as it was. Writers in other processes (`hark trace --label` beside `hark run`'s page)
 * take turns through a lock on the file.
 */
export async function saveLabel(dataDir: string, record: TraceRecord, label: TurnLabel): Promise<{ file: string; line: UsageCase; replaced: boolean }> {
    const file = usageFile(dataDir);
    const line = labelledCase(record, label);
    return withFileLock(file, () => {
        const lines = fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n").filter(Boolean) : [];
        const kept = lines.filter((l) => turnOf(l) !== record.id);
        writeFileAtomic(file, [...kept, JSON.stringify(line)].join("\n") + "\n", privateModes());
        return { file, line, replaced: kept.length < lines.length };
    });
}

/** The labelled turns so far (none when nothing was labelled yet). */
export function readUsage(dataDir: string): EvalCase[] {
    const file = usageFile(dataDir);
    return fs.existsSync(file) ? readEvalFile(file) : [];
}

function turnOf(line: string): string | undefined {
    try {
        return (JSON.parse(line) as { turn?: string }).turn;
    } catch {
        return undefined;
    }
}
