// Part of `npm run build`: bundles each built-in intent once, so that a start of the built hark imports the bundles
// instead of starting esbuild (dist/builtin-intents/NAME.mjs, with NAME.json holding the sha256 of every file the
// bundle was made from: a changed file is bundled again at load, as a user's intent is).
import fs from "node:fs";
import path from "node:path";

const dist = new URL("../dist/", import.meta.url);
const { bundleIntent, isIntentFile, sha256, HARK_MODULE_PLACEHOLDER, PREBUILT_INTENTS_DIR } = await import(new URL("intents/load.js", dist).href);
const { builtinIntentsDir, packageRoot } = await import(new URL("paths.js", dist).href);

fs.mkdirSync(PREBUILT_INTENTS_DIR, { recursive: true });
const files = fs.readdirSync(builtinIntentsDir).map((f) => path.join(builtinIntentsDir, f)).filter((f) => isIntentFile(f) && !/\.ya?ml$/.test(f));
for (const file of files) {
    const { code, inputs } = await bundleIntent(file, HARK_MODULE_PLACEHOLDER);
    const name = path.basename(file, path.extname(file));
    const hashes = Object.fromEntries(inputs.map((input) => [path.relative(packageRoot, input), sha256(fs.readFileSync(input))]));
    fs.writeFileSync(path.join(PREBUILT_INTENTS_DIR, `${name}.mjs`), code);
    fs.writeFileSync(path.join(PREBUILT_INTENTS_DIR, `${name}.json`), `${JSON.stringify({ inputs: hashes }, null, 2)}\n`);
}
console.log(`build: ${files.length} built-in intents bundled`);
