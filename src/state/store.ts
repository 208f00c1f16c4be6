import type { Logger } from "pino";
import { objectOf, readJsonFile, writeJsonFileAtomic } from "./json-file.ts";

/** Key/value state shared by intents (e.g. the last song played), kept in one JSON file across restarts. */
export class StateStore {
    private readonly values: Record<string, unknown>;

    /**
     * @param file JSON file to keep the state in; `null` keeps it in memory only (tests, eval).
     */
    public constructor(private readonly file: string | null, log?: Logger) {
        this.values = file == null ? {} : readJsonFile<Record<string, unknown>>(file, {
            fallback: {},
            check: objectOf("an object of keys and values"),
            onSetAside: ({ backup, reason }) => log?.warn({ file, backup, reason }, "the state file could not be read; moved aside and started empty")
        });
    }

    public get<T>(key: string): T | undefined {
        return this.values[key] as T | undefined;
    }

    public set(key: string, value: unknown): void {
        this.values[key] = value;
        if (this.file != null) writeJsonFileAtomic(this.file, this.values);
    }

    public delete(key: string): void {
        delete this.values[key];
        if (this.file != null) writeJsonFileAtomic(this.file, this.values);
    }
}
