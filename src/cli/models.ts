import type { Command } from "commander";
import { writableConfigFile } from "../config/edit.ts";
import type { DownloadProgress } from "../models/download.ts";
import { modelStore } from "../pipeline/llm-setup.ts";
import { megabytes, modelChoice, modelInUse, useModel } from "../pipeline/model-choice.ts";
import { setup, type GlobalOptions } from "./common.ts";

/** `hark models list | pull NAME | use NAME | rm NAME`. */
export function registerModels(program: Command): void {
    const models = program.command("models").description("download, choose and remove language and speech models");

    models.command("list")
        .description("hark's own model and the catalog: what each is, its size, what Pi it suits, whether it is on disk, which is in use")
        .option("--json", "print the list as JSON")
        .action((options: { json?: boolean }, command: Command) => {
            const { config } = setup(command, "warn");
            const { modelsDir, models: rows, profiles, profile } = modelChoice(config);
            if (options.json) {
                process.stdout.write(`${JSON.stringify({ models: rows, profiles, profile }, null, 2)}\n`);
                return;
            }
            process.stdout.write(`models folder: ${modelsDir}\n\n`);
            const header = ["", "name", "role", "size", "state", "suits"];
            const table = rows.map((r) => [r.inUse ? "*" : " ", r.name, r.role, r.bytes ? megabytes(r.bytes) : "unknown", r.state, r.suits]);
            process.stdout.write(formatTable([header, ...table]));
            if (profiles.length) {
                process.stdout.write(`\nyour profiles (llm.profiles):\n`);
                for (const p of profiles) process.stdout.write(`${p.inUse ? "*" : " "} ${p.name}  model ${p.model}\n`);
            }
            const using = config.llm.enabled ? `LLM profile in use: ${config.llm.profile}` : "the LLM is off (llm.enabled: false)";
            process.stdout.write(`\n* in use. ${using}. "hark models pull NAME" downloads, "hark models use NAME" switches.\n`);
        });

    models.command("pull")
        .description("download a model (resumes an interrupted download; checks size and sha256)")
        .argument("<name>", "catalog name (hark models list)")
        .action(async (name: string, _options: unknown, command: Command) => {
            const { config, log } = setup(command, "warn");
            const store = modelStore(config, log);
            const { model, installed, file } = store.get(name);
            if (installed) {
                process.stdout.write(`${name} is already downloaded: ${file}\n`);
                return;
            }
            const controller = new AbortController();
            const cancel = (): void => controller.abort();
            process.once("SIGINT", cancel);
            const progress = progressPrinter(name);
            try {
                const result = await store.pull(name, { onProgress: progress.update, signal: controller.signal });
                progress.done();
                process.stdout.write(`downloaded ${name} (${megabytes(result.bytes)}${result.resumed ? ", resumed" : ""}) to ${result.file}\n`);
                if (result.recordedFirstHash) {
                    process.stderr.write(`hark: warning: the catalog has no checksum for ${name}; recorded this download's sha256 ${result.sha256} — later pulls must match it\n`);
                } else {
                    process.stdout.write(`sha256 ${result.sha256} matches the catalog (source: ${model.checksumSource})\n`);
                }
                process.stdout.write(`use it with: hark models use ${name}\n`);
            } finally {
                progress.done();
                process.off("SIGINT", cancel);
            }
        });

    models.command("use")
        .description("switch to a model: an LLM (or a profile) becomes llm.profile, a Whisper model stt.whisperModel; written to the config file")
        .argument("<name>", "catalog name, or a profile from llm.profiles")
        .action((name: string, _options: unknown, command: Command) => {
            const { config, file } = setup(command, "warn");
            const target = writableConfigFile(command.optsWithGlobals<GlobalOptions>().config, file);
            useModel(config, target, name);
            process.stdout.write(`now using ${name}; wrote ${target} (a running hark picks up LLM changes at once)\n`);
        });

    models.command("rm")
        .description("delete a downloaded model (and any partial download)")
        .argument("<name>", "catalog name")
        .action((name: string, _options: unknown, command: Command) => {
            const { config } = setup(command, "warn");
            const store = modelStore(config);
            const removed = store.remove(name);
            if (removed.length === 0) {
                process.stdout.write(`${name} is not downloaded; nothing to remove\n`);
                return;
            }
            process.stdout.write(`removed ${removed.join(", ")}\n`);
            if (modelInUse(config, store.get(name).file)) process.stderr.write(`hark: note: ${name} is still selected in the config; hark answers with templates only until you pull it again or "hark models use" another\n`);
        });
}

function formatTable(rows: string[][]): string {
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join("  ").trimEnd()).join("\n") + "\n";
}

/** A progress bar on a terminal; a line every 10% otherwise (logs, pipes). */
function progressPrinter(name: string): { update: (p: DownloadProgress) => void; done: () => void } {
    const started = Date.now();
    let lastDecile = -1;
    let drawn = false;
    return {
        update(p) {
            const fraction = p.total ? p.received / p.total : 0;
            const rate = (p.received - p.resumedFrom) / Math.max(0.001, (Date.now() - started) / 1000);
            const text = `${name} ${p.total ? `${(fraction * 100).toFixed(0).padStart(3)}% ` : ""}${megabytes(p.received)}${p.total ? ` of ${megabytes(p.total)}` : ""} at ${megabytes(rate)}/s${p.resumedFrom ? ` (resumed at ${megabytes(p.resumedFrom)})` : ""}`;
            if (process.stderr.isTTY) {
                const width = 30;
                const bar = "#".repeat(Math.round(fraction * width)).padEnd(width, ".");
                process.stderr.write(`\r[${bar}] ${text}   `);
                drawn = true;
            } else {
                const decile = Math.floor(fraction * 10);
                if (decile !== lastDecile) process.stderr.write(`${text}\n`);
                lastDecile = decile;
            }
        },
        done() {
            if (drawn) process.stderr.write("\n");
            drawn = false;
        }
    };
}

