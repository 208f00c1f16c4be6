import { createHash } from "node:crypto";
import fsSync from "node:fs";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { Static } from "@sinclair/typebox";
import type { ErrorObject } from "ajv";
import type { BuildFailure, BuildResult, PluginBuild } from "esbuild";
import type * as Yaml from "yaml";
import { errorMessage, filePosition, IntentLoadError } from "../errors.ts";
import { isBuiltinIntent, isBuiltinIntentsDir, ownModuleUrl, packageRoot, runningFromBuild } from "../paths.ts";
import { onFirstUse } from "../util/lazy.ts";
import { unsafeForRoot } from "../util/ownership.ts";
import { describeSchemaErrors } from "../util/schema-errors.ts";
import { compiledOnUse } from "../util/validator.ts";
import { actionHandler, unknownPlaceholders } from "./actions.ts";
import { compileIntent, IntentDeclarationError, type DeclarationPath, type IntentHandler, type LoadedIntent } from "./compile.ts";
import { CodeIntentSchema, YamlIntentSchema } from "./file-schema.ts";
import { NONE_TOOL } from "./types.ts";

/** File types the loader reads; anything else in an intents folder is ignored. */
export const INTENT_EXTENSIONS = [".yaml", ".yml", ".ts", ".mts", ".js", ".mjs"] as const;

const yaml = onFirstUse<typeof Yaml>("yaml");
const validateYaml = compiledOnUse<Static<typeof YamlIntentSchema>>("yaml-intent", YamlIntentSchema, { allErrors: true, strict: false });
const validateCode = compiledOnUse("code-intent", CodeIntentSchema, { allErrors: true, strict: false });

/** hark's public module, which intent files import as `"hark"`: their bundles import it by this URL. */
export const HARK_MODULE_URL = ownModuleUrl("../index.ts", import.meta.url).href;
/**
 * This process's own folder for bundled code intents, made on first use: a fresh `mkdtemp` name (nobody can guess or
 * create it first), mode 700, checked to be a real folder owned by this user. Removed when the process exits.
 */
let bundleDir: Promise<string> | null = null;
/** How long an intent file's module may take to evaluate (its top-level code) before it counts as broken. */
const LOAD_TIMEOUT_MS = 10_000;
let bundles = 0;

function privateBundleDir(): Promise<string> {
    bundleDir ??= (async () => {
        const dir = await fs.mkdtemp(path.join(os.tmpdir(), "hark-intents-"));
        const stat = await fs.lstat(dir);
        const uid = process.getuid?.();
        if (!stat.isDirectory() || (uid != null && stat.uid !== uid) || (stat.mode & 0o077) !== 0) {
            throw new Error(`${dir} is not a private folder of this user (owner ${stat.uid}, mode ${(stat.mode & 0o777).toString(8)}); check ${os.tmpdir()}`);
        }
        process.once("exit", () => fsSync.rmSync(dir, { recursive: true, force: true }));
        return dir;
    })();
    return bundleDir;
}

/**
 * The intent whose bundled code threw `error`, from its stack (the bundle's file name is the intent file's), or null
 * when no intent's code is on it: an error in hark itself.
 */
export function intentOfError(error: unknown): string | null {
    const stack = error instanceof Error ? error.stack ?? "" : "";
    const match = /[\\/]hark-intents-[^\\/]+[\\/](.+?)-\d+\.mjs:\d+/.exec(stack);
    return match ? match[1]! : null;
}

/**
 * Writes `code` to a new file in the private folder (never following a link, never reusing a file), imports it and
 * deletes it: once imported, a module lives in memory, so no bundle is left behind for anyone to swap or read.
 */
async function importBundle(name: string, code: string): Promise<{ default?: unknown }> {
    const out = path.join(await privateBundleDir(), `${name}-${++bundles}.mjs`);
    const handle = await fs.open(out, fsSync.constants.O_WRONLY | fsSync.constants.O_CREAT | fsSync.constants.O_EXCL | fsSync.constants.O_NOFOLLOW, 0o600);
    try {
        await handle.writeFile(code);
    } finally {
        await handle.close();
    }
    let timer: NodeJS.Timeout | undefined;
    const stuck = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`did not finish loading within ${LOAD_TIMEOUT_MS / 1000} s (a top-level await that never settles?); the other intents load without it`)), LOAD_TIMEOUT_MS);
    });
    try {
        return await Promise.race([import(pathToFileURL(out).href) as Promise<{ default?: unknown }>, stuck]);
    } finally {
        clearTimeout(timer);
        await fs.rm(out, { force: true });
    }
}

