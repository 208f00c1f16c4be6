import fs from "node:fs";
import YAML from "yaml";
import { ConfigError } from "../errors.ts";
import { userConfigPath } from "../paths.ts";
import { writeFileAtomic } from "../util/files.ts";
import { validateConfig } from "./load.ts";

/**
 * Sets keys in a config file, keeping its comments and layout (the file is created when missing). The edited config
 * is validated before it is written, and written through a rename, so a running daemon never reads half a file.
 */
export function setConfigValues(file: string, values: ReadonlyArray<readonly [readonly string[], unknown]>): void {
    let text = "";
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw new ConfigError(`cannot read ${file}: ${(error as Error).message}`, { cause: error });
    }
    const doc = YAML.parseDocument(text);
    if (doc.errors.length) throw new ConfigError(`${file} is not valid YAML: ${doc.errors[0]!.message}`);
    if (doc.contents == null) doc.contents = new YAML.YAMLMap() as unknown as typeof doc.contents;
    for (const [keys, value] of values) doc.setIn(keys, value);
    validateConfig(doc.toJS(), file);
    writeFileAtomic(file, doc.toString());
}

/**
 * The config file a command that changes settings writes: the one named on the command line, else `$HARK_CONFIG`,
 * else the one that was loaded, else the user's own (~/.config/hark/config.yaml, made when needed).
 */
export function writableConfigFile(explicit: string | undefined, loaded: string | null): string {
    return explicit ?? process.env.HARK_CONFIG ?? loaded ?? userConfigPath();
}
