import path from "node:path";
import type { Command } from "commander";
import type { Logger } from "pino";
import type { HarkConfig } from "../config/schema.ts";
import { readEvalFile, type EvalCase } from "../eval/dataset.ts";
import type { EvalReport } from "../eval/metrics.ts";
import { saveEval } from "../eval/history.ts";
import { runEval } from "../eval/run.ts";
import { Assistant } from "../pipeline/assistant.ts";
import { evaluateModel } from "../train/evaluate.ts";
import { findRun, readRuns, summarize, type EvalSummary, type TrainingRun } from "../train/runs.ts";
import { addLlmOptions, llmOverrides, setup, warnProblems, type LlmCliOptions } from "./common.ts";

interface EvalOptions extends LlmCliOptions {
    json?: boolean;
    errors: string;
    compare?: string[];
    withTemplates?: boolean;
    save?: boolean;
}

/** `hark eval FILE.jsonl`: recognition accuracy on labelled sentences (handlers are not run). */
export function registerEval(program: Command): void {
    addLlmOptions(program.command("eval")
        .description("measure recognition on a JSONL file of {text, expect} lines; handlers are not run")
        .argument("<file...>", "JSONL files; several are scored together")
        .option("--json", "print the report as one JSON object")
        .option("--errors <n>", "list up to n misrecognised sentences", "0")
        .option("--compare <run...>", "score the models of these training runs (hark train runs) side by side")
        .option("--with-templates", "with --compare: ask the templates first, as hark run does (default: the models alone)")
        .option("--save", "keep the report in the data folder (evals/runs/), where the web page's Eval tab lists it to compare runs"))
        .action(async (files: string[], options: EvalOptions, command: Command) => {
            const { config, log } = setup(command, "warn");
            const cases = files.flatMap((f) => readEvalFile(f));
            if (options.compare?.length) {
                process.stdout.write(await compareRuns(config, log, options.compare, cases, options.withTemplates ? "router" : "model", options.json ?? false));
                return;
            }
            const assistant = await Assistant.create({ config, log, ephemeralState: true, llm: llmOverrides(options) });
            try {
                warnProblems(assistant.intents.problems);
                const time = new Date().toISOString();
                const report = await runEval(assistant.router, cases, (n) => {
                    if (process.stderr.isTTY) process.stderr.write(`\r${n}/${cases.length}`);
                });
                if (process.stderr.isTTY) process.stderr.write("\r");
                const limit = Number(options.errors) || 0;
                if (options.json) {
                    process.stdout.write(`${JSON.stringify({ ...report, errors: report.errors.slice(0, limit) }, null, 2)}\n`);
                } else {
                    process.stdout.write(formatReport(report, limit));
                }
                if (options.save) {
                    const profile = !options.llm ? null : options.profile ?? (config.llm.enabled ? config.llm.profile : null);
                    const saved = saveEval(config.paths.dataDir, { time, sources: files.map((f) => path.basename(f)), profile, report });
                    process.stderr.write(`saved as ${saved.id} (the web page's Eval tab lists it)\n`);
                }
            } finally {
                await assistant.dispose();
            }
        });
}

/** Scores the model each run produced (a LoRA run: its base model with its adapter) on the same sentences. */
async function compareRuns(config: HarkConfig, log: Logger, ids: readonly string[], cases: readonly EvalCase[], engines: "model" | "router", json: boolean): Promise<string> {
    const runs = readRuns(config.paths.dataDir);
    const rows: Array<{ run: TrainingRun; summary: EvalSummary }> = [];
    for (const id of ids) {
        const run = findRun(runs, id);
        const output = run.outputs[0]!;
        const subject = run.kind === "lora" ? { model: run.baseModel!.path, lora: [{ path: output.path, scale: 1 }] } : { model: output.path, lora: [] };
        rows.push({ run, summary: summarize(await evaluateModel({ config, log, subject, cases, engines })) });
    }
    if (json) return `${JSON.stringify(rows.map((r) => ({ run: r.run.id, kind: r.run.kind, ...r.summary })), null, 2)}\n`;
    const lines = [`${cases.length} sentences, ${engines === "model" ? "models alone" : "templates first, then the model"}`, "run                        kind   accuracy  false actions  slot F1   p50 ms"];
    for (const { run, summary: s } of rows) {
        lines.push(`${run.id.padEnd(26)} ${run.kind.padEnd(5)} ${pct(s.intentAccuracy).padStart(9)} ${pct(s.falseActionRate).padStart(14)} ${pct(s.slotF1).padStart(8)} ${s.p50Ms.toFixed(1).padStart(8)}`);
    }
    return `${lines.join("\n")}\n`;
}

/** " (template 3, llm 1)": counts by source, largest first. */
function bySource(counts: Record<string, number>): string {
    const parts = Object.entries(counts).sort(([, a], [, b]) => b - a).map(([source, n]) => `${source} ${n}`);
    return parts.length ? ` (${parts.join(", ")})` : "";
}

function pct(x: number): string {
    return `${(x * 100).toFixed(1)}%`;
}

/** The report as a person reads it. */
export function formatReport(r: EvalReport, errorLimit: number): string {
    const lines = [
        `cases              ${r.cases} (${r.nullCases} expect no action)`,
        `intent accuracy    ${pct(r.intentAccuracy)}`,
        `exact tool calls   ${pct(r.exactRate)} (intent and every argument)`,
        `false actions      ${pct(r.falseActionRate)} of no-action cases${bySource(r.falseActionsBySource)}`,
        `missed             ${Object.values(r.missedBySource).reduce((a, b) => a + b, 0)} cases that should have caused an action${bySource(r.missedBySource)}`,
        `slot F1            ${pct(r.slotF1)} (precision ${pct(r.slots.all.precision)}, recall ${pct(r.slots.all.recall)})`,
        `latency            p50 ${r.latencyMs.p50.toFixed(2)} ms, p95 ${r.latencyMs.p95.toFixed(2)} ms`,
        `answered by        ${Object.entries(r.engines).map(([e, n]) => `${e} ${n}`).join(", ")}`,
        "",
        "slot               precision  recall     F1    (tp/fp/fn)"
    ];
    for (const [slot, s] of Object.entries(r.slots)) {
        if (slot === "all") continue;
        lines.push(`${slot.padEnd(18)} ${pct(s.precision).padStart(9)} ${pct(s.recall).padStart(7)} ${pct(s.f1).padStart(7)}    (${s.truePositives}/${s.falsePositives}/${s.falseNegatives})`);
    }
    lines.push("", "confusion (expected → chosen: count)");
    for (const [expected, row] of Object.entries(r.confusion)) {
        lines.push(`  ${expected.padEnd(16)} ${Object.entries(row).sort(([, a], [, b]) => b - a).map(([got, n]) => `${got} ${n}`).join(", ")}`);
    }
    if (errorLimit > 0 && r.errors.length) {
        lines.push("", `misrecognised (${Math.min(errorLimit, r.errors.length)} of ${r.errors.length})`);
        for (const e of r.errors.slice(0, errorLimit)) {
            lines.push(`  "${e.text}"`, `      expected ${e.expect ? `${e.expect.intent} ${JSON.stringify(e.expect.args)}` : "no action"}; got ${e.got.intent ? `${e.got.intent} ${JSON.stringify(e.got.args)}` : "no action"}`);
        }
    }
    return `${lines.join("\n")}\n`;
}
