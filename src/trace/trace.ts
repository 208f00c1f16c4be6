import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

/** One step of a turn: what it produced and how long it took. */
export interface TraceStage {
    name: string;
    durationMs: number;
    output?: unknown;
    error?: { code: string; message: string };
}

/** Everything about one turn, written as one JSONL line. */
export interface TraceRecord {
    id: string;
    /** ISO time the turn began. */
    time: string;
    input: { text: string; source: string };
    stages: TraceStage[];
    /** The tool call made, or null when nothing was understood. */
    toolCall: { name: string; arguments: Record<string, unknown>; confidence: number; engine: string } | null;
    /** What the handler returned. */
    result: { ok: boolean; data?: unknown } | null;
    reply: string;
    error: { code: string; message: string } | null;
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

/** Appends trace records to a JSONL file. */
export class TraceWriter {
    public constructor(private readonly file: string | null) {}

    public write(record: TraceRecord): void {
        if (this.file == null) return;
        fs.mkdirSync(path.dirname(this.file), { recursive: true });
        fs.appendFileSync(this.file, JSON.stringify(record) + "\n");
    }
}

/** Rounds to two decimals, as trace records keep times (ms) and scores. */
export function round2(n: number): number {
    return Math.round(n * 100) / 100;
}
