// Part of `npm run build`: compiles every schema hark validates against into dist/validators/NAME.cjs (ajv's
// standalone code), so the built hark loads validators instead of compiling them on each command.
import fs from "node:fs";
import path from "node:path";
import { Ajv } from "ajv";
import standaloneCode from "ajv/dist/standalone/index.js";

const dist = new URL("../dist/", import.meta.url);
// The modules that declare validators (each calls compiledOnUse when imported).
for (const module of ["config/load.js", "intents/load.js", "llm/params.js", "models/catalog.js", "services/timers.js"]) await import(new URL(module, dist).href);
const { validatorSpecs, prebuiltValidatorFile } = await import(new URL("util/validator.js", dist).href);

for (const [name, { schema, options }] of validatorSpecs) {
    const ajv = new Ajv({ ...options, code: { ...options.code, source: true } });
    const file = prebuiltValidatorFile(name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, standaloneCode.default(ajv, ajv.compile(schema)));
}

// The built-in intents' argument schemas, by the hash the loader looks them up by.
const { loadIntentDirs } = await import(new URL("intents/load.js", dist).href);
const { argumentsAjv, argsValidatorName } = await import(new URL("intents/validate-args.js", dist).href);
const { builtinIntentsDir } = await import(new URL("paths.js", dist).href);
const { intents } = await loadIntentDirs([builtinIntentsDir]);
const argsAjv = argumentsAjv({ code: { source: true } });
let args = 0;
for (const intent of intents) {
    const name = argsValidatorName(intent.spec.args);
    if (name == null) continue;
    fs.writeFileSync(prebuiltValidatorFile(name), standaloneCode.default(argsAjv, argsAjv.compile(intent.spec.args)));
    args++;
}
console.log(`build: ${validatorSpecs.size} validators compiled (${[...validatorSpecs.keys()].join(", ")}), and ${args} intents' argument validators`);
