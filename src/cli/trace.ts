import type { Command } from "commander";
import type { HarkConfig } from "../config/schema.ts";
import { checkLabel, saveLabel } from "../eval/usage.ts";
import { loadIntentDirs } from "../intents/load.ts";
import { HarkError } from "../errors.ts";
import { Explainer, type Explanation } from "../pipeline/explain.ts";
import { readTraces, turnFailed } from "../trace/read.ts";
import type { TraceRecord, TraceStage } from "../trace/trace.ts";
import { describeCall } from "./transcript.ts";
import { readLine, setup } from "./common.ts";

interface TraceOptions {
    failed?: boolean;
    intent?: string;
    json?: boolean;
    explain?: boolean;
    label?: string;
    as?: string;
    args?: string;
}

/** `hark trace [N]`: the last turns from the trace file, as timelines. */
export function registerTrace(program: Command): void {
    program.command("trace")
        .description("show the last turns stage by stage: what was heard, what each engine made of it, what ran and what was said")
        .argument("[count]", "how many turns", "10")
        .option("--failed", "only turns that did nothing: not understood, turned down, or failed")
        .option("--intent <name>", "only turns that called this intent")
        .option("--json", "print the trace records, one JSON object per line")
        .option("--explain", "for each turn not understood: the nearest templates and which words kept each from matching, and the model's top answers")
        .option("--label <n>", "label the nth latest turn (1: the last) for evals and training: saved with the sentence to usage.jsonl in the data folder")
        .option("--as <what>", "with --label: right (what hark did was right), none (it should have done nothing), or the intent it should have called")
        .option("--args <json>", "with --label --as INTENT: the arguments it should have had, as JSON")
        .action(async (countText: string, options: TraceOptions, command: Command) => {
            const { config, log } = setup(command, "warn");
            if (options.label != null) return labelTurn(config, options);
            const count = Number(countText);
            if (!Number.isInteger(count) || count < 1) throw new HarkError("HARK_USAGE", `"${countText}" is not a number of turns; try hark trace 20`);
            const file = config.trace.file;
            const keep = (r: TraceRecord): boolean => (!options.failed || turnFailed(r)) && (options.intent == null || r.toolCall?.name === options.intent);
            const { records, unreadable, files } = readTraces(file, count, keep);
            if (options.json) {
                for (const r of records) process.stdout.write(`${JSON.stringify(r)}\n`);
                return;
            }
            if (files.length === 0) {
                process.stdout.write(`no turns traced yet (${file}${config.trace.enabled ? "" : "; tracing is off: trace.enabled"})\n`);
                return;
            }
            if (records.length === 0) process.stdout.write(`no turn in ${files.join(", ")} matches\n`);
            const explainer = options.explain ? new Explainer(config, log) : null;
            try {
                for (const record of records) {
                    process.stdout.write(`${formatTurn(record).join("\n")}\n`);
                    if (explainer && record.input.text && notUnderstood(record)) process.stdout.write(`${formatExplanation(await explainer.explain(record.input.text)).join("\n")}\n`);
                    process.stdout.write("\n");
                }
            } finally {
                await explainer?.dispose();
            }
            if (unreadable) process.stderr.write(`hark: ${unreadable} line(s) of the trace were not trace records and were skipped\n`);
        });
}

function notUnderstood(record: TraceRecord): boolean {
    return record.toolCall == null && turnFailed(record);
}

/** A turn as lines: when, where from and what was said; each stage with its duration and outcome; the call and the reply. */
export function formatTurn(record: TraceRecord): string[] {
    const when = new Date(record.time);
    const sameDay = when.toDateString() === new Date().toDateString();
    const stamp = sameDay ? when.toLocaleTimeString("en-GB") : `${when.toLocaleDateString("en-CA")} ${when.toLocaleTimeString("en-GB")}`;
    const said = record.input.source === "timer" ? "(a timer rang)" : record.input.text ? `"${record.input.text}"` : "(nothing heard)";
    const lines = [`${stamp}  ${record.input.source}  ${said}  ${Math.round(record.totalMs)} ms`];
    for (const stage of record.stages) lines.push(`  ${stage.name.padEnd(10)} ${`${stage.durationMs.toFixed(1)} ms`.padStart(10)}  ${describeStage(stage)}`.trimEnd());
    if (record.toolCall) lines.push(`  → ${describeCall(record.toolCall.name, record.toolCall.arguments)} (${record.toolCall.engine}, ${record.toolCall.confidence.toFixed(2)})`);
    if (record.error) {
        lines.push(`  ✗ ${record.error.code}: ${record.error.message}`);
        for (const [k, v] of Object.entries(record.error.detail ?? {})) lines.push(`      ${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`);
    }
    lines.push(`  ← ${record.reply || "(no reply)"}`);
    return lines;
}

