import path from "node:path";
import type { Command } from "commander";
import { examplesAsEvalCases } from "../eval/dataset.ts";
import type { HarkConfig } from "../config/schema.ts";
import { errorMessage } from "../errors.ts";
import type { LoadedIntent } from "../intents/compile.ts";
import { describeBroad } from "../intents/broad.ts";
import { loadIntentDirs } from "../intents/load.ts";
import { typeErrors } from "../intents/typecheck.ts";
import { isBuiltinIntent } from "../paths.ts";
import { silentLogger } from "../log/logger.ts";
import { createGrammarTranscriber } from "../pipeline/voice-setup.ts";
import type { GrammarTranscriber } from "../stt/grammar.ts";
import { TemplateRecognizer } from "../nlu/templates.ts";
import { sameArgs } from "../eval/metrics.ts";
import { setup } from "./common.ts";

/** `hark intents list|check`. */
export function registerIntents(program: Command): void {
    const intents = program.command("intents").description("inspect and check intent files");

    intents.command("list")
        .description("the intents that are loaded")
        .option("--json", "machine-readable output")
        .action(async (options: { json?: boolean }, command: Command) => {
            const { config } = setup(command, "warn");
            const set = await loadIntentDirs(config.paths.intentsDirs);
            const rows = set.intents.map((i) => ({
                name: i.spec.name, format: i.format, file: i.file, description: i.spec.description,
                sentences: i.spec.sentences.reduce((n, g) => n + g.sentences.length, 0), examples: i.spec.examples.length
            }));
            if (options.json) {
                process.stdout.write(`${JSON.stringify({ intents: rows, problems: set.problems.map((p) => ({ file: p.file, message: p.message })) }, null, 2)}\n`);
                return;
            }
            const width = Math.max(4, ...rows.map((r) => r.name.length));
            for (const r of rows) process.stdout.write(`${r.name.padEnd(width)}  ${r.format.padEnd(4)}  ${String(r.sentences).padStart(3)} sentences  ${path.basename(r.file)}  ${r.description}\n`);
            if (set.problems.length) process.stdout.write(`\n${set.problems.length} file(s) could not be loaded; run "hark intents check".\n`);
        });

    intents.command("examples")
        .description("print every intent's examples as eval JSONL ({text, expect} per line)")
        .action(async (_options: unknown, command: Command) => {
            const { config } = setup(command, "warn");
            const set = await loadIntentDirs(config.paths.intentsDirs);
            for (const line of examplesAsEvalCases(set.intents)) process.stdout.write(`${JSON.stringify(line)}\n`);
        });

    intents.command("check")
        .description("load every intent file and report each problem with its line: templates, placeholders nothing fills, type errors in TypeScript intents, examples the sentences do not match, words the speech grammar cannot hear")
        .argument("[dir...]", "folders to check (default: the configured intents folders)")
        .action(async (dirs: string[], _options: unknown, command: Command) => {
            const { config } = setup(command, "warn");
            const set = await loadIntentDirs(dirs.length ? dirs.map((d) => path.resolve(d)) : config.paths.intentsDirs);
            const recognizer = new TemplateRecognizer(set.intents.map((i) => i.spec), { fuzzy: false, fillerWords: config.nlu.fillerWords, leadingPhrases: config.nlu.leadingPhrases });
            const warnings: string[] = [];
            const files = new Map(set.intents.map((i) => [i.spec.name, i.file]));
            warnings.push(...set.intents.flatMap((i) => i.warnings ?? []));
            for (const broad of recognizer.broadTemplates()) warnings.push(`${files.get(broad.intent)}: ${describeBroad(broad)}`);
            for (const intent of set.intents) {
                for (const example of intent.spec.examples) {
                    const got = recognizer.recognizeSync(example.text);
                    if (got?.intent !== intent.spec.name) warnings.push(`${intent.file}: example "${example.text}" is recognised as ${got?.intent ?? "nothing"}`);
                    else if (!sameArgs(got.args, example.args)) warnings.push(`${intent.file}: example "${example.text}" gives ${JSON.stringify(got.args)}, expected ${JSON.stringify(example.args)}`);
                }
            }
            warnings.push(...(await grammarGaps(set.intents, config)));
            const code = set.intents.filter((i) => i.format === "code" && /\.m?ts$/.test(i.file) && !isBuiltinIntent(i.file)).map((i) => i.file);
            const types = typeErrors(code);
            const typeProblems = Array.isArray(types) ? types : [];
            if (!Array.isArray(types)) warnings.push(`types of ${code.length} TypeScript intent(s) not checked: ${types.unchecked}`);
            for (const p of set.problems) process.stdout.write(`error: ${p.message}\n`);
            for (const t of typeProblems) process.stdout.write(`error: ${t}\n`);
            for (const r of set.replaced ?? []) process.stdout.write(`note: ${r.by}: replaces the built-in intent ${r.name} (${r.builtin})\n`);
            for (const w of warnings) process.stdout.write(`warning: ${w}\n`);
            const errors = set.problems.length + typeProblems.length;
            process.stdout.write(`${set.intents.length} intent(s) loaded, ${errors} error(s), ${warnings.length} warning(s)\n`);
            if (errors || warnings.length) process.exitCode = 1;
        });
}

/** What the speech grammar cannot express: words without a pronunciation, wildcard slots without values. */
async function grammarGaps(intents: readonly LoadedIntent[], config: HarkConfig): Promise<string[]> {
    const file = new Map(intents.map((i) => [i.spec.name, i.file]));
    let transcriber: GrammarTranscriber;
    try {
        transcriber = await createGrammarTranscriber(config, silentLogger());
    } catch (error) {
        return [`speech grammar not checked: ${errorMessage(error)}`];
    }
    try {
        transcriber.setIntents(intents.map((i) => i.spec), config.stt.slotValues);
        return transcriber.grammarProblems.map((p) => `${file.get(p.intent)}: ${p.message}`);
    } finally {
        await transcriber.dispose();
    }
}
