import fs from "node:fs";
import path from "node:path";
import { HarkError } from "../errors.ts";
import { packageRoot } from "../paths.ts";
import { runProgram } from "../util/program.ts";

/** The trainer script (PyTorch; offline tooling — hark itself never needs Python to run). */
export const TRAINER = path.join(packageRoot, "scripts", "train", "train.py");

/** What the trainer prints, one JSON object a line. */
export type TrainerEvent =
    | { event: "start"; stage: string; parameters: number; pairs: number; [key: string]: unknown }
    | { event: "progress"; stage: string; step: number; steps: number; loss: number; msPerStep: number }
    | { event: "done"; stage: string; steps: number; msPerStep: number; trainSeconds: number; files: Record<string, { path: string; sha256: string; bytes: number }>; [key: string]: unknown }
    | { event: "gemm"; gflops: number }
    | Record<string, unknown> & { event?: undefined };

/** `$HARK_PYTHON`, else Debian's /usr/bin/python3 (where apt puts torch), else python3 on the PATH. */
export function pythonCommand(): string {
    return process.env.HARK_PYTHON || (fs.existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3");
}

const INSTALL = "sudo apt-get install python3-torch python3-sentencepiece python3-numpy libopenblas0-pthread";

/** Fails with the install command when Python or one of the trainer's packages is missing. */
export async function checkTrainerDependencies(): Promise<void> {
    const python = pythonCommand();
    try {
        await runProgram([python, "-c", "import torch, sentencepiece, numpy"], { timeoutMs: 60_000 });
    } catch (error) {
        throw new HarkError("HARK_TRAIN_DEPS", `training needs Python 3 with PyTorch, SentencePiece and NumPy (${python}: ${(error as Error).message}); install them with "${INSTALL}" (or set HARK_PYTHON to a python that has them)`, { cause: error });
    }
}

/** Runs `train.py ARGS`, passing each event to `onEvent`; resolves with every event once it exits 0. */
export async function runTrainer(args: readonly string[], options: { onEvent?: (event: TrainerEvent) => void; threads?: number; signal?: AbortSignal } = {}): Promise<TrainerEvent[]> {
    const events: TrainerEvent[] = [];
    const argv = [pythonCommand(), TRAINER, ...(options.threads ? ["--threads", String(options.threads)] : []), ...args];
    try {
        await runProgram(argv, {
            timeoutMs: 24 * 3600_000,
            signal: options.signal,
            onLine(line) {
                if (!line.startsWith("{")) return;
                const event = JSON.parse(line) as TrainerEvent;
                events.push(event);
                options.onEvent?.(event);
            }
        });
    } catch (error) {
        throw new HarkError("HARK_TRAIN_FAILED", `training failed: ${(error as Error).message}`, { cause: error });
    }
    return events;
}

/** The trainer's final report of a stage. */
export function doneEvent(events: readonly TrainerEvent[]): Extract<TrainerEvent, { event: "done" }> {
    const done = events.find((e): e is Extract<TrainerEvent, { event: "done" }> => e.event === "done");
    if (done == null) throw new HarkError("HARK_TRAIN_FAILED", "the trainer finished without a result");
    return done;
}

/** A progress bar on a terminal (one line per 10 % otherwise), with loss and the time left. */
export function progressPrinter(out: NodeJS.WriteStream = process.stderr): (event: TrainerEvent) => void {
    let lastTenth = -1;
    return (event) => {
        if (event.event === "start") {
            out.write(`${event.stage}: ${event.parameters.toLocaleString("en")} trainable parameters, ${event.pairs} training pairs\n`);
        } else if (event.event === "progress") {
            const done = event.step / event.steps;
            const left = ((event.steps - event.step) * event.msPerStep) / 1000;
            const text = `${event.stage} [${"#".repeat(Math.round(done * 30)).padEnd(30, ".")}] ${event.step}/${event.steps} loss ${event.loss.toFixed(3)} ${event.msPerStep.toFixed(0)} ms/step, ${formatSeconds(left)} left`;
            if (out.isTTY) out.write(`\r${text}${event.step === event.steps ? "\n" : ""}`);
            else if (Math.floor(done * 10) !== lastTenth) {
                lastTenth = Math.floor(done * 10);
                out.write(`${text}\n`);
            }
        }
    };
}

export function formatSeconds(seconds: number): string {
    if (seconds < 90) return `${Math.round(seconds)} s`;
    if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
    return `${(seconds / 3600).toFixed(1)} h`;
}