/** Whether the loader reads this file. */
export function isIntentFile(file: string): boolean {
    return (INTENT_EXTENSIONS as readonly string[]).includes(path.extname(file).toLowerCase()) && !path.basename(file).startsWith(".") && !file.endsWith(".d.ts");
}

/** Loads and checks one intent file; throws {@link IntentLoadError} naming the file and the reason. */
export async function loadIntentFile(file: string): Promise<LoadedIntent> {
    const ext = path.extname(file).toLowerCase();
    try {
        return ext === ".yaml" || ext === ".yml" ? await loadYaml(file) : await loadCode(file);
    } catch (error) {
        if (error instanceof IntentLoadError) throw error;
        throw new IntentLoadError(file, errorMessage(error), { cause: error });
    }
}

async function loadYaml(file: string): Promise<LoadedIntent> {
    const text = await fs.readFile(file, "utf8");
    // A built-in YAML intent comes parsed from the build when its text is unchanged: the yaml package is then loaded
    // only to find the line of a problem.
    const prebuilt = await prebuiltYaml(file, text);
    let parsedDoc: { doc: Yaml.Document; lines: Yaml.LineCounter } | null = null;
    const parse = (): { doc: Yaml.Document; lines: Yaml.LineCounter } => {
        if (parsedDoc) return parsedDoc;
        const lines = new (yaml().LineCounter)();
        parsedDoc = { doc: yaml().parseDocument(text, { prettyErrors: true, lineCounter: lines }), lines };
        return parsedDoc;
    };
    let data: unknown = prebuilt;
    if (prebuilt === undefined) {
        const { doc } = parse();
        const syntax = doc.errors[0];
        if (syntax) {
            const at = syntax.linePos?.[0];
            throw new IntentLoadError(file, `YAML syntax error: ${syntax.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "")}`, at ? { line: at.line, column: at.col } : {});
        }
        data = doc.toJS();
    }
    // Where a declaration path is in the file: the node's start, or its parent's when the node is missing.
    const position = (at: DeclarationPath): { line?: number; column?: number } => {
        const { doc, lines } = parse();
        for (let n = at.length; n >= 0; n--) {
            const node = doc.getIn(at.slice(0, n), true) as { range?: [number, number, number] } | undefined;
            if (node?.range) {
                const { line, col } = lines.linePos(node.range[0]);
                return { line, column: col };
            }
        }
        return {};
    };
    if (!validateYaml(data)) {
        throw new IntentLoadError(file, describeSchemaErrors(validateYaml.errors, YamlIntentSchema).join("; "), position(firstErrorPath(validateYaml.errors)));
    }
    const { action, ...decl } = data;
    try {
        const intent = compileIntent(decl, actionHandler(action) as IntentHandler, file, "yaml");
        const warnings = unknownPlaceholders(action, Object.keys(intent.spec.args.properties ?? {})).map(({ at, message }) => `${filePosition(file, position(at))}: ${message}`);
        return warnings.length ? { ...intent, warnings } : intent;
    } catch (error) {
        if (error instanceof IntentDeclarationError) throw new IntentLoadError(file, error.message, position(error.at));
        throw error;
    }
}

