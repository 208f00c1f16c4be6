import fs from "node:fs";
import path from "node:path";
import type { Logger } from "pino";
import { expandHome } from "../paths.ts";
import { readJsonFile, writeJsonFileAtomic } from "../state/json-file.ts";
import { findCatalogModel, type CatalogModel } from "./catalog.ts";
import { downloadFile, sha256File, type DownloadProgress } from "./download.ts";

/** A catalog model and where it is (or would be) on disk. */
export interface StoredModel {
    model: CatalogModel;
    file: string;
    installed: boolean;
    /** Bytes of an interrupted download waiting to be resumed. */
    partialBytes: number;
}

/** What `pull` did. */
export interface PullResult {
    file: string;
    sha256: string;
    bytes: number;
    resumed: boolean;
    /** Set when the catalog has no checksum: this first download's hash was recorded and later pulls must match it. */
    recordedFirstHash: boolean;
}

/** Options for {@link ModelStore.pull}. */
export interface PullOptions {
    onProgress?: (progress: DownloadProgress) => void;
    signal?: AbortSignal;
    fetch?: typeof fetch;
    retryDelayMs?: number;
}

/**
 * The models folder: downloads catalog models into it, lists and removes them. Hashes of downloads the catalog had
 * no checksum for are kept in `checksums.json` there, so a later pull of a changed file is caught.
 */
export class ModelStore {
    public constructor(public readonly dir: string, public readonly catalog: readonly CatalogModel[], private readonly log?: Logger) {}

    public get(name: string): StoredModel {
        const model = findCatalogModel(this.catalog, name);
        const file = path.join(this.dir, model.file);
        const part = fs.statSync(`${file}.part`, { throwIfNoEntry: false });
        return { model, file, installed: fs.existsSync(file), partialBytes: part?.size ?? 0 };
    }

    public list(): StoredModel[] {
        return this.catalog.map((m) => this.get(m.name));
    }

    /**
     * A model reference from a profile or `--model`: a catalog name gives its path in this folder; anything that looks
     * like a path (has a slash or ends in .gguf/.bin) is taken as the user's own file.
     */
    public resolve(reference: string): { file: string; catalogName: string | null } {
        if (reference.includes("/") || /\.(gguf|bin)$/i.test(reference)) return { file: path.resolve(expandHome(reference)), catalogName: null };
        return { file: this.get(reference).file, catalogName: reference };
    }

    public async pull(name: string, options: PullOptions = {}): Promise<PullResult> {
        const { model, file } = this.get(name);
        const recorded = this.recordedHashes()[model.name];
        const expected = model.sha256 ?? recorded ?? null;
        const result = await downloadFile({
            url: model.url, dest: file, sha256: expected, bytes: model.bytes,
            ...(options.onProgress ? { onProgress: options.onProgress } : {}),
            ...(options.signal ? { signal: options.signal } : {}),
            ...(options.fetch ? { fetch: options.fetch } : {}),
            ...(options.retryDelayMs != null ? { retryDelayMs: options.retryDelayMs } : {})
        });
        const recordedFirstHash = expected == null;
        if (recordedFirstHash) {
            this.recordHash(model.name, result.sha256);
            this.log?.warn({ model: model.name, sha256: result.sha256 }, "the catalog has no checksum for this model; recorded this download's");
        }
        return { ...result, recordedFirstHash };
    }

    /**
     * Hashes an installed model and compares it with the catalog's checksum, or the one recorded at its first download.
     * `expected` is null when neither is known.
     */
    public async verify(name: string): Promise<{ file: string; sha256: string; expected: string | null; matches: boolean }> {
        const { model, file } = this.get(name);
        const expected = model.sha256 ?? this.recordedHashes()[model.name] ?? null;
        const sha256 = await sha256File(file);
        return { file, sha256, expected, matches: expected == null || expected === sha256 };
    }

    /** Deletes a model's file and any partial download. Returns the files removed. */
    public remove(name: string): string[] {
        const { file } = this.get(name);
        const removed = [file, `${file}.part`].filter((f) => fs.existsSync(f));
        for (const f of removed) fs.rmSync(f);
        return removed;
    }

    private recordedHashes(): Record<string, string> {
        return readJsonFile<Record<string, string>>(path.join(this.dir, "checksums.json"), { fallback: {} });
    }

    private recordHash(name: string, sha256: string): void {
        writeJsonFileAtomic(path.join(this.dir, "checksums.json"), { ...this.recordedHashes(), [name]: sha256 });
    }
}
