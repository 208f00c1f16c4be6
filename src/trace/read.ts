import fs from "node:fs";
import { HarkError } from "../errors.ts";
import type { TraceError, TraceRecord } from "./trace.ts";

/** What {@link readTraces} found. */
export interface TraceReading {
    /** The last turns that passed the filter, oldest first. */
    records: TraceRecord[];
    /** Lines that were not a trace record (a write cut short by a full disk), skipped. */
    unreadable: number;
    /** The files read, newest first. */
    files: string[];
}

/**
 * The last `count` turns that pass `keep`, from the trace file and, when it holds too few, the files it was rotated
 * into (turns.jsonl.1, .2, ...).
 */
export function readTraces(file: string, count: number, keep: (record: TraceRecord) => boolean = () => true): TraceReading {
    const found: TraceRecord[] = [];
    const files: string[] = [];
    let unreadable = 0;
    for (let i = 0; found.length < count; i++) {
        const name = i === 0 ? file : `${file}.${i}`;
        let text: string;
        try {
            text = fs.readFileSync(name, "utf8");
        } catch (error) {
            if ((error as NodeJS.ErrnoException).code === "ENOENT") break;
            throw error;
        }
        files.push(name);
        const lines = text.split("\n").filter(Boolean);
        for (let j = lines.length - 1; j >= 0 && found.length < count; j--) {
            let record: TraceRecord;
            try {
                record = JSON.parse(lines[j]!) as TraceRecord;
            } catch {
                unreadable++;
                continue;
            }
            if (record?.input == null || !Array.isArray(record.stages)) {
                unreadable++;
                continue;
            }
            if (keep(record)) found.push(record);
        }
    }
    return { records: found.reverse(), unreadable, files };
}

/** A traced turn by id, from the newest trace file back; an error says when it is not there (any more). */
export function findTrace(file: string, id: string): TraceRecord {
    const record = readTraces(file, 1, (r) => r.id === id).records[0];
    if (record == null) throw new HarkError("HARK_TURN_GONE", `no turn ${id} in the trace (it may have been rotated away)`);
    return record;
}

/**
 * A turn that did nothing it was asked: not understood, turned down, or its handler or a stage failed. A turn that
 * asked before acting, or took a "no" for an answer, did what it should.
 */
export function turnFailed(record: TraceRecord): boolean {
    if (record.error != null || record.result?.ok === false) return true;
    if (record.toolCall != null || record.input.source === "timer") return false;
    return !record.stages.some((s) => s.name === "confirm") && decisionOf(record) !== "confirm";
}

/** What the turn's decision was (`accept`, `reject`, `confirm`), from its recognize stage; undefined without one. */
export function decisionOf(record: TraceRecord): string | undefined {
    return (record.stages.find((s) => s.name === "recognize")?.output as { decision?: { verdict?: string } } | undefined)?.decision?.verdict;
}

/** Why the reply could not be spoken (no sound card ...), or undefined when it was, or was not asked to be. */
export function speakError(record: TraceRecord): TraceError | undefined {
    return record.stages.find((s) => s.name === "speak" && s.error)?.error;
}

/** The handler failed, or the turn did for another reason than its reply not being spoken: the request was not carried out. */
export function actionFailed(record: TraceRecord): boolean {
    return record.result?.ok === false || (record.error != null && speakError(record) == null);
}
