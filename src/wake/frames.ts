/** Cuts a stream of chunks of any size into fixed frames, keeping the remainder for the next chunk. */
export class FrameSplitter {
    private pending: Int16Array = new Int16Array(0);

    public constructor(private readonly frameSamples: number) {}

    /** The whole frames the chunk completes, each with the stream time of its end (16 kHz). */
    public split(samples: Int16Array, timestampMs: number): Array<{ frame: Int16Array; endMs: number }> {
        const all = new Int16Array(this.pending.length + samples.length);
        all.set(this.pending);
        all.set(samples, this.pending.length);
        // Stream time of all[0]: the pending samples came before this chunk.
        const startMs = timestampMs - this.pending.length / 16;
        const frames: Array<{ frame: Int16Array; endMs: number }> = [];
        let offset = 0;
        for (; offset + this.frameSamples <= all.length; offset += this.frameSamples) {
            frames.push({ frame: all.subarray(offset, offset + this.frameSamples), endMs: startMs + (offset + this.frameSamples) / 16 });
        }
        this.pending = all.slice(offset);
        return frames;
    }

    public reset(): void {
        this.pending = new Int16Array(0);
    }
}

/** After a detection, ignores further ones for a while: one wake word, one detection. */
export class Refractory {
    private lastMs = -Infinity;

    public constructor(private readonly periodMs: number) {}

    /** Whether a detection at `atMs` counts; a counted one starts a new period. */
    public accept(atMs: number): boolean {
        if (atMs - this.lastMs < this.periodMs) return false;
        this.lastMs = atMs;
        return true;
    }

    public reset(): void {
        this.lastMs = -Infinity;
    }
}
