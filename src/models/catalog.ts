import fs from "node:fs";
import path from "node:path";
import { Type, type Static } from "@sinclair/typebox";
import { HarkError } from "../errors.ts";
import { packageRoot } from "../paths.ts";
import { describeSchemaErrors, suggest } from "../util/schema-errors.ts";
import { compiledOnUse } from "../util/validator.ts";

const CatalogModelSchema = Type.Object({
    name: Type.String({ pattern: "^[a-z0-9][a-z0-9._-]*$" }),
    role: Type.Union([Type.Literal("llm"), Type.Literal("stt")]),
    description: Type.String(),
    file: Type.String({ pattern: "^[^/]+$" }),
    url: Type.String({ pattern: "^https?://" }),
    bytes: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], { description: "null: no source gives the size" }),
    sha256: Type.Union([Type.String({ pattern: "^[0-9a-f]{64}$" }), Type.Null()], { description: "null: no source gives the hash; pull records the first download's" }),
    checksumSource: Type.String(),
    licence: Type.String(),
    suits: Type.String()
}, { additionalProperties: false });

const CatalogSchema = Type.Object({
    $comment: Type.Optional(Type.String()),
    models: Type.Array(CatalogModelSchema)
}, { additionalProperties: false });

/** One downloadable model. */
export type CatalogModel = Static<typeof CatalogModelSchema>;

/** The catalog shipped with hark. */
export const defaultCatalogFile = path.join(packageRoot, "models", "catalog.json");

const validate = compiledOnUse<Static<typeof CatalogSchema>>("model-catalog", CatalogSchema, { allErrors: true, strict: false });

/** Reads and validates a catalog file. */
export function loadCatalog(file = defaultCatalogFile): CatalogModel[] {
    let raw: unknown;
    try {
        raw = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (error) {
        throw new HarkError("HARK_CATALOG_INVALID", `cannot read the model catalog ${file}: ${(error as Error).message}`, { cause: error });
    }
    if (!validate(raw)) {
        throw new HarkError("HARK_CATALOG_INVALID", `model catalog ${file} is invalid:\n  - ${describeSchemaErrors(validate.errors, CatalogSchema).join("\n  - ")}`);
    }
    const names = new Set<string>();
    for (const m of raw.models) {
        if (names.has(m.name)) throw new HarkError("HARK_CATALOG_INVALID", `model catalog ${file}: "${m.name}" is listed twice`);
        names.add(m.name);
    }
    return raw.models;
}

/** The catalog entry called `name`; an unknown name gets a "did you mean" and a pointer to the list. */
export function findCatalogModel(catalog: readonly CatalogModel[], name: string): CatalogModel {
    const model = catalog.find((m) => m.name === name);
    if (model == null) {
        throw new HarkError("HARK_MODEL_UNKNOWN", `no model called "${name}" in the catalog${suggest(name, catalog.map((m) => m.name))}; "hark models list" shows them`);
    }
    return model;
}
