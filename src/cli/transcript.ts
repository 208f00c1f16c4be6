import { actionFailed, decisionOf, speakError } from "../trace/read.ts";
import type { TraceRecord } from "../trace/trace.ts";

/**
 * What `hark run` prints on a terminal: one line per turn, "heard" → what hark made of it → the reply, and each
 * timer's announcement. The trace file has the rest (`hark trace`).
 */
export class Transcript {
    private told = false;

    public constructor(private readonly write: (line: string) => void) {}

    public turn(record: TraceRecord): void {
        this.write(`${describeTurn(record)}\n`);
        const unspoken = speakError(record);
        if (unspoken && !this.told) {
            this.told = true;
            this.write(`  (replies are not spoken: ${unspoken.message}; --quiet prints them only)\n`);
        }
    }
}

/** One turn in a line: `"set a timer for 5 minutes" → set_timer(minutes: 5) → Timer set for 5 minutes.` */
export function describeTurn(record: TraceRecord): string {
    if (record.input.source === "timer") return `timer: ${record.reply}`;
    const heard = record.input.text ? `"${record.input.text}"` : "(nothing heard)";
    const asked = decisionOf(record) === "confirm";
    const recognized = record.stages.find((s) => s.name === "recognize")?.output as { intent?: string | null; args?: Record<string, unknown> | null } | undefined;
    const declined = (record.stages.find((s) => s.name === "confirm")?.output as { answer?: string | null } | undefined)?.answer === "no";
    const call = record.toolCall
        ? describeCall(record.toolCall.name, record.toolCall.arguments)
        : asked && recognized?.intent ? `${describeCall(recognized.intent, recognized.args ?? {})}?` : declined ? "(not done)" : "(not understood)";
    const failed = actionFailed(record) ? `  [failed: ${record.error?.message ?? "the handler failed"}]` : "";
    return `${heard} → ${call} → ${record.reply || "(no reply)"}${failed}`;
}

/** `set_timer(minutes: 5)`. */
export function describeCall(name: string, args: Record<string, unknown>): string {
    return `${name}(${Object.entries(args).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join(", ")})`;
}
