// Part of `npm run build`: bundles each built-in code intent once, so that a start of the built hark imports the
// bundles instead of starting esbuild (dist/builtin-intents/NAME.mjs, with NAME.json holding the sha256 of every file
// the bundle was made from: a changed file is bundled again at load, as a user's intent is), and parses each built-in
// YAML intent (NAME.yaml.json, with the sha256 of the text), so that a start need not load the yaml package.
import fs from "node:fs";
import path from "node:path";
import YAML from "yaml";

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
const yamlFiles = fs.readdirSync(builtinIntentsDir).filter((f) => /\.ya?ml$/.test(f));
for (const name of yamlFiles) {
    const text = fs.readFileSync(path.join(builtinIntentsDir, name), "utf8");
    fs.writeFileSync(path.join(PREBUILT_INTENTS_DIR, `${name}.json`), `${JSON.stringify({ sha256: sha256(text), data: YAML.parse(text) })}\n`);
}
console.log(`build: ${files.length} built-in intents bundled, ${yamlFiles.length} parsed`);
