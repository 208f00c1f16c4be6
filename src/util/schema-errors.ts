import type { ErrorObject } from "ajv";
import { distance } from "fastest-levenshtein";

/**
 * Turns ajv errors into lines that name the key and what was expected: `nlu.minConfidence: must be <= 1`,
 * `tts.engnie: unknown key (did you mean "engine"?)`. `root` is the schema validated against, for suggestions.
 */
export function describeSchemaErrors(errors: readonly ErrorObject[] | null | undefined, root: object): string[] {
    const lines = (errors ?? [])
        // A union's "must match a schema in anyOf" repeats what its branches already said.
        .filter((e) => e.keyword !== "anyOf" || (errors ?? []).length === 1)
        .map((error) => {
            const where = error.instancePath.slice(1).replaceAll("/", ".") || "(top level)";
            if (error.keyword === "additionalProperties") {
                const extra = String(error.params.additionalProperty);
                const known = Object.keys(schemaAt(root, error.schemaPath)?.properties ?? {});
                return `${error.instancePath ? `${where}.${extra}` : extra}: unknown key${suggest(extra, known)}`;
            }
            if (error.keyword === "anyOf") return `${where}: does not match any allowed form`;
            if (error.keyword === "const") return `${where}: expected ${JSON.stringify(error.params.allowedValue)}`;
            if (error.keyword === "enum") return `${where}: expected one of ${JSON.stringify(error.params.allowedValues)}`;
            if (error.keyword === "required") return `${where}: missing required key "${String(error.params.missingProperty)}"`;
            return `${where}: ${error.message ?? "is invalid"}`;
        });
    return [...new Set(lines)];
}

function schemaAt(root: object, schemaPath: string): { properties?: Record<string, unknown> } | undefined {
    // schemaPath looks like "#/properties/nlu/additionalProperties"
    let node: unknown = root;
    for (const part of schemaPath.replace(/^#\/?/, "").split("/").slice(0, -1)) {
        // Parts are JSON-pointer escaped and URI-encoded (a record's patternProperties key is a regular expression).
        node = (node as Record<string, unknown> | undefined)?.[decodeURIComponent(part).replaceAll("~1", "/").replaceAll("~0", "~")];
    }
    return node as { properties?: Record<string, unknown> } | undefined;
}

/** ` (did you mean "x"?)` when a known name is close, else empty. */
export function suggest(word: string, known: readonly string[]): string {
    let best: string | undefined;
    let bestDistance = Infinity;
    for (const candidate of known) {
        const d = distance(word.toLowerCase(), candidate.toLowerCase());
        if (d < bestDistance) {
            bestDistance = d;
            best = candidate;
        }
    }
    return best != null && bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? ` (did you mean "${best}"?)` : "";
}
