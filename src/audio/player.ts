import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import type { Logger } from "pino";
import { PlaybackError } from "../errors.ts";
import { installHint, lastLine } from "../util/program.ts";

/** What is playing: music can be interrupted by "stop"; speech is hark's own voice; an announcement is a timer ringing. */
export type PlaybackKind = "music" | "speech" | "sound" | "announcement";

/** A running playback. */
export interface Playback {
    readonly file: string;
    readonly kind: PlaybackKind;
    /** Resolves when playback ends or is stopped (saying which); rejects with {@link PlaybackError} if the player fails. */
    readonly done: Promise<"finished" | "stopped">;
    stop(): void;
    /** Holds playback where it is (the player process is suspended); false when it has already ended. */
    pause(): boolean;
    /** Carries on from where {@link pause} held it; false when it has ended. */
    resume(): boolean;
    /** Whether it is held by {@link pause}. */
    readonly paused: boolean;
}

/** Plays audio files. */
export interface Player {
    /** Starts playing; rejects if the player cannot start (missing program, no sound device). */
    play(file: string, kind: PlaybackKind): Promise<Playback>;
    /** Stops everything of the given kinds (all when omitted); returns how many were stopped. */
    stopAll(kinds?: readonly PlaybackKind[]): number;
    /** What is playing now. */
    active(): readonly Playback[];
    /**
     * Failures of playbacks that had already been reported as started (a player that fails after its start-up
     * check), as sentences to tell the user; each is given once.
     */
    takeLateFailures(): string[];
}

/** Options for {@link CommandPlayer}. */
export interface CommandPlayerOptions {
    /** argv templates per file type; `{file}` is replaced by the path. */
    commands: { wav: string[]; mp3: string[]; other: string[] };
    /** A player that fails within this time counts as "could not start". Defaults to 400 ms. */
    startupCheckMs?: number;
    /** How long a stopped player has to exit after SIGTERM before its whole process group is killed. Defaults to 2 s. */
    stopGraceMs?: number;
    log: Logger;
}

/** Plays files by spawning aplay / mpg123 / sox play, reporting their real errors. */
export class CommandPlayer implements Player {
    private readonly playing = new Set<Playback>();
    private readonly lateFailures: string[] = [];

    public constructor(private readonly options: CommandPlayerOptions) {}

    public play(file: string, kind: PlaybackKind): Promise<Playback> {
        const ext = path.extname(file).toLowerCase();
        const template = ext === ".wav" ? this.options.commands.wav : ext === ".mp3" ? this.options.commands.mp3 : this.options.commands.other;
        const [program, ...args] = template.map((part) => part.replaceAll("{file}", file));
        if (program == null) return Promise.reject(new PlaybackError(`no player command configured for ${ext} files`));
        const log = this.options.log;
        const startupCheckMs = this.options.startupCheckMs ?? 400;

        return new Promise((resolveStart, rejectStart) => {
            let child: ChildProcess;
            let stderr = "";
            let stopped = false;
            let started = false;
            let paused = false;
            const ended = (): boolean => stopped || child.exitCode != null || child.signalCode != null;
            // Its own process group, so stopping it reaches whatever it started too.
            child = spawn(program, args, { stdio: ["ignore", "ignore", "pipe"], detached: true });
            child.stderr?.setEncoding("utf8").on("data", (d: string) => (stderr += d));

            const done = new Promise<"finished" | "stopped">((resolve, reject) => {
                child.on("error", (error: NodeJS.ErrnoException) => {
                    reject(new PlaybackError(error.code === "ENOENT" ? `${program} not found; ${installHint(program)}` : `${program}: ${error.message}`, { cause: error }));
                });
                child.on("close", (code, signal) => {
                    this.playing.delete(playback);
                    if (stopped) resolve("stopped");
                    else if (code === 0) resolve("finished");
                    else reject(new PlaybackError(`${program} could not play ${path.basename(file)} (exit ${code ?? signal}): ${lastLine(stderr) || "no error output"}`));
                });
            });
            const playback: Playback = {
                file, kind, done,
                get paused() {
                    return paused && !ended();
                },
                pause: () => {
                    if (ended()) return false;
                    if (!paused) signalGroup(child, "SIGSTOP");
                    paused = true;
                    return true;
                },
                resume: () => {
                    if (ended()) return false;
                    if (paused) signalGroup(child, "SIGCONT");
                    paused = false;
                    return true;
                },
                stop: () => {
                    if (ended()) return;
                    stopped = true;
                    signalGroup(child, "SIGTERM");
                    // A suspended player only sees its SIGTERM once it runs again.
                    if (paused) signalGroup(child, "SIGCONT");
                    // A player that ignores SIGTERM, or left a child behind, is killed with its group.
                    setTimeout(() => signalGroup(child, "SIGKILL"), this.options.stopGraceMs ?? 2000).unref();
                }
            };
            this.playing.add(playback);
            log.debug({ file, kind, program }, "playback started");
            // A player that dies at once (no sound card, unsupported file) must be reported as a failure, not a success.
            const timer = setTimeout(() => {
                started = true;
                resolveStart(playback);
            }, startupCheckMs);
            done.then(() => {
                if (!started) {
                    clearTimeout(timer);
                    resolveStart(playback);
                }
            }, (error: unknown) => {
                this.playing.delete(playback);
                if (!started) {
                    clearTimeout(timer);
                    rejectStart(error);
                } else {
                    log.error({ err: error, file }, "playback failed after it had started");
                    this.lateFailures.push(`${kind === "music" ? "The music" : "Playing"} stopped with an error: ${(error as Error).message}.`);
                }
            });
        });
    }

    public stopAll(kinds?: readonly PlaybackKind[]): number {
        let count = 0;
        for (const playback of this.playing) {
            if (kinds == null || kinds.includes(playback.kind)) {
                playback.stop();
                count++;
            }
        }
        return count;
    }

    public active(): readonly Playback[] {
        return [...this.playing];
    }

    public takeLateFailures(): string[] {
        return this.lateFailures.splice(0);
    }
}

/** Sends `signal` to the process group `child` leads (it was spawned detached); to the child alone if that fails. */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
    try {
        if (child.pid != null) process.kill(-child.pid, signal);
    } catch {
        child.kill(signal);
    }
}
