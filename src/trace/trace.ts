import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { privateModes } from "../util/files.ts";

/** What went wrong in a turn: a stable code, the message, and for an action the facts (URL, argv, status, exit code). */
export interface TraceError {
    code: string;
    message: string;
    detail?: Record<string, unknown>;
}

/** One step of a turn: what it produced and how long it took. */
export interface TraceStage {
    name: string;
    durationMs: number;
    output?: unknown;
    error?: TraceError;
}

/** Everything about one turn, written as one JSONL line. */
export interface TraceRecord {
    id: string;
    /** ISO time the turn began. */
    time: string;
    input: { text: string; source: string };
    /** The room the turn was heard in, when it came through a satellite. */
    room?: string;
    stages: TraceStage[];
    /** The tool call made, or null when nothing was understood. */
    toolCall: { name: string; arguments: Record<string, unknown>; confidence: number; engine: string } | null;
    /** What the handler returned. */
    result: { ok: boolean; data?: unknown } | null;
    reply: string;
    error: TraceError | null;
    totalMs: number;
}

/** Builds a trace while a turn runs; `stage()` times a step and records its output or error. */
export class TurnTrace {
    public readonly record: TraceRecord;
    private readonly started = performance.now();

    public constructor(text: string, source: string) {
        this.record = {
            id: randomUUID(), time: new Date().toISOString(), input: { text, source },
            stages: [], toolCall: null, result: null, reply: "", error: null, totalMs: 0
        };
    }

    /** Runs `step`, recording its duration and `describe(result)` (or the error, which is rethrown). */
    public async stage<T>(name: string, step: () => Promise<T>, describe: (result: T) => unknown = (r) => r): Promise<T> {
        const started = performance.now();
        try {
            const result = await step();
            this.record.stages.push({ name, durationMs: round2(performance.now() - started), output: describe(result) });
            return result;
        } catch (error) {
            const err = error as { code?: string; message?: string };
            this.record.stages.push({ name, durationMs: round2(performance.now() - started), error: { code: err.code ?? "HARK_ERROR", message: err.message ?? String(error) } });
            throw error;
        }
    }

    public finish(): TraceRecord {
        this.record.totalMs = round2(performance.now() - this.started);
        return this.record;
    }
}

/** Where and how much {@link TraceWriter} writes. */
export interface TraceWriterOptions {
    /** JSONL file; null writes nothing. */
    file: string | null;
    /** Past this size the file is rotated (turns.jsonl → turns.jsonl.1 → .2 ...). */
    maxFileBytes: number;
    /** Rotated files kept. */
    keepFiles: number;
    /** A larger record loses its biggest stage outputs and handler data (their size is said instead). */
    maxRecordBytes: number;
}

/**
 * Appends trace records to a JSONL file, never readable by other users (what people said is in it; see privateModes),
 * bounded in size: each record is capped, and the files are rotated and pruned.
 */
export class TraceWriter {
    public constructor(private readonly options: TraceWriterOptions) {}

    public write(record: TraceRecord): void {
        const file = this.options.file;
        if (file == null) return;
        const line = boundedLine(record, this.options.maxRecordBytes) + "\n";
        const modes = privateModes();
        fs.mkdirSync(path.dirname(file), { recursive: true, mode: modes.dir });
        let size = 0;
        try {
            size = fs.statSync(file).size;
        } catch { /* no file yet */ }
        if (size > 0 && size + Buffer.byteLength(line) > this.options.maxFileBytes) this.rotate(file);
        fs.appendFileSync(file, line, { mode: modes.file });
    }

    private rotate(file: string): void {
        const keep = this.options.keepFiles;
        // Another process may rotate at the same moment: a file already moved is no error.
        const quietly = (fn: () => void): void => {
            try {
                fn();
            } catch (error) {
                if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
            }
        };
        quietly(() => fs.rmSync(`${file}.${keep}`, { force: true }));
        for (let i = keep - 1; i >= 1; i--) quietly(() => fs.renameSync(`${file}.${i}`, `${file}.${i + 1}`));
        quietly(() => (keep > 0 ? fs.renameSync(file, `${file}.1`) : fs.rmSync(file)));
    }
}

/** The record as one JSON line of at most `maxBytes` (about): the biggest stage outputs and the handler's data go first. */
function boundedLine(record: TraceRecord, maxBytes: number): string {
    let line = JSON.stringify(record);
    if (Buffer.byteLength(line) <= maxBytes) return line;
    const copy = structuredClone(record);
    const parts: Array<{ size: number; drop: (note: string) => void }> = copy.stages.map((stage) => ({
        size: JSON.stringify(stage.output ?? null).length,
        drop: (note: string) => { stage.output = { leftOut: note }; }
    }));
    if (copy.result?.data !== undefined) {
        const result = copy.result;
        parts.push({ size: JSON.stringify(result.data).length, drop: (note) => { result.data = { leftOut: note }; } });
    }
    for (const part of parts.sort((a, b) => b.size - a.size)) {
        part.drop(`${part.size} bytes, over trace.maxRecordBytes`);
        line = JSON.stringify(copy);
        if (Buffer.byteLength(line) <= maxBytes) return line;
    }
    // Text and reply are bounded by conversation.maxTextChars and maxReplyChars; cut them too if still too big.
    copy.input.text = copy.input.text.slice(0, 1000);
    copy.reply = copy.reply.slice(0, 1000);
    return JSON.stringify(copy);
}

/** Rounds to two decimals, as trace records keep times (ms) and scores. */
export function round2(n: number): number {
    return Math.round(n * 100) / 100;
}
