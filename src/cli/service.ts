import fs from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import { currentOwner, installService, ownerNamed, SERVICE_FILES, systemdRunning, uninstallService } from "../service/install.ts";
import { runProgram } from "../util/program.ts";

interface InstallCliOptions {
    root: string;
    owner?: string;
    intentsDir?: string;
    musicDir?: string;
    start: boolean;
}

/** `hark service install|uninstall|status`: hark as a systemd service. */
export function registerService(program: Command): void {
    const service = program.command("service").description("run hark as a systemd service (starts at boot, restarts when stuck)");
    const report = (line: string): void => void process.stdout.write(`${line}\n`);

    service.command("install")
        .description("install, enable and start the hark service (as root; safe to run again)")
        .option("--root <dir>", "install into this folder instead of / (for images and tests; nothing is started)", "/")
        .option("--owner <user>", "who owns /etc/hark/config.yaml and the intents folder (default: the sudo caller)")
        .option("--intents-dir <dir>", "folder for your own intent files, picked up while the service runs (default /etc/hark/intents)")
        .option("--music-dir <dir>", "music folder for play_song (default: your ~/Music when it exists, else /var/lib/hark/music)")
        .option("--no-start", "install and enable, but do not start it now")
        .action(async (options: InstallCliOptions) => {
            await installService({
                root: options.root, owner: options.owner ? ownerNamed(options.owner) : currentOwner(), start: options.start, report,
                ...(options.intentsDir ? { intentsDir: options.intentsDir } : {}), ...(options.musicDir ? { musicDir: options.musicDir } : {})
            });
        });

    service.command("uninstall")
        .description("stop and remove the service and the hark user; keeps /etc/hark (your config and intents)")
        .option("--root <dir>", "remove from this folder instead of /", "/")
        .option("--purge", "also delete /var/lib/hark (timers, traces, downloaded models)")
        .action(async (options: { root: string; purge?: boolean }) => {
            await uninstallService({ root: options.root, purge: options.purge ?? false, report });
        });

    service.command("status")
        .description("is the service installed, enabled, running; its status line and last log lines")
        .option("-n, --lines <n>", "log lines to show", "15")
        .action(async (options: { lines: string }) => {
            if (!fs.existsSync(SERVICE_FILES.unit)) {
                report(`not installed (no ${SERVICE_FILES.unit}); install it with: sudo ./scripts/setup.sh --service`);
                process.exitCode = 3;
                return;
            }
            if (!systemdRunning()) {
                report(`installed (${SERVICE_FILES.unit}), but systemd is not running on this machine, so it cannot run here`);
                process.exitCode = 3;
                return;
            }
            const show = await systemctl(["show", "hark.service", "--property=ActiveState,SubState,UnitFileState,StatusText,MainPID,NRestarts,ActiveEnterTimestamp,MemoryCurrent"]);
            const fields = Object.fromEntries(show.split("\n").filter(Boolean).map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
            const memory = Number(fields.MemoryCurrent);
            report(`hark.service: ${fields.ActiveState} (${fields.SubState}), ${fields.UnitFileState === "enabled" ? "starts at boot" : `not enabled (${fields.UnitFileState})`}`);
            if (fields.StatusText) report(`status:   ${fields.StatusText}`);
            if (fields.ActiveState === "active") report(`since:    ${fields.ActiveEnterTimestamp}; pid ${fields.MainPID}${Number.isFinite(memory) ? `, ${Math.round(memory / 2 ** 20)} MiB` : ""}`);
            report(`restarts: ${fields.NRestarts ?? "?"}`);
            report(`config:   ${SERVICE_FILES.config}`);
            const log = await runProgram(["journalctl", "-u", "hark.service", "-n", options.lines, "--no-pager", "-o", "cat"]).then((r) => r.stdout, (e: Error) => `(journalctl: ${e.message})`);
            report(`\nlast log lines (all of them: journalctl -u hark -o cat | ${path.join("node_modules", ".bin", "pino-pretty")}):\n${log.trimEnd()}`);
            if (fields.ActiveState !== "active") process.exitCode = 3;
        });
}

async function systemctl(args: string[]): Promise<string> {
    return (await runProgram(["systemctl", ...args])).stdout;
}
