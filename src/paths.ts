import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The folder that holds hark's package.json. */
export const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** hark's version, from its package.json. */
export function packageVersion(): string {
    return (JSON.parse(fs.readFileSync(path.join(packageRoot, "package.json"), "utf8")) as { version: string }).version;
}

/**
 * The URL of one of hark's own modules, `relative` to the module at `from` (its `import.meta.url`), with the extension
 * that module has: `.ts` when hark runs from its sources, `.js` when it runs from the JavaScript built into `dist/`.
 */
export function ownModuleUrl(relative: string, from: string): URL {
    return new URL(from.endsWith(".js") ? relative.replace(/\.ts$/, ".js") : relative, from);
}

/** The intents shipped with hark. */
export const builtinIntentsDir = path.join(packageRoot, "intents");

/** Whether hark runs from the JavaScript built into `dist/` (rather than from its TypeScript sources through tsx). */
export const runningFromBuild = import.meta.url.endsWith(".js");

/** Whether `file` is one of the intents shipped with hark (in {@link builtinIntentsDir}). */
export function isBuiltinIntent(file: string): boolean {
    return isBuiltinIntentsDir(path.dirname(file));
}

/** Whether `dir` is hark's own intents folder: its code comes with hark's and is trusted like it. */
export function isBuiltinIntentsDir(dir: string): boolean {
    return path.resolve(dir) === builtinIntentsDir;
}

/** `$XDG_CONFIG_HOME/hark/config.yaml`, falling back to ~/.config. */
export function userConfigPath(): string {
    const base = process.env.XDG_CONFIG_HOME || path.join(os.homedir(), ".config");
    return path.join(base, "hark", "config.yaml");
}

/** `$XDG_STATE_HOME/hark`, falling back to ~/.local/state. */
export function defaultDataDir(): string {
    const base = process.env.XDG_STATE_HOME || path.join(os.homedir(), ".local", "state");
    return path.join(base, "hark");
}

/** Expands a leading `~/`. */
export function expandHome(p: string): string {
    return p === "~" || p.startsWith("~/") ? path.join(os.homedir(), p.slice(1)) : p;
}
