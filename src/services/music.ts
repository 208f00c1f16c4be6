import fs from "node:fs/promises";
import path from "node:path";
import type { Logger } from "pino";
import type { Player, Playback } from "../audio/player.ts";
import { objectOf, readJsonFile, writeJsonFileAtomic } from "../state/json-file.ts";
import { errorMessage } from "../errors.ts";
import { nameSimilarity } from "./text-match.ts";

/** One audio file in the music folder, with what its tags (or its file name) say. */
export interface Track {
    file: string;
    title: string;
    artist: string;
    album: string;
    genres: string[];
}

/** What the user asked for; any field may be missing. */
export interface MusicQuery {
    song?: string;
    artist?: string;
    album?: string;
    playlist?: string;
    genre?: string;
}

/** Options for {@link MusicService}. */
export interface MusicServiceOptions {
    /** Folder searched recursively. */
    dir: string;
    /** File extensions counted as music, with the dot. */
    extensions: readonly string[];
    /** Tag cache (path + mtime → tags), so a big library is not re-read every turn. `null` disables it. */
    cacheFile: string | null;
    player: Player;
    log: Logger;
}

/** A fit below this is "not found" rather than a wrong song. */
const MIN_SCORE = 0.62;

interface CacheEntry extends Track {
    mtimeMs: number;
}

/** How long a request waits for the library index to be brought up to date before it answers from what is read so far. */
const SCAN_BUDGET_MS = 1500;

/**
 * Finds tracks in the local music folder by title, artist, album, genre or playlist, and plays them in order. The
 * folder is indexed in the background ({@link index}); a request never waits long for it.
 */
export class MusicService {
    private queue: Track[] = [];
    private current: Playback | null = null;
    /** The track playing now (or held by pause), and those played before it from the same request, oldest first. */
    private nowPlaying: Track | null = null;
    private before: Track[] = [];
    /** What is known of the folder: every track read so far, by file. */
    private tracks = new Map<string, CacheEntry>();
    private walking: Promise<void> | null = null;
    private indexed = false;
    private skipped = "";

    public constructor(private readonly options: MusicServiceOptions) {}

    /** Begins indexing the folder in the background (hark does this at start). */
    public index(): void {
        void this.refresh();
    }

    /** True until the folder has been read through once: an empty answer may only mean "not read yet". */
    public get reading(): boolean {
        return !this.indexed;
    }

    /**
     * The tracks in the folder: the index is brought up to date (tags from the cache when a file has not changed),
     * waiting at most a moment; a large folder still being read answers with what is read so far.
     */
    public async scan(): Promise<Track[]> {
        const walk = this.refresh();
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([walk, new Promise<void>((resolve) => { timer = setTimeout(resolve, SCAN_BUDGET_MS); })]);
        clearTimeout(timer);
        return [...this.tracks.values()].map(({ mtimeMs: _, ...track }) => track);
    }

    private refresh(): Promise<void> {
        this.walking ??= this.walk().catch((error: unknown) => {
            this.options.log.error({ err: error, dir: this.options.dir }, "could not index the music folder (or save its index)");
        }).finally(() => {
            this.walking = null;
        });
        return this.walking;
    }

    /** Reads the folder once through, adding each track to the index as soon as it is known. */
    private async walk(): Promise<void> {
        const { files, skipped } = await listFiles(this.options.dir, (f) => this.options.extensions.includes(path.extname(f).toLowerCase()));
        const report = skipped.map((s) => `${s.path} (${s.reason})`).join(", ");
        if (report !== this.skipped && skipped.length) this.options.log.warn({ skipped: skipped.map((s) => s.path) }, `some of the music folder could not be read and is left out: ${report}`);
        this.skipped = report;
        const cache = this.indexed || !this.options.cacheFile ? Object.fromEntries(this.tracks) : readJsonFile<Record<string, CacheEntry>>(this.options.cacheFile, { fallback: {}, check: objectOf("an object of files") });
        const seen = new Set<string>();
        let changed = false;
        for (const file of files) {
            let stat;
            try {
                stat = await fs.stat(file);
            } catch {
                continue; // gone since the folder was listed (unplugged, deleted)
            }
            seen.add(file);
            const cached = cache[file];
            if (cached && cached.mtimeMs === stat.mtimeMs) {
                this.tracks.set(file, cached);
                continue;
            }
            this.tracks.set(file, { ...(await this.readTags(file)), mtimeMs: stat.mtimeMs });
            changed = true;
        }
        for (const file of this.tracks.keys()) {
            if (!seen.has(file)) {
                this.tracks.delete(file);
                changed = true;
            }
        }
        this.indexed = true;
        if (this.options.cacheFile && (changed || Object.keys(cache).length !== this.tracks.size)) writeJsonFileAtomic(this.options.cacheFile, Object.fromEntries(this.tracks));
    }

