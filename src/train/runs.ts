import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type { EvalReport } from "../eval/metrics.ts";
import { HarkError } from "../errors.ts";
import { packageRoot } from "../paths.ts";
import { suggest } from "../util/schema-errors.ts";

/** The headline numbers of one evaluation. */
export interface EvalSummary {
    cases: number;
    intentAccuracy: number;
    falseActionRate: number;
    slotF1: number;
    p50Ms: number;
}

/** One training run, base model or LoRA adapter: enough to tell what made a model and to make it again. */
export interface TrainingRun {
    id: string;
    kind: "base" | "lora";
    startedAt: string;
    seconds: number;
    gitCommit: string | null;
    seed: number;
    dataHash: string;
    /** Preset, steps, rank and the other settings the trainer got. */
    settings: Record<string, unknown>;
    /** The model a LoRA adapter was trained on. */
    baseModel?: { path: string; sha256: string };
    /** The files made: for a base run the Q8_0 model first. */
    outputs: Array<{ role: "model" | "model-f32" | "lora"; path: string; sha256: string; bytes: number }>;
    msPerStep: number;
    /** Evaluations by name ("dev", "new intents before", ...). */
    metrics: Record<string, EvalSummary>;
}

export function summarize(report: EvalReport): EvalSummary {
    return { cases: report.cases, intentAccuracy: report.intentAccuracy, falseActionRate: report.falseActionRate, slotF1: report.slotF1, p50Ms: report.latencyMs.p50 };
}

/** The runs file of a data folder: one JSON record a line, appended to. */
export function runsFile(dataDir: string): string {
    return path.join(dataDir, "train", "runs.jsonl");
}

export function readRuns(dataDir: string): TrainingRun[] {
    const file = runsFile(dataDir);
    if (!fs.existsSync(file)) return [];
    return fs.readFileSync(file, "utf8").split("\n").filter((l) => l.trim()).flatMap((line) => {
        try {
            return [JSON.parse(line) as TrainingRun];
        } catch {
            return []; // a line cut short by a crash loses that run only
        }
    });
}

export function appendRun(dataDir: string, run: TrainingRun): void {
    fs.mkdirSync(path.dirname(runsFile(dataDir)), { recursive: true });
    fs.appendFileSync(runsFile(dataDir), `${JSON.stringify(run)}\n`);
}

/** A run by id or unique id prefix. */
export function findRun(runs: readonly TrainingRun[], id: string): TrainingRun {
    const exact = runs.find((r) => r.id === id);
    if (exact) return exact;
    const matches = runs.filter((r) => r.id.startsWith(id));
    if (matches.length === 1) return matches[0]!;
    if (matches.length > 1) throw new HarkError("HARK_TRAIN_RUN", `"${id}" matches ${matches.length} runs (${matches.map((r) => r.id).join(", ")}); give more of the id`);
    throw new HarkError("HARK_TRAIN_RUN", `no training run "${id}"${suggest(id, runs.map((r) => r.id))}; "hark train runs" lists them`);
}

/** A new run id: kind and UTC time, e.g. base-20261123-142501. */
export function newRunId(kind: TrainingRun["kind"], at = new Date()): string {
    return `${kind}-${at.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15)}`;
}

/** The checkout's commit (with "+dirty" when files differ), or null outside a git checkout. */
export function gitCommit(): string | null {
    try {
        const head = execFileSync("git", ["-C", packageRoot, "rev-parse", "HEAD"], { stdio: ["ignore", "pipe", "ignore"] }).toString().trim();
        const dirty = execFileSync("git", ["-C", packageRoot, "status", "--porcelain", "--untracked-files=no"], { stdio: ["ignore", "pipe", "ignore"] }).toString().trim();
        return dirty ? `${head}+dirty` : head;
    } catch {
        return null;
    }
}
