import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { ErrorObject, Options, ValidateFunction } from "ajv";
import { packageRoot, runningFromBuild } from "../paths.ts";

/** A validator as its callers use it: true when `data` fits, and the reasons when it did not. */
export interface Validator<T> {
    (data: unknown): data is T;
    errors?: ErrorObject[] | null;
}

/** Every named validator's schema and ajv options: what `npm run build` compiles ahead of time. */
export const validatorSpecs = new Map<string, { schema: object; options: Options }>();

/** Where the build puts the validator compiled from the spec named `name`. */
export function prebuiltValidatorFile(name: string): string {
    return path.join(packageRoot, "dist", "validators", `${name}.cjs`);
}

const require = createRequire(import.meta.url);

/**
 * A validator for `schema`, made on its first use: compiling a schema costs 0.1–0.2 s, which every command would pay at
 * import. When hark runs from its build, the code the build compiled (`dist/validators/`) is loaded instead of compiling.
 */
export function compiledOnUse<T>(name: string, schema: object, options: Options): Validator<T> {
    validatorSpecs.set(name, { schema, options });
    let compiled: ValidateFunction<T> | null = null;
    const validator = ((data: unknown): data is T => {
        compiled ??= load<T>(name, schema, options);
        const ok = compiled(data);
        validator.errors = compiled.errors;
        return ok;
    }) as Validator<T>;
    return validator;
}

/**
 * The validator the build compiled under `name`, when hark runs from that build; else null. Only a build of these
 * very sources: hark run from its TypeScript may have schemas newer than dist/.
 */
export function prebuiltValidator<T>(name: string): ValidateFunction<T> | null {
    const built = prebuiltValidatorFile(name);
    return runningFromBuild && fs.existsSync(built) ? (require(built) as ValidateFunction<T>) : null;
}

function load<T>(name: string, schema: object, options: Options): ValidateFunction<T> {
    const prebuilt = prebuiltValidator<T>(name);
    if (prebuilt) return prebuilt;
    const { default: Ajv } = require("ajv") as typeof import("ajv");
    return new Ajv(options).compile<T>(schema);
}