function describeStage(stage: TraceStage): string {
    if (stage.error) return `failed: ${stage.error.message}`;
    const out = (stage.output ?? {}) as Record<string, unknown>;
    switch (stage.name) {
        case "recognize": {
            const attempts = (out.attempts ?? []) as Array<{ engine: string; verdict: string; intent?: string; confidence?: number; error?: string; detail?: { edits?: string[] } }>;
            const asked = attempts.map((a) => `${a.engine} ${a.verdict}${a.intent && a.intent !== a.verdict ? ` ${a.intent}` : ""}${a.confidence != null ? ` ${a.confidence.toFixed(2)}` : ""}${a.detail?.edits?.length ? ` [${a.detail.edits.join(" ")}]` : ""}${a.error ? ` (${a.error})` : ""}`);
            const decision = out.decision as { verdict?: string; reason?: string } | undefined;
            return `${asked.join("; ") || "no engine asked"} ⇒ ${decision?.verdict ?? "?"}${decision?.reason ? ` (${decision.reason})` : ""}`;
        }
        case "transcribe":
            return `"${String(out.text ?? "")}"${typeof out.confidence === "number" ? ` confidence ${out.confidence.toFixed(2)}` : ""}${out.engine ? ` (${String(out.engine)})` : ""}`;
        case "wake":
            return `${String(out.keyword)} score ${String(out.score)} at ${String(out.atMs)} ms`;
        case "dispatch":
            return out.ok === false ? "handler failed" : "ok";
        case "confirm":
            return `asked "${String(out.question)}", answer ${out.answer == null ? "none" : String(out.answer)}`;
        case "timer":
            return `${out.label ? `${String(out.label)} ` : ""}timer${out.late ? ", rang late" : ""}`;
        default:
            return "";
    }
}

/** The explanation of a turn not understood, indented under it. */
export function formatExplanation(explanation: Explanation): string[] {
    const lines = ["  why not understood:"];
    if (explanation.templates.length === 0) lines.push("    templates: none comes near it (within 6 edits, every slot filled)");
    for (const t of explanation.templates) {
        const edits = t.edits.length ? t.edits.map(describeEdit).join(", ") : "matches, but was below the confidence threshold or turned down";
        lines.push(`    template of ${t.intent}: ${t.template}`, `      cost ${t.cost}: ${edits}`);
    }
    const model = explanation.model;
    if ("unavailable" in model) {
        lines.push(`    model${model.profile ? ` (${model.profile})` : ""}: not asked: ${model.unavailable}`);
    } else {
        lines.push(`    model (${model.profile}), top answers:`);
        for (const a of model.answers.filter((a, i) => i === 0 || a.probability >= 0.001)) lines.push(`      ${(a.probability * 100).toFixed(1).padStart(5)} %  ${a.intents.join(" / ")}`);
    }
    return lines;
}

function describeEdit(edit: string): string {
    if (edit.startsWith("+")) return `"${edit.slice(1)}" is not in the template`;
    if (edit.startsWith("-")) return `"${edit.slice(1)}" was not said`;
    const [heard, wanted] = edit.split("→");
    return `"${heard}" is not "${wanted}"`;
}

/** `hark trace --label N`: shows the turn, takes its label (from --as, or asked on the terminal) and saves it. */
async function labelTurn(config: HarkConfig, options: TraceOptions): Promise<void> {
    const n = Number(options.label);
    if (!Number.isInteger(n) || n < 1) throw new HarkError("HARK_USAGE", `--label ${options.label}: give the turn's place, 1 for the last one`);
    const keep = (r: TraceRecord): boolean => (!options.failed || turnFailed(r)) && (options.intent == null || r.toolCall?.name === options.intent);
    const { records } = readTraces(config.trace.file, n, keep);
    if (records.length < n) throw new HarkError("HARK_USAGE", `there are only ${records.length} such turns in the trace`);
    const record = records[0]!;
    process.stdout.write(`${formatTurn(record).join("\n")}\n`);
    const { intents } = await loadIntentDirs(config.paths.intentsDirs);
    let what = options.as;
    let args = options.args;
    if (what == null) {
        // One line: "y", "n", or the intent with its arguments: get_weather {"location": "oslo"}
        const answer = (await readLine(process.stdin.isTTY ? "was this right? y (yes), n (it should have done nothing), or the intent it should have called and its arguments, e.g. get_weather {\"location\": \"oslo\"}: " : "")) ?? "";
        const space = answer.search(/\s/);
        what = space < 0 ? answer : answer.slice(0, space);
        if (space >= 0 && answer.slice(space).trim()) args = answer.slice(space).trim();
    }
    const kind = ["y", "yes", "right"].includes(what) ? "right" : ["n", "no", "none"].includes(what) ? "none" : "call";
    let parsed: unknown = record.toolCall?.name === what ? record.toolCall.arguments : {};
    if (args != null) {
        try {
            parsed = JSON.parse(args);
        } catch {
            throw new HarkError("HARK_USAGE", `--args ${args}: not JSON; e.g. '{"location": "oslo"}'`);
        }
    }
    const label = checkLabel(kind === "call" ? { kind, intent: what, args: parsed } : { kind }, intents);
    const saved = await saveLabel(config.paths.dataDir, record, label);
    const expect = saved.line.expect;
    process.stdout.write(`saved to ${saved.file}${saved.replaced ? " (replacing this turn's earlier label)" : ""}: "${saved.line.text}" → ${expect ? describeCall(expect.intent, expect.args) : "no action"}\n`);
}
