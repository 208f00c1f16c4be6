import fs from "node:fs";
import path from "node:path";
import type { LoadedIntent } from "../intents/compile.ts";
import { HarkError } from "../errors.ts";
import { packageRoot } from "../paths.ts";
import { privateModes, writeFileAtomic } from "../util/files.ts";
import { examplesAsEvalCases, readEvalFile, type EvalCase } from "./dataset.ts";
import type { EvalReport } from "./metrics.ts";
import { usageFile } from "./usage.ts";

/** An eval that was run and kept, to be read again or set beside another. */
export interface SavedEval {
    id: string;
    /** ISO time it ran. */
    time: string;
    /** What was scored (file names, or "examples of the loaded intents"). */
    sources: string[];
    /** The LLM profile behind the templates, or null for templates only. */
    profile: string | null;
    report: EvalReport;
}

/** A saved eval's headline, for a list. */
export interface SavedEvalSummary {
    id: string;
    time: string;
    sources: string[];
    profile: string | null;
    cases: number;
    intentAccuracy: number;
    falseActionRate: number;
    slotF1: number;
}

/** How many misrecognised sentences a saved eval keeps. */
const KEPT_ERRORS = 200;

function runsDir(dataDir: string): string {
    return path.join(dataDir, "evals", "runs");
}

/** Keeps an eval's report in the data folder (evals/runs/ID.json); returns it with its id. */
export function saveEval(dataDir: string, run: Omit<SavedEval, "id">): SavedEval {
    const id = `eval-${run.time.replace(/[-:]/g, "").replace("T", "-").replace(/\..*$/, "")}-${Math.random().toString(36).slice(2, 6)}`;
    const saved: SavedEval = { id, ...run, report: { ...run.report, errors: run.report.errors.slice(0, KEPT_ERRORS) } };
    writeFileAtomic(path.join(runsDir(dataDir), `${id}.json`), JSON.stringify(saved), privateModes());
    return saved;
}

/** The saved evals, newest first; a file that is not one is skipped. */
export function listSavedEvals(dataDir: string): SavedEvalSummary[] {
    const dir = runsDir(dataDir);
    if (!fs.existsSync(dir)) return [];
    const out: SavedEvalSummary[] = [];
    for (const name of fs.readdirSync(dir).filter((n) => n.endsWith(".json"))) {
        try {
            const { id, time, sources, profile, report } = JSON.parse(fs.readFileSync(path.join(dir, name), "utf8")) as SavedEval;
            out.push({ id, time, sources, profile, cases: report.cases, intentAccuracy: report.intentAccuracy, falseActionRate: report.falseActionRate, slotF1: report.slotF1 });
        } catch {
            continue;
        }
    }
    return out.sort((a, b) => b.time.localeCompare(a.time));
}

/** One saved eval by id. */
export function readSavedEval(dataDir: string, id: string): SavedEval {
    const file = path.join(runsDir(dataDir), `${id}.json`);
    if (!/^[\w-]+$/.test(id) || !fs.existsSync(file)) throw new HarkError("HARK_EVAL_RUN", `no saved eval "${id}"`);
    return JSON.parse(fs.readFileSync(file, "utf8")) as SavedEval;
}

/** An eval set one can pick by id: a file in the data folder, one of hark's own, or the loaded intents' examples. */
export interface EvalSource {
    id: string;
    /** What a person reads: "usage.jsonl (your labelled turns)", "hark: holdout.jsonl". */
    label: string;
    /** The JSONL file, or null for the intents' examples. */
    file: string | null;
}

/**
 * The eval sets there are to run: the labelled turns (usage.jsonl) and any JSONL in the data folder's evals/, hark's
 * own eval files, and the examples written in the loaded intents. Chosen by id, so no path comes from outside.
 */
export function evalSources(dataDir: string): EvalSource[] {
    const sources: EvalSource[] = [{ id: "examples", label: "examples of the loaded intents", file: null }];
    if (fs.existsSync(usageFile(dataDir))) sources.push({ id: "data:usage.jsonl", label: "usage.jsonl (your labelled turns)", file: usageFile(dataDir) });
    const jsonl = (dir: string): string[] => (fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => n.endsWith(".jsonl")).sort() : []);
    for (const name of jsonl(path.join(dataDir, "evals"))) sources.push({ id: `data:evals/${name}`, label: `evals/${name}`, file: path.join(dataDir, "evals", name) });
    for (const name of jsonl(path.join(packageRoot, "test", "eval"))) sources.push({ id: `hark:${name}`, label: `hark: ${name}`, file: path.join(packageRoot, "test", "eval", name) });
    return sources;
}

/** The cases of an eval set chosen by id. */
export function casesOf(dataDir: string, id: string, intents: readonly LoadedIntent[]): { source: EvalSource; cases: EvalCase[] } {
    const source = evalSources(dataDir).find((s) => s.id === id);
    if (source == null) throw new HarkError("HARK_EVAL_FILE", `no eval set "${id}"`);
    return { source, cases: source.file ? readEvalFile(source.file) : examplesAsEvalCases(intents) };
}