/** Where the first schema error that says something (not a union's summary) is, as a declaration path. */
function firstErrorPath(errors: readonly ErrorObject[] | null | undefined): DeclarationPath {
    const first = errors?.find((e) => e.keyword !== "anyOf") ?? errors?.[0];
    return (first?.instancePath.split("/").slice(1) ?? []).map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

/**
 * Where a declaration path's value is written in a code intent's source: the first place its text appears (a
 * sentence, an example), or its key; no position when neither is found.
 */
function sourcePosition(source: string, definition: Record<string, unknown>, at: DeclarationPath): { line?: number; column?: number } {
    const value = at.reduce<unknown>((v, key) => (v != null && typeof v === "object" ? (v as Record<string | number, unknown>)[key] : undefined), definition);
    const text = typeof value === "string" ? JSON.stringify(value).slice(1, -1) : typeof value === "object" && value != null && "text" in value ? String(value.text) : null;
    let index = text ? source.indexOf(text) : -1;
    const key = [...at].reverse().find((k): k is string => typeof k === "string");
    if (index < 0 && key) index = source.search(new RegExp(`["']?\\b${key.replace(/[^\w]/g, "")}\\b["']?\\s*:`));
    if (index < 0) return {};
    const before = source.slice(0, index).split("\n");
    return { line: before.length, column: before.at(-1)!.length + 1 };
}

/** What a prebuilt bundle has in place of hark's module URL, which is only known when hark runs. */
export const HARK_MODULE_PLACEHOLDER = "hark:module";
/** The build's bundles of the built-in intents (`scripts/build-intents.mjs`), with the hash of every file in each. */
export const PREBUILT_INTENTS_DIR = path.join(packageRoot, "dist", "builtin-intents");

/**
 * Bundles a code intent and what it imports into one ES module, `import ... from "hark"` pointing at `harkUrl`.
 * Returns the code and the files it was made from.
 */
export async function bundleIntent(file: string, harkUrl: string): Promise<{ code: string; inputs: string[] }> {
    const esbuild = await import("esbuild");
    let bundled: BuildResult<{ write: false; metafile: true }>;
    try {
        bundled = await esbuild.build({
            entryPoints: [file],
            bundle: true,
            write: false,
            metafile: true,
            format: "esm",
            platform: "node",
            target: "node20",
            logLevel: "silent",
            plugins: [{
                name: "hark",
                setup(build: PluginBuild) {
                    build.onResolve({ filter: /^hark$/ }, () => ({ path: harkUrl, external: true }));
                }
            }]
        });
    } catch (error) {
        const failure = error as BuildFailure;
        const first = failure.errors?.[0];
        throw new IntentLoadError(file, first?.text ?? errorMessage(error), first?.location ? { line: first.location.line, column: first.location.column + 1 } : {});
    }
    return { code: bundled.outputFiles[0]!.text, inputs: Object.keys(bundled.metafile.inputs).map((f) => path.resolve(f)) };
}

/**
 * The build's bundle of a built-in intent, when hark runs from its build and every file the bundle was made from is
 * unchanged; null otherwise (the intent is bundled now). Spares each start esbuild's start-up and 18 bundlings.
 */
async function prebuiltBundle(file: string): Promise<string | null> {
    if (!runningFromBuild || !isBuiltinIntent(file)) return null;
    const name = path.basename(file, path.extname(file));
    let manifest: { inputs: Record<string, string> };
    let code: string;
    try {
        manifest = JSON.parse(await fs.readFile(path.join(PREBUILT_INTENTS_DIR, `${name}.json`), "utf8")) as { inputs: Record<string, string> };
        code = await fs.readFile(path.join(PREBUILT_INTENTS_DIR, `${name}.mjs`), "utf8");
    } catch {
        return null;
    }
    for (const [input, hash] of Object.entries(manifest.inputs)) {
        const now = await fs.readFile(path.resolve(packageRoot, input)).then(sha256, () => null);
        if (now !== hash) return null;
    }
    return code.replaceAll(JSON.stringify(HARK_MODULE_PLACEHOLDER), JSON.stringify(HARK_MODULE_URL));
}

/** The build's parse of a built-in YAML intent (`NAME.yaml.json`), when its text is the one parsed; else undefined. */
async function prebuiltYaml(file: string, text: string): Promise<unknown> {
    if (!runningFromBuild || !isBuiltinIntent(file)) return undefined;
    try {
        const prebuilt = JSON.parse(await fs.readFile(path.join(PREBUILT_INTENTS_DIR, `${path.basename(file)}.json`), "utf8")) as { sha256: string; data: unknown };
        return prebuilt.sha256 === sha256(text) ? prebuilt.data : undefined;
    } catch {
        return undefined;
    }
}

/** A file's sha256, hex. */
export function sha256(data: Buffer | string): string {
    return createHash("sha256").update(data).digest("hex");
}

async function loadCode(file: string): Promise<LoadedIntent> {
    const code = (await prebuiltBundle(file)) ?? (await bundleIntent(file, HARK_MODULE_URL)).code;
    let module: { default?: unknown };
    try {
        module = await importBundle(path.basename(file, path.extname(file)), code);
    } catch (error) {
        throw new IntentLoadError(file, `failed while loading: ${errorMessage(error)}`);
    }
    const definition = module.default;
    if (definition == null || typeof definition !== "object") {
        throw new IntentLoadError(file, "has no default export; write `export default defineIntent({ ... })`");
    }
    // A code intent may give its question as a function of the arguments; the schema checks the rest.
    const { confirm, ...checked } = definition as Record<string, unknown>;
    if (!validateCode(typeof confirm === "function" ? checked : definition)) {
        const at = firstErrorPath(validateCode.errors);
        const where = at.length ? sourcePosition(await fs.readFile(file, "utf8"), definition as Record<string, unknown>, at) : {};
        throw new IntentLoadError(file, describeSchemaErrors(validateCode.errors, CodeIntentSchema).join("; "), where);
    }
    const { handler, ...decl } = definition as Omit<Static<typeof CodeIntentSchema>, "confirm"> & { confirm?: string | ((args: Record<string, unknown>) => string) };
    if (typeof handler !== "function") throw new IntentLoadError(file, "handler must be a function");
    try {
        // The bundle is kept: a user's intent runs its handler in a worker thread of its own, which imports it again.
        return { ...compileIntent(decl, handler as IntentHandler, file, "code"), bundle: code };
    } catch (error) {
        if (error instanceof IntentDeclarationError) {
            throw new IntentLoadError(file, error.message, sourcePosition(await fs.readFile(file, "utf8"), definition as Record<string, unknown>, error.at));
        }
        throw error;
    }
}

/** The result of loading folders: the intents that work and a problem for each file that does not. */
export interface IntentSet {
    intents: LoadedIntent[];
    problems: IntentLoadError[];
    /** Built-in intents that a file of the user's, of the same name, replaced. */
    replaced?: Array<{ name: string; builtin: string; by: string }>;
}

/**
 * Loads every intent file in the folders (in name order). A broken file, or a second file with a name already
 * taken, becomes a problem; every other intent still loads. A user's intent named like one shipped with hark replaces
 * the shipped one.
 */
export async function loadIntentDirs(dirs: readonly string[]): Promise<IntentSet> {
    const intents: LoadedIntent[] = [];
    const problems: IntentLoadError[] = [];
    const byName = new Map<string, LoadedIntent>();
    const replaced: NonNullable<IntentSet["replaced"]> = [];
    for (const dir of dirs) {
        let files: string[];
        try {
            files = (await fs.readdir(dir)).map((f) => path.join(dir, f)).filter(isIntentFile).sort();
        } catch (error) {
            problems.push(new IntentLoadError(dir, `cannot read the intents folder: ${errorMessage(error)}`));
            continue;
        }
        // As root, code or commands another user can change are not run (hark's own intents come with its code).
        const own = isBuiltinIntentsDir(dir);
        const unsafe = own ? null : unsafeForRoot(dir);
        if (unsafe) {
            problems.push(new IntentLoadError(dir, `not loaded: ${unsafe}`));
            continue;
        }
        const loaded = await Promise.all(files.map((f) => {
            const foreign = own ? null : unsafeForRoot(f);
            return foreign ? new IntentLoadError(f, `not loaded: ${foreign}`) : loadIntentFile(f).catch((e: IntentLoadError) => e);
        }));
        for (const result of loaded) {
            if (result instanceof IntentLoadError) {
                problems.push(result);
                continue;
            }
            if (result.spec.name === NONE_TOOL) {
                problems.push(new IntentLoadError(result.file, `the intent name "${NONE_TOOL}" is reserved (it is the language model's "nothing fits" answer); rename it`));
                continue;
            }
            const existing = byName.get(result.spec.name);
            if (existing && !own && isBuiltinIntent(existing.file)) {
                intents[intents.indexOf(existing)] = result;
                byName.set(result.spec.name, result);
                replaced.push({ name: result.spec.name, builtin: existing.file, by: result.file });
                continue;
            }
            if (existing) {
                problems.push(new IntentLoadError(result.file, `duplicate intent name "${result.spec.name}" (already defined in ${existing.file}); rename one of them`));
                continue;
            }
            byName.set(result.spec.name, result);
            intents.push(result);
        }
    }
    return { intents, problems, replaced };
}
