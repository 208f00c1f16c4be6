import type { Command } from "commander";
import { runDoctor, type CheckResult } from "../doctor/doctor.ts";
import type { GlobalOptions } from "./common.ts";

const MARK: Record<CheckResult["status"], string> = { ok: "✔", warn: "!", fail: "✘", skip: "-" };

/** `hark doctor`: what works, what does not, and how to fix it. */
export function registerDoctor(program: Command): void {
    program.command("doctor")
        .description("check this machine for hark: Node, Pi model, microphone and speaker, tools, models and checksums, config, intents, memory, the service")
        .option("--quick", "do not hash model files (a few seconds per GB on a Pi)")
        .option("--json", "machine-readable output")
        .action(async (options: { quick?: boolean; json?: boolean }, command: Command) => {
            const globals = command.optsWithGlobals<GlobalOptions>();
            const results = await runDoctor({ quick: options.quick ?? false, ...(globals.config ? { configFile: globals.config } : {}) });
            const failed = results.filter((r) => r.status === "fail").length;
            const warned = results.filter((r) => r.status === "warn").length;
            if (options.json) {
                process.stdout.write(`${JSON.stringify({ ok: failed === 0, results }, null, 2)}\n`);
            } else {
                const width = Math.max(...results.map((r) => r.name.length));
                for (const r of results) {
                    const detail = r.detail.replace(/\n\s*/g, `\n  ${" ".repeat(width)}  `);
                    process.stdout.write(`${MARK[r.status]} ${r.name.padEnd(width)}  ${detail}\n`);
                    if (r.fix && (r.status === "fail" || r.status === "warn")) process.stdout.write(`  ${" ".repeat(width)}  fix: ${r.fix}\n`);
                }
                process.stdout.write(failed
                    ? `\n${failed} problem(s) stop hark run from working, ${warned} warning(s). Fix the ✘ lines first.\n`
                    : `\nhark run can work here${warned ? `; ${warned} warning(s) above` : ""}.\n`);
            }
            if (failed) process.exitCode = 1;
        });
}
