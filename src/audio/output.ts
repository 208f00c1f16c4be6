import type { PlayedAudio } from "./played.ts";
import type { Playback, PlaybackKind, Player } from "./player.ts";

/** A playback began or ended in a room: the voice loop and the web page follow what the room hears. */
export interface OutputEvent {
    type: "started" | "ended";
    kind: PlaybackKind;
    file: string;
    /** How it ended (`ended` only). */
    how?: "finished" | "stopped" | "failed";
}

/**
 * Who goes first when two things want the room's speaker. Speech and sounds belong to a turn someone is having now;
 * an announcement (a timer that rang) waits for them; music plays underneath, held while anything else plays or
 * someone talks to hark.
 */
const PRIORITY: Record<Exclude<PlaybackKind, "music">, number> = { speech: 2, sound: 2, announcement: 1 };

interface Waiting {
    file: string;
    kind: Exclude<PlaybackKind, "music">;
    resolve(playback: Playback): void;
    reject(error: unknown): void;
}

interface Music {
    playback: Playback;
    /** Paused by the user ("pause the music"), not by this output: it stays paused when the room is free again. */
    userPaused: boolean;
    ended: boolean;
}

/**
 * One room's speaker, owning everything the room hears: replies and feedback sounds, timer announcements, music. It
 * plays one foreground item at a time (speech and sounds before announcements), pauses the music while one plays,
 * keeps announcements back and the music paused while someone talks to hark ({@link hold}), and reports each start
 * and end. It is
 * a {@link Player} over the room's real player (this machine's `aplay`, a satellite's speaker), so the music service
 * and the timers use it as they would the player.
 */
export class RoomOutput implements Player {
    private readonly waiting: Waiting[] = [];
    /** The foreground item starting or playing; `playback` is null while the player starts it. */
    private current: { kind: PlaybackKind; playback: Playback | null; stopRequested: boolean } | null = null;
    private readonly music = new Set<Music>();
    private holds = 0;
    private readonly listeners = new Set<(event: OutputEvent) => void>();

    /** `played`: where what this room's speaker plays is noted (this machine's room, with echo cancellation on). */
    public constructor(private readonly sink: Player, public readonly played: PlayedAudio | null = null) {}

    /**
     * Plays `file`. Music starts at once (held while a foreground item plays); anything else waits its turn, and the
     * promise resolves once it has started, as the player's does.
     */
    public play(file: string, kind: PlaybackKind): Promise<Playback> {
        if (kind === "music") return this.playMusic(file);
        return new Promise((resolve, reject) => {
            this.waiting.push({ file, kind, resolve, reject });
            this.next();
        });
    }

    /** Stops what plays, and drops what waits, of the given kinds (all when omitted); returns how many. */
    public stopAll(kinds?: readonly PlaybackKind[]): number {
        const matches = (kind: PlaybackKind): boolean => kinds == null || kinds.includes(kind);
        let count = 0;
        for (let i = this.waiting.length - 1; i >= 0; i--) {
            const item = this.waiting[i]!;
            if (!matches(item.kind)) continue;
            this.waiting.splice(i, 1);
            item.resolve(stoppedPlayback(item.file, item.kind));
            count++;
        }
        if (this.current && matches(this.current.kind)) {
            this.current.stopRequested = true;
            this.current.playback?.stop();
            count++;
        }
        for (const music of this.music) {
            if (!matches("music")) continue;
            music.playback.stop();
            count++;
        }
        return count;
    }

    public active(): readonly Playback[] {
        // Music leaves the set as it ends.
        return [...(this.current?.playback ? [this.current.playback] : []), ...[...this.music].map((m) => m.playback)];
    }

    public takeLateFailures(): string[] {
        return this.sink.takeLateFailures();
    }

    /** Whether something of this kind plays now. */
    public playing(kind: PlaybackKind): boolean {
        return this.active().some((p) => p.kind === kind);
    }

    /**
     * Keeps announcements back, and the music paused, until the returned function is called: the voice loop holds the
     * room from the wake word to the end of the reply, so that neither is recorded into the request or talks over it.
     */
    public hold(): () => void {
        this.holds++;
        this.pauseMusic();
        let released = false;
        return () => {
            if (released) return;
            released = true;
            this.holds--;
            this.next();
        };
    }

    /** Calls `listener` on every start and end; returns the function that stops it. */
    public onEvent(listener: (event: OutputEvent) => void): () => void {
        this.listeners.add(listener);
        return () => void this.listeners.delete(listener);
    }

    /** Starts the next foreground item that may play, or lets the music go on when there is none. */
    private next(): void {
        if (this.current) return;
        const allowed = this.waiting.filter((w) => this.holds === 0 || w.kind !== "announcement");
        const item = allowed.reduce<Waiting | undefined>((best, w) => (best == null || PRIORITY[w.kind] > PRIORITY[best.kind] ? w : best), undefined);
        if (!item) {
            if (this.holds === 0) for (const music of this.music) if (!music.userPaused) music.playback.resume();
            return;
        }
        this.waiting.splice(this.waiting.indexOf(item), 1);
        const current: NonNullable<RoomOutput["current"]> = { kind: item.kind, playback: null, stopRequested: false };
        this.current = current;
        this.pauseMusic();
        const finish = (how: NonNullable<OutputEvent["how"]>, started: boolean): void => {
            if (this.current === current) this.current = null;
            if (started) this.emit({ type: "ended", kind: item.kind, file: item.file, how });
            this.next();
        };
        this.sink.play(item.file, item.kind).then((playback) => {
            current.playback = playback;
            this.emit({ type: "started", kind: item.kind, file: item.file });
            if (current.stopRequested) playback.stop();
            item.resolve(playback);
            playback.done.then((how) => finish(how, true), () => finish("failed", true));
        }, (error: unknown) => {
            item.reject(error);
            finish("failed", false);
        });
    }

    private async playMusic(file: string): Promise<Playback> {
        const playback = await this.sink.play(file, "music");
        const music: Music = { playback, userPaused: false, ended: false };
        this.music.add(music);
        if (this.musicHeld) playback.pause();
        this.emit({ type: "started", kind: "music", file });
        const end = (how: NonNullable<OutputEvent["how"]>): void => {
            music.ended = true;
            this.music.delete(music);
            this.emit({ type: "ended", kind: "music", file, how });
        };
        playback.done.then(end, () => end("failed"));
        return {
            file, kind: "music", done: playback.done,
            get paused() {
                return music.userPaused && !music.ended;
            },
            pause: () => {
                if (music.ended) return false;
                music.userPaused = true;
                return playback.pause();
            },
            // While the room is busy with something else the music stays held; it carries on once that is over.
            resume: () => {
                if (music.ended) return false;
                music.userPaused = false;
                return this.musicHeld ? true : playback.resume();
            },
            stop: () => playback.stop()
        };
    }

    /** Whether the music must wait: something else plays, or someone talks to hark. */
    private get musicHeld(): boolean {
        return this.current != null || this.holds > 0;
    }

    private pauseMusic(): void {
        for (const music of this.music) music.playback.pause();
    }

    private emit(event: OutputEvent): void {
        for (const listener of this.listeners) listener(event);
    }
}

/** What a waiting item that was stopped before it began resolves with. */
function stoppedPlayback(file: string, kind: PlaybackKind): Playback {
    return { file, kind, done: Promise.resolve("stopped"), paused: false, stop: () => undefined, pause: () => false, resume: () => false };
}
