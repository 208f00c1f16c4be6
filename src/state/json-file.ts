import fs from "node:fs";
import path from "node:path";
import type * as Lockfile from "proper-lockfile";
import { privateModes, writeFileAtomic } from "../util/files.ts";
import { onFirstUse } from "../util/lazy.ts";

/** Loaded with the first lock taken: a start that changes no file does not pay for it. */
const properLockfile = onFirstUse<typeof Lockfile>("proper-lockfile");

/** A file that could not be used: where it was moved, and why. */
export interface SetAside {
    file: string;
    backup: string;
    reason: string;
}

/** Options for {@link readJsonFile}. */
export interface ReadJsonOptions<T> {
    /** What a missing (or set-aside) file reads as. */
    fallback: T;
    /** Why a parsed value is not a `T`, or null when it is; a value with a reason is set aside like broken JSON. */
    check?: (value: unknown) => string | null;
    /** Told when the file was moved aside. */
    onSetAside?: (problem: SetAside) => void;
}

/** A {@link ReadJsonOptions.check} for a file that must hold one JSON object; `what` says what it should be. */
export function objectOf(what: string): (value: unknown) => string | null {
    return (value) => (value != null && typeof value === "object" && !Array.isArray(value) ? null : `it is not ${what}`);
}

/**
 * Reads a JSON file; a missing file gives the fallback. A file that is not JSON, or not of the expected shape, is
 * moved aside with a timestamp (kept, never lost), reported, and gives the fallback.
 */
export function readJsonFile<T>(file: string, options: ReadJsonOptions<T>): T {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return options.fallback;
        throw error;
    }
    let value: unknown;
    let reason: string | null;
    try {
        value = JSON.parse(text);
        reason = options.check?.(value) ?? null;
    } catch (error) {
        reason = `it is not JSON (${(error as Error).message})`;
    }
    if (reason == null) return value as T;
    const backup = `${file}.unreadable-${new Date().toISOString().replace(/[:.]/g, "-")}`;
    fs.renameSync(file, backup);
    options.onSetAside?.({ file, backup, reason });
    return options.fallback;
}

/** Writes JSON through a temporary file and a rename, so a crash never leaves half a file; private (see privateModes). */
export function writeJsonFileAtomic(file: string, value: unknown): void {
    writeFileAtomic(file, JSON.stringify(value, null, 2) + "\n", privateModes());
}

/**
 * Runs `fn` holding the lock of `file` (proper-lockfile: a `<file>.lock` folder, refreshed while held and taken over
 * when its holder died), so a read-change-write by one process never overwrites another's. Waits up to ~5 s.
 */
export async function withFileLock<T>(file: string, fn: () => T | Promise<T>): Promise<T> {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const release = await properLockfile().lock(file, { realpath: false, stale: 10_000, retries: { retries: 100, factor: 1.2, minTimeout: 5, maxTimeout: 100 } });
    try {
        return await fn();
    } finally {
        await release();
    }
}
