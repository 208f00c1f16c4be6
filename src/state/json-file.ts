import fs from "node:fs";
import { writeFileAtomic } from "../util/files.ts";

/** Reads a JSON file; a missing file gives `fallback`, a corrupt one is moved aside (kept, never lost) and gives `fallback`. */
export function readJsonFile<T>(file: string, fallback: T, onCorrupt?: (backup: string, error: Error) => void): T {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return fallback;
        throw error;
    }
    try {
        return JSON.parse(text) as T;
    } catch (error) {
        const backup = `${file}.corrupt-${Date.now()}`;
        fs.renameSync(file, backup);
        onCorrupt?.(backup, error as Error);
        return fallback;
    }
}

/** Writes JSON through a temporary file and a rename, so a crash never leaves half a file. */
export function writeJsonFileAtomic(file: string, value: unknown): void {
    writeFileAtomic(file, JSON.stringify(value, null, 2) + "\n");
}
