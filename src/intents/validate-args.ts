import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import type { Ajv, ErrorObject, Options, ValidateFunction } from "ajv";
import { prebuiltValidator } from "../util/validator.ts";
import type { JSONSchema7 } from "./json-schema.ts";

const require = createRequire(import.meta.url);

/** The options of every intent's argument validator; `useDefaults` fills declared defaults. */
export const ARGS_AJV_OPTIONS: Options = { allErrors: true, strict: false, useDefaults: true };

let argsAjv: Ajv | null = null;

/**
 * The ajv (with ajv-formats) every argument schema is compiled with, made when the first one is; with `extra`
 * options (the build's `code: { source: true }`), a new one.
 */
export function argumentsAjv(extra?: Options): Ajv {
    const { default: Ajv } = require("ajv") as typeof import("ajv");
    // ajv-formats is CommonJS: its plugin function is the `default` property.
    const addFormats = (require("ajv-formats") as { default: (ajv: Ajv) => Ajv }).default;
    if (extra) return addFormats(new Ajv({ ...ARGS_AJV_OPTIONS, ...extra }));
    argsAjv ??= addFormats(new Ajv(ARGS_AJV_OPTIONS));
    return argsAjv;
}

/**
 * The name the build compiles an argument schema's validator under (`scripts/build-validators.mjs` compiles the built-in
 * intents'): by the schema's hash. Null for a schema it does not compile ahead: one with formats, whose code needs
 * ajv-formats.
 */
export function argsValidatorName(schema: JSONSchema7): string | null {
    const text = JSON.stringify(schema);
    return text.includes('"format"') ? null : `args-${createHash("sha256").update(text).digest("hex").slice(0, 16)}`;
}

/**
 * Compiles an argument schema; throws with ajv's reason when the schema itself is invalid. Running from its build, hark
 * loads the code the build compiled for the same schema instead (a built-in intent's: about 5 ms each saved at start).
 */
export function compileArgsSchema(schema: JSONSchema7): ValidateFunction {
    const name = argsValidatorName(schema);
    return (name != null ? prebuiltValidator(name) : null) ?? argumentsAjv().compile(schema);
}

/** "song: must be string; when: must be equal to one of the allowed values (today, tomorrow)". */
export function describeAjvErrors(errors: readonly ErrorObject[] | null | undefined): string {
    return (errors ?? []).map((e) => {
        const where = e.instancePath.slice(1).replaceAll("/", ".");
        if (e.keyword === "additionalProperties") return `unknown argument "${String(e.params.additionalProperty)}"`;
        if (e.keyword === "required") return `missing argument "${String(e.params.missingProperty)}"`;
        if (e.keyword === "enum") return `${where}: must be one of ${(e.params.allowedValues as unknown[]).map(String).join(", ")}`;
        return `${where || "arguments"}: ${e.message ?? "invalid"}`;
    }).join("; ");
}
