import { spawn } from "node:child_process";
import { ExternalProgramError } from "../errors.ts";

/** Debian package that provides each program hark spawns, for "install X" hints. */
const PACKAGE_OF: Record<string, string> = {
    aplay: "alsa-utils", arecord: "alsa-utils", amixer: "alsa-utils", "espeak-ng": "espeak-ng",
    mpg123: "mpg123", play: "sox", sox: "sox", pocketsphinx: "pocketsphinx", pocketsphinx_batch: "pocketsphinx"
};

/** The hint printed when a program is missing. */
export function installHint(program: string): string {
    const pkg = PACKAGE_OF[program];
    return pkg ? `install it with "sudo apt-get install ${pkg}" (scripts/setup.sh does this)` : "install it or change the command in the config";
}

/** Output of a finished program. */
export interface ProgramResult {
    stdout: string;
    stderr: string;
}

/** Options for {@link runProgram}. */
export interface RunProgramOptions {
    /** Kill the program after this long. Defaults to 10 000 ms. */
    timeoutMs?: number;
    signal?: AbortSignal;
    /** Written to the program's stdin, then closed. */
    input?: string;
    /** Environment of the program. Defaults to hark's own. */
    env?: NodeJS.ProcessEnv;
    /** Called with each line of standard output as it comes (progress reports); the output is still collected. */
    onLine?: (line: string) => void;
}

/**
 * Runs a program with an argv array (never through a shell) and resolves with its output when it exits 0.
 * A missing program, a non-zero exit, a timeout or an abort rejects with an {@link ExternalProgramError} naming it.
 */
export function runProgram(argv: readonly string[], options: RunProgramOptions = {}): Promise<ProgramResult> {
    const [program, ...args] = argv;
    if (program == null) return Promise.reject(new ExternalProgramError("(none)", "empty command"));
    const timeoutMs = options.timeoutMs ?? 10_000;
    return new Promise((resolve, reject) => {
        const child = spawn(program, args, { stdio: ["pipe", "pipe", "pipe"], signal: options.signal, killSignal: "SIGKILL", env: options.env ?? process.env });
        let stdout = "";
        let stderr = "";
        let settled = false;
        const timer = setTimeout(() => {
            child.kill("SIGKILL");
            settle(new ExternalProgramError(program, `did not finish within ${timeoutMs} ms and was stopped`, { detail: { argv, timeoutMs } }));
        }, timeoutMs);
        const settle = (error: Error | null): void => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            if (error) reject(error);
            else resolve({ stdout, stderr });
        };
        let partial = "";
        child.stdout.setEncoding("utf8").on("data", (d: string) => {
            stdout += d;
            if (!options.onLine) return;
            const lines = (partial + d).split("\n");
            partial = lines.pop()!;
            for (const line of lines) options.onLine(line);
        });
        child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
        child.stdin.on("error", () => undefined);
        child.stdin.end(options.input ?? "");
        child.on("error", (error: NodeJS.ErrnoException) => {
            const detail = { argv, cause: error.code ?? error.message };
            if (error.code === "ENOENT") settle(new ExternalProgramError(program, `not found; ${installHint(program)}`, { cause: error, detail }));
            else if (error.name === "AbortError") settle(new ExternalProgramError(program, "stopped (aborted)", { cause: error, detail }));
            else settle(new ExternalProgramError(program, error.message, { cause: error, detail }));
        });
        child.on("close", (code, signal) => {
            if (code === 0) settle(null);
            else settle(new ExternalProgramError(program, `exited with ${code ?? signal}: ${lastLine(stderr) || "(no error output)"}`, { detail: { argv, ...(code != null ? { exitCode: code } : { signal }), stderr: lastLine(stderr) } }));
        });
    });
}

/** The last non-empty line of a program's error output; that is usually the reason. */
export function lastLine(text: string): string {
    return text.trim().split("\n").filter(Boolean).at(-1)?.trim() ?? "";
}
