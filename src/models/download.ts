import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { DownloadError, errorMessage } from "../errors.ts";

/** How far a download has come. `total` is null when neither the catalog nor the server says. */
export interface DownloadProgress {
    received: number;
    total: number | null;
    /** Bytes that were already on disk from an earlier, interrupted attempt. */
    resumedFrom: number;
}

/** Options for {@link downloadFile}. */
export interface DownloadOptions {
    url: string;
    /** Final path; the file appears there only complete and checked. */
    dest: string;
    /** Expected sha256 (hex); null: not known, the result says what was downloaded. */
    sha256?: string | null;
    /** Expected size in bytes; null: not known. */
    bytes?: number | null;
    onProgress?: (progress: DownloadProgress) => void;
    signal?: AbortSignal;
    /** Replace `fetch` (tests). */
    fetch?: typeof fetch;
    /** Further attempts after a dropped connection, each resuming where the last stopped. Defaults to 3. */
    retries?: number;
    retryDelayMs?: number;
}

/** A finished, checked download. */
export interface DownloadResult {
    file: string;
    sha256: string;
    bytes: number;
    /** True when part of the file came from an earlier attempt. */
    resumed: boolean;
}

/** Network failures worth another attempt (the connection dropped), as opposed to "offline" or "404". */
class RetryableError extends DownloadError {}

/**
 * Downloads `url` to `dest` through `dest.part`: resumes a partial file with an HTTP Range request, retries dropped
 * connections, checks size and sha256, and renames into place only when both match. A checksum mismatch deletes the
 * partial file; an interrupted download keeps it so the next attempt resumes.
 */
export async function downloadFile(options: DownloadOptions): Promise<DownloadResult> {
    const part = `${options.dest}.part`;
    fs.mkdirSync(path.dirname(options.dest), { recursive: true });
    const retries = options.retries ?? 3;
    const digest = { current: new RunningHash() };
    let resumed = false;
    for (let attempt = 0; ; attempt++) {
        try {
            resumed = (await fetchInto(part, options, digest)) || resumed;
            break;
        } catch (error) {
            if (!(error instanceof RetryableError) || attempt >= retries || options.signal?.aborted) {
                const kept = fs.existsSync(part) ? ` ${fs.statSync(part).size} bytes are kept in ${part}; run the same command again to resume.` : "";
                if (error instanceof DownloadError) throw new DownloadError(`${error.message}.${kept}`, { cause: error });
                throw new DownloadError(`download of ${options.url} failed: ${errorMessage(error)}.${kept}`, { cause: error });
            }
            await new Promise((resolve) => setTimeout(resolve, options.retryDelayMs ?? 1000));
        }
    }
    if (digest.current.bytes !== fs.statSync(part).size) digest.current = await RunningHash.ofFile(part);
    const { bytes } = digest.current;
    const sha256 = digest.current.hex();
    if (options.bytes != null && bytes !== options.bytes) {
        fs.rmSync(part, { force: true });
        throw new DownloadError(`${options.url}: got ${bytes} bytes, expected ${options.bytes}; the partial file was deleted — try again, and if it repeats the file on the server has changed`);
    }
    if (options.sha256 && sha256 !== options.sha256.toLowerCase()) {
        fs.rmSync(part, { force: true });
        throw new DownloadError(`${options.url}: checksum mismatch (sha256 ${sha256}, expected ${options.sha256}); the download was deleted, nothing was installed — try again, and if it repeats the file on the server has changed`);
    }
    fs.renameSync(part, options.dest);
    return { file: options.dest, sha256, bytes, resumed };
}

/**
 * One HTTP attempt appending to `part`, hashing what it writes into `digest` (which must cover the file's bytes so
 * far: a partial file from an earlier run is hashed first). Returns true when it resumed an earlier partial file.
 */
async function fetchInto(part: string, options: DownloadOptions, digest: { current: RunningHash }): Promise<boolean> {
    let start = fs.existsSync(part) ? fs.statSync(part).size : 0;
    if (options.bytes != null && start > options.bytes) {
        fs.rmSync(part);
        start = 0;
    }
    if (digest.current.bytes !== start) digest.current = start > 0 ? await RunningHash.ofFile(part) : new RunningHash();
    if (options.bytes != null && start === options.bytes && start > 0) return true;
    const host = new URL(options.url).host;
    let response: Response;
    try {
        response = await (options.fetch ?? fetch)(options.url, {
            headers: start > 0 ? { range: `bytes=${start}-` } : {},
            redirect: "follow",
            ...(options.signal ? { signal: options.signal } : {})
        });
    } catch (error) {
        const code = (error as { cause?: { code?: string } }).cause?.code ?? "";
        if (["ENOTFOUND", "EAI_AGAIN", "ENETUNREACH", "EHOSTUNREACH", "ECONNREFUSED"].includes(code)) {
            throw new DownloadError(`cannot reach ${host} (${code}): is this machine online? hark needs the network only to download models — or copy the file into the models folder by hand`, { cause: error });
        }
        throw new RetryableError(`connection to ${host} failed: ${errorMessage(error)}`, { cause: error });
    }
    if (response.status === 416 && start > 0) return true; // the partial file already holds everything
    if (!response.ok) {
        const message = `${options.url}: HTTP ${response.status} ${response.statusText}`;
        await response.body?.cancel();
        if (response.status >= 500 || response.status === 408 || response.status === 429) throw new RetryableError(message);
        throw new DownloadError(response.status === 404 ? `${message} — the file is gone from the server; the catalog may be out of date` : message);
    }
    const resumed = start > 0 && response.status === 206;
    if (!resumed) {
        start = 0; // the server ignored the range: start over
        digest.current = new RunningHash();
    }
    const length = Number(response.headers.get("content-length") ?? NaN);
    const total = options.bytes ?? (Number.isFinite(length) ? start + length : null);
    let received = start;
    options.onProgress?.({ received, total, resumedFrom: start });
    if (response.body == null) throw new RetryableError(`${options.url}: empty response`);
    // Each chunk is written before the next is read, so whatever arrived before a dropped connection is on disk to resume from.
    const out = await fs.promises.open(part, resumed ? "a" : "w");
    try {
        for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
            await out.write(chunk);
            digest.current.update(chunk);
            received += chunk.length;
            options.onProgress?.({ received, total, resumedFrom: start });
        }
    } catch (error) {
        if (options.signal?.aborted) throw new DownloadError("download cancelled", { cause: error });
        throw new RetryableError(`connection to ${host} dropped at ${received} bytes: ${errorMessage(error)}`, { cause: error });
    } finally {
        await out.close();
    }
    if (total != null && received < total) throw new RetryableError(`connection to ${host} closed at ${received} of ${total} bytes`);
    return resumed;
}

/** The sha256 of a file, streamed (a model of several GB never sits in memory). */
export async function sha256File(file: string): Promise<string> {
    return (await RunningHash.ofFile(file)).hex();
}

/** sha256 of the bytes written so far, kept up to date as they are written, so a download is not read twice. */
class RunningHash {
    private readonly hash = createHash("sha256");
    public bytes = 0;

    /** The hash of a file already on disk (a partial download from an earlier run), streamed. */
    public static async ofFile(file: string): Promise<RunningHash> {
        const running = new RunningHash();
        for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 })) running.update(chunk as Buffer);
        return running;
    }

    public update(chunk: Uint8Array): void {
        this.hash.update(chunk);
        this.bytes += chunk.length;
    }

    public hex(): string {
        return this.hash.digest("hex");
    }
}
