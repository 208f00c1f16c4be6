// Rebuilds test/eval/hark.jsonl: the built-in intents' examples followed by the hand-written sentences
// (handwritten.jsonl, then holdout.jsonl, a second batch first measured without any tuning on it).
// Run with `npm run eval:build` after changing an intent's examples; a test fails while the file is stale.
import fs from "node:fs";
import path from "node:path";
import { examplesAsEvalCases } from "../src/eval/dataset.ts";
import { loadIntentDirs } from "../src/intents/load.ts";
import { builtinIntentsDir, packageRoot } from "../src/paths.ts";

/** The eval file's expected contents. */
export async function buildEvalFile(): Promise<string> {
    const set = await loadIntentDirs([builtinIntentsDir]);
    const examples = examplesAsEvalCases(set.intents).map((c) => JSON.stringify(c));
    const handwritten = ["handwritten.jsonl", "holdout.jsonl"].flatMap((f) => fs.readFileSync(path.join(packageRoot, "test", "eval", f), "utf8").trim().split("\n"));
    return `${[...examples, ...handwritten].join("\n")}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
    const out = path.join(packageRoot, "test", "eval", "hark.jsonl");
    fs.writeFileSync(out, await buildEvalFile());
    process.stdout.write(`wrote ${out}\n`);
}