    /** Playlists: `.m3u` / `.m3u8` files in the music folder, by name. */
    public async playlists(): Promise<Map<string, string>> {
        const { files } = await listFiles(this.options.dir, (f) => /\.m3u8?$/i.test(f));
        return new Map(files.map((f) => [path.basename(f).replace(/\.m3u8?$/i, ""), f]));
    }

    /** The tracks that fit the query, best first; empty when nothing fits well enough. */
    public async search(query: MusicQuery): Promise<Track[]> {
        const tracks = await this.scan();
        if (query.playlist) {
            const lists = await this.playlists();
            const best = bestBy([...lists.keys()], (name) => nameSimilarity(query.playlist!, name));
            if (best == null) return [];
            return this.readPlaylist(lists.get(best)!, tracks);
        }
        const wanted: Array<[string, (t: Track) => string[]]> = [];
        if (query.song) wanted.push([query.song, (t) => [t.title]]);
        if (query.artist) wanted.push([query.artist, (t) => [t.artist]]);
        if (query.album) wanted.push([query.album, (t) => [t.album]]);
        if (query.genre) wanted.push([query.genre, (t) => t.genres]);
        if (wanted.length === 0) return shuffle(tracks);
        const scored = tracks
            .map((track) => {
                const scores = wanted.map(([spoken, fields]) => Math.max(0, ...fields(track).map((f) => nameSimilarity(spoken, f))));
                return { track, score: Math.min(...scores), mean: scores.reduce((a, b) => a + b, 0) / scores.length };
            })
            .filter((s) => s.score >= MIN_SCORE)
            .sort((a, b) => b.mean - a.mean || a.track.title.localeCompare(b.track.title));
        // A named song plays alone; an artist, album or genre plays everything that fits.
        return query.song ? scored.slice(0, 1).map((s) => s.track) : scored.map((s) => s.track);
    }

    /** Stops what is playing and plays `tracks` one after another; resolves once the first has started. */
    public async play(tracks: readonly Track[]): Promise<void> {
        this.stop();
        this.queue = tracks.slice(1);
        const first = tracks[0];
        if (first) await this.start(first);
    }

    /** Stops the music and clears the queue. Returns whether anything was playing. */
    public stop(): boolean {
        const wasPlaying = this.current != null;
        this.queue = [];
        this.before = [];
        this.nowPlaying = null;
        this.current?.stop();
        this.current = null;
        return wasPlaying;
    }

    /** The track playing or paused now, and whether it is paused; `null` when no music is on. */
    public get playing(): { track: Track; paused: boolean } | null {
        return this.current && this.nowPlaying ? { track: this.nowPlaying, paused: this.current.paused } : null;
    }

    /** Holds the music where it is. Returns the track, or `null` when no music is on. */
    public pause(): Track | null {
        return this.current?.pause() ? this.nowPlaying : null;
    }

    /** Carries on with paused music. Returns the track, or `null` when no music is on. */
    public resume(): Track | null {
        return this.current?.resume() ? this.nowPlaying : null;
    }

    /** Skips to the next track of the request. Returns it, or `null` when there is none (the music plays on). */
    public async next(): Promise<Track | null> {
        const next = this.queue[0];
        if (this.current == null || next == null) return null;
        this.queue.shift();
        if (this.nowPlaying) this.before.push(this.nowPlaying);
        await this.switchTo(next);
        return next;
    }

    /**
     * Goes back to the track before this one (this one plays again after it); at the first track, starts it over.
     * Returns the track now playing, or `null` when no music is on.
     */
    public async previous(): Promise<Track | null> {
        if (this.current == null || this.nowPlaying == null) return null;
        const back = this.before.pop();
        if (back) this.queue.unshift(this.nowPlaying);
        const track = back ?? this.nowPlaying;
        await this.switchTo(track);
        return track;
    }

    private async switchTo(track: Track): Promise<void> {
        const old = this.current;
        this.current = null;
        old?.stop();
        await this.start(track);
    }

    /** Resolves when the queue has finished or was stopped. */
    public async whenIdle(): Promise<void> {
        while (this.current) {
            const playing = this.current;
            await playing.done.catch(() => undefined);
            if (this.current === playing) this.current = null;
        }
    }

