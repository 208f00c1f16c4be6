import fs from "node:fs";
import path from "node:path";
import type * as Yaml from "yaml";
import { ConfigError } from "../errors.ts";
import { onFirstUse } from "../util/lazy.ts";
import { unsafeForRoot } from "../util/ownership.ts";
import { describeSchemaErrors, suggest } from "../util/schema-errors.ts";
import { compiledOnUse } from "../util/validator.ts";
import { builtinIntentsDir, defaultDataDir, expandHome, packageRoot, userConfigPath } from "../paths.ts";
import { ConfigSchema, type HarkConfig } from "./schema.ts";

/** Where a config came from, for `hark config show` and log lines. */
export interface LoadedConfig {
    config: HarkConfig;
    /** The file read, or `null` when only defaults and environment were used. */
    file: string | null;
}

/** Options for {@link loadConfig}. */
export interface LoadConfigOptions {
    /** Explicit path (the CLI's `--config`). Defaults to `$HARK_CONFIG`, then ~/.config/hark/config.yaml, then /etc/hark/config.yaml. */
    file?: string;
    /** Environment to read `HARK_CONFIG` and `HARK__SECTION__KEY` overrides from. Defaults to `process.env`. */
    env?: NodeJS.ProcessEnv;
}

const yaml = onFirstUse<typeof Yaml>("yaml");
const validate = compiledOnUse<HarkConfig>("config", ConfigSchema, { useDefaults: true, allErrors: true, strict: false });

/** Finds, parses, overrides and validates the configuration. */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
    const env = options.env ?? process.env;
    const file = options.file ?? env.HARK_CONFIG ?? firstExisting([userConfigPath(), "/etc/hark/config.yaml"]);
    let raw: unknown = {};
    if (file != null) {
        const unsafe = unsafeForRoot(file, env);
        if (unsafe) throw new ConfigError(`will not read the config: ${unsafe}`);
        raw = readConfigFile(file, options.file != null || env.HARK_CONFIG != null);
    }
    if (raw == null) raw = {};
    if (typeof raw !== "object" || Array.isArray(raw)) {
        throw new ConfigError(`${file}: the top level must be a mapping of sections (paths, nlu, music, ...), not ${Array.isArray(raw) ? "a list" : typeof raw}`);
    }
    const fromEnv = applyEnvOverrides(raw as Record<string, unknown>, env);
    return { config: validateConfig(raw, file ?? "config", fromEnv), file: file ?? null };
}

/**
 * Validates an already parsed config object, filling in defaults and resolving paths. `fromEnv` maps the keys set
 * by environment variables (`music.dir` → `HARK__MUSIC__DIR`), so that an error in one is blamed on the variable.
 */
export function validateConfig(raw: unknown, source = "config", fromEnv: ReadonlyMap<string, string> = new Map()): HarkConfig {
    const copy = structuredClone(raw);
    if (!validate(copy)) {
        const problems = describeSchemaErrors(validate.errors, ConfigSchema).map((line) => {
            const key = line.slice(0, line.indexOf(":"));
            return { line, variable: [...fromEnv].find(([k]) => key === k || key.startsWith(`${k}.`))?.[1] };
        });
        const lines = problems.map(({ line, variable }) => (variable ? `${line} (from environment variable ${variable})` : line));
        const blamed = problems.every((p) => p.variable) ? "the HARK__ environment variables are" : `${source} is`;
        throw new ConfigError(`${blamed} invalid (hark config schema prints every key):\n  - ${lines.join("\n  - ")}`);
    }
    const config = copy;
    const dirs = [...(config.intents.builtins ? [builtinIntentsDir] : []), ...config.paths.intentsDirs.map((d) => path.resolve(expandHome(d)))];
    config.paths.intentsDirs = [...new Set(dirs)];
    config.paths.dataDir = path.resolve(expandHome(config.paths.dataDir || defaultDataDir()));
    config.paths.modelsDir = path.resolve(expandHome(config.paths.modelsDir || process.env.HARK_MODELS_DIR || path.join(packageRoot, "models")));
    config.music.dir = path.resolve(expandHome(config.music.dir || "~/Music"));
    if (!config.trace.file) config.trace.file = path.join(config.paths.dataDir, "traces", "turns.jsonl");
    return config;
}

function firstExisting(files: string[]): string | undefined {
    return files.find((f) => fs.existsSync(f));
}

function readConfigFile(file: string, explicit: boolean): unknown {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "ENOENT" && explicit) {
            throw new ConfigError(`config file ${file} does not exist; create it (hark config init writes a commented one) or drop --config / HARK_CONFIG`);
        }
        throw new ConfigError(`cannot read config file ${file}: ${(error as Error).message}`, { cause: error });
    }
    try {
        return yaml().parse(text, { prettyErrors: true });
    } catch (error) {
        throw new ConfigError(`${file} is not valid YAML/JSON: ${(error as Error).message}`, { cause: error });
    }
}

/**
 * `HARK__MUSIC__DIR=/srv/music` sets `music.dir`; keys match case-insensitively, values parse as JSON when they can.
 * Returns the keys set, each with its variable's name.
 */
export function applyEnvOverrides(raw: Record<string, unknown>, env: NodeJS.ProcessEnv): Map<string, string> {
    const set = new Map<string, string>();
    for (const [name, value] of Object.entries(env)) {
        if (!name.startsWith("HARK__") || value == null) continue;
        const parts = name.slice("HARK__".length).split("__");
        let schema: { properties?: Record<string, unknown> } = ConfigSchema;
        let target = raw;
        const keys: string[] = [];
        for (let i = 0; i < parts.length; i++) {
            const props = schema.properties ?? {};
            const key = Object.keys(props).find((k) => k.toLowerCase() === parts[i]!.toLowerCase());
            if (key == null) {
                throw new ConfigError(`environment variable ${name}: no config key "${parts.slice(0, i + 1).join(".").toLowerCase()}"${suggest(parts[i]!, Object.keys(props))}`);
            }
            keys.push(key);
            if (i === parts.length - 1) {
                target[key] = parseEnvValue(value);
                set.set(keys.join("."), name);
            } else {
                const next = target[key];
                target = (next != null && typeof next === "object" ? next : (target[key] = {})) as Record<string, unknown>;
                schema = props[key] as typeof schema;
            }
        }
    }
    return set;
}

function parseEnvValue(value: string): unknown {
    try {
        return JSON.parse(value);
    } catch {
        return value;
    }
}
