import YAML, { isMap, isScalar, type Node } from "yaml";
import { validateConfig } from "./load.ts";
import { ConfigSchema } from "./schema.ts";

interface SchemaNode {
    description?: string;
    properties?: Record<string, SchemaNode>;
}

/**
 * A config file with every key, its value (the defaults, with `values` applied over them) and, above each key, the
 * schema's description of it: the file `hark config init` and the service installer write for people to edit.
 */
export function commentedConfig(values: Record<string, unknown> = {}, header: readonly string[] = []): string {
    const effective = validateConfig(values);
    // Paths resolved from the machine (the data folder, the shipped intents) are written only when asked for.
    const paths = values.paths as Record<string, unknown> | undefined;
    for (const key of ["intentsDirs", "dataDir", "modelsDir"] as const) {
        if (paths?.[key] === undefined) (effective.paths as Record<string, unknown>)[key] = key === "intentsDirs" ? [] : "";
    }
    const music = values.music as Record<string, unknown> | undefined;
    if (music?.dir === undefined) effective.music.dir = "";
    if (!(values.trace as Record<string, unknown> | undefined)?.file) effective.trace.file = "";

    const doc = new YAML.Document(effective);
    annotate(doc.contents, ConfigSchema as SchemaNode);
    doc.commentBefore = [
        " yaml-language-server: $schema=config.schema.json",
        " hark configuration. Every key is optional: delete what you do not change. `hark config schema` describes them all;",
        " `hark config show` prints what is in effect. Environment variables override keys: HARK__LLM__PROFILE=qwen2.5-0.5b-instruct.",
        ...header.map((line) => ` ${line}`)
    ].join("\n");
    return doc.toString({ lineWidth: 0 });
}

function annotate(node: Node | null | undefined, schema: SchemaNode): void {
    if (!isMap(node) || !schema.properties) return;
    for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : null;
        const child = key == null ? undefined : schema.properties[key];
        if (!child) continue;
        const lines = child.description ? [` ${child.description}`] : [];
        // Keys without a default are not in the file; say what each would do.
        const value = pair.value as Node;
        if (isMap(value) && child.properties) {
            const present = new Set(value.items.map((item) => (isScalar(item.key) ? String(item.key.value) : "")));
            for (const [name, property] of Object.entries(child.properties)) {
                if (!present.has(name)) lines.push(` ${name} (not set): ${property.description ?? ""}`.trimEnd());
            }
        }
        if (lines.length && isScalar(pair.key)) pair.key.commentBefore = lines.join("\n");
        annotate(value, child);
    }
}
