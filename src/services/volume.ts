import { runProgram } from "../util/program.ts";

/** Options for {@link VolumeControl}. */
export interface VolumeOptions {
    /** amixer simple control, e.g. "Master" or "PCM". */
    control: string;
    /** amixer card; empty for the default. */
    card: string;
    stepPercent: number;
}

/** Reads and sets the output volume through amixer. */
export class VolumeControl {
    public constructor(private readonly options: VolumeOptions) {}

    public get stepPercent(): number {
        return this.options.stepPercent;
    }

    /** Current volume in percent. */
    public async get(signal?: AbortSignal): Promise<number> {
        return parsePercent((await runProgram([...this.base(), "sget", this.options.control], { signal })).stdout);
    }

    /** Sets an absolute volume (0..100) and returns what amixer reports back. */
    public async set(percent: number, signal?: AbortSignal): Promise<number> {
        const clamped = Math.max(0, Math.min(100, Math.round(percent)));
        return parsePercent((await runProgram([...this.base(), "sset", this.options.control, `${clamped}%`], { signal })).stdout);
    }

    /** Changes the volume by `deltaPercent` (negative lowers it). */
    public async change(deltaPercent: number, signal?: AbortSignal): Promise<number> {
        const step = `${Math.abs(Math.round(deltaPercent))}%${deltaPercent < 0 ? "-" : "+"}`;
        return parsePercent((await runProgram([...this.base(), "sset", this.options.control, step], { signal })).stdout);
    }

    private base(): string[] {
        return this.options.card ? ["amixer", "-c", this.options.card] : ["amixer"];
    }
}

function parsePercent(amixerOutput: string): number {
    const match = /\[(\d+)%\]/.exec(amixerOutput);
    if (match == null) throw new Error(`could not read the volume from amixer's output: ${amixerOutput.trim().slice(0, 200)}`);
    return Number(match[1]);
}
