import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import ajvFormats from "ajv-formats";
import type { JSONSchema7 } from "./json-schema.ts";

// ajv-formats is CommonJS; under NodeNext its plugin function is the `default` property of the import.
const addFormats = (ajvFormats as unknown as { default: (ajv: Ajv) => Ajv }).default;

/** One ajv for every intent's argument schema; `useDefaults` fills declared defaults. */
export const argsAjv = new Ajv({ allErrors: true, strict: false, useDefaults: true });
addFormats(argsAjv);

/** Compiles an argument schema; throws with ajv's reason when the schema itself is invalid. */
export function compileArgsSchema(schema: JSONSchema7): ValidateFunction {
    return argsAjv.compile(schema);
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