    private async start(track: Track): Promise<void> {
        const playback = await this.options.player.play(track.file, "music");
        this.current = playback;
        this.nowPlaying = track;
        playback.done.then(async (how) => {
            if (this.current !== playback) return;
            this.current = null;
            const next = this.queue.shift();
            if (how === "finished" && next) {
                this.before.push(track);
                await this.start(next);
            }
        }).catch((error: unknown) => {
            if (this.current === playback) this.current = null;
            this.options.log.error({ err: error, file: track.file }, "music playback failed");
        });
    }

    private async readTags(file: string): Promise<Track> {
        const fromName = trackFromFileName(file);
        try {
            const { parseFile } = await import("music-metadata");
            const { common } = await parseFile(file, { duration: false, skipCovers: true });
            return {
                file,
                title: common.title?.trim() || fromName.title,
                artist: common.artist?.trim() || fromName.artist,
                album: common.album?.trim() ?? "",
                genres: common.genre ?? []
            };
        } catch (error) {
            this.options.log.warn({ file, err: error }, "could not read tags; using the file name");
            return fromName;
        }
    }

    private async readPlaylist(file: string, tracks: readonly Track[]): Promise<Track[]> {
        const byFile = new Map(tracks.map((t) => [t.file, t]));
        const lines = (await fs.readFile(file, "utf8")).split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
        return lines.map((l) => byFile.get(path.resolve(path.dirname(file), l)) ?? trackFromFileName(path.resolve(path.dirname(file), l)));
    }
}

/** "Baby Shark by Pinkfong", or the title alone when the artist is not known. */
export function describeTrack(track: Track): string {
    return track.artist ? `${track.title} by ${track.artist}` : track.title;
}

/** "Artist - Title.mp3" → both; otherwise the name is the title. */
export function trackFromFileName(file: string): Track {
    const base = path.basename(file, path.extname(file)).replace(/^\d+[\s._-]+/, "").replaceAll("_", " ");
    const dash = base.indexOf(" - ");
    return dash > 0
        ? { file, artist: base.slice(0, dash).trim(), title: base.slice(dash + 3).trim(), album: "", genres: [] }
        : { file, artist: "", title: base.trim(), album: "", genres: [] };
}

/** A folder of the music library that could not be read, and why. */
interface Skipped {
    path: string;
    reason: string;
}

/**
 * Every file under `dir` that `keep` accepts, sorted. Folders that cannot be read are skipped and named; links are
 * followed (to files and folders), each real folder read once, so a link loop ends. A missing `dir` has no files.
 */
async function listFiles(dir: string, keep: (file: string) => boolean): Promise<{ files: string[]; skipped: Skipped[] }> {
    const files: string[] = [];
    const skipped: Skipped[] = [];
    const visited = new Set<string>();
    const walk = async (folder: string): Promise<void> => {
        let real: string;
        let entries: import("node:fs").Dirent[];
        try {
            real = await fs.realpath(folder);
            if (visited.has(real)) return;
            visited.add(real);
            entries = await fs.readdir(folder, { withFileTypes: true });
        } catch (error) {
            const code = (error as NodeJS.ErrnoException).code;
            if (folder === dir && code === "ENOENT") return;
            skipped.push({ path: folder, reason: code ?? errorMessage(error) });
            return;
        }
        for (const entry of entries) {
            const full = path.join(folder, entry.name);
            let isDir = entry.isDirectory();
            let isFile = entry.isFile();
            if (entry.isSymbolicLink()) {
                try {
                    const target = await fs.stat(full);
                    isDir = target.isDirectory();
                    isFile = target.isFile();
                } catch (error) {
                    skipped.push({ path: full, reason: `a link to nothing usable: ${(error as NodeJS.ErrnoException).code ?? errorMessage(error)}` });
                    continue;
                }
            }
            if (isDir) await walk(full);
            else if (isFile && keep(full)) files.push(full);
        }
    };
    await walk(dir);
    return { files: files.sort(), skipped };
}

function bestBy<T>(items: readonly T[], score: (item: T) => number): T | undefined {
    let best: T | undefined;
    let bestScore = MIN_SCORE;
    for (const item of items) {
        const s = score(item);
        if (s >= bestScore) {
            best = item;
            bestScore = s;
        }
    }
    return best;
}

function shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
        const j = Math.floor(Math.random() * (i + 1));
        [items[i], items[j]] = [items[j]!, items[i]!];
    }
    return items;
}
