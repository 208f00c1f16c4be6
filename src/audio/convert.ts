import { HarkError } from "../errors.ts";
import { SAMPLE_RATE_HZ, toSample } from "./pcm.ts";

/** Raw PCM as a peer describes it (Wyoming's `rate`, `width`, `channels`). */
export interface PcmFormat {
    rateHz: number;
    /** Bytes per sample: 1 (unsigned 8-bit), 2 (signed 16-bit) or 4 (signed 32-bit), little-endian. */
    width: number;
    channels: number;
}

/** Throws a {@link HarkError} that says what to send instead when hark cannot read audio in `format`. */
export function checkPcmFormat({ rateHz, width, channels }: PcmFormat): void {
    if (![1, 2, 4].includes(width)) throw new HarkError("HARK_AUDIO_FORMAT", `audio of ${width} bytes per sample is not supported; send 16-bit PCM (width 2)`);
    if (!Number.isInteger(channels) || channels < 1 || channels > 16) throw new HarkError("HARK_AUDIO_FORMAT", `audio with ${channels} channels is not supported`);
    if (!Number.isFinite(rateHz) || rateHz < 4000 || rateHz > 192_000) throw new HarkError("HARK_AUDIO_FORMAT", `a sample rate of ${rateHz} Hz is not supported; send 8000 to 192000 Hz (16000 is best)`);
}

/**
 * Converts a stream of raw PCM chunks in any common format to hark's 16 kHz mono 16-bit samples. Channels are averaged;
 * a rate that is a whole multiple of 16 kHz is averaged down (a box filter against aliasing), any other rate is
 * interpolated linearly. Keeps what a chunk boundary cut, so chunks of any size give the same samples.
 */
export class PcmConverter {
    private readonly frameBytes: number;
    private leftover = Buffer.alloc(0);
    /** Source frames converted so far, and output samples made so far (integers: chunking cannot change the result). */
    private consumed = 0;
    private emitted = 0;
    /** The last mono source sample, for interpolating across chunk boundaries. */
    private previous = 0;
    private readonly factor: number | null;
    private group: number[] = [];

    public constructor(public readonly format: PcmFormat) {
        checkPcmFormat(format);
        const { rateHz, width, channels } = format;
        this.frameBytes = width * channels;
        this.factor = rateHz % SAMPLE_RATE_HZ === 0 ? rateHz / SAMPLE_RATE_HZ : null;
    }

    /** Converts the next chunk; returns the 16 kHz samples it completed. */
    public push(bytes: Buffer): Int16Array {
        const data = this.leftover.length ? Buffer.concat([this.leftover, bytes]) : bytes;
        const frames = Math.floor(data.length / this.frameBytes);
        this.leftover = Buffer.from(data.subarray(frames * this.frameBytes));
        const mono = new Float64Array(frames);
        const { width, channels } = this.format;
        for (let f = 0; f < frames; f++) {
            let sum = 0;
            for (let c = 0; c < channels; c++) sum += readSample(data, (f * channels + c) * width, width);
            mono[f] = sum / channels;
        }
        return this.factor != null ? this.decimate(mono, this.factor) : this.interpolate(mono);
    }

    private decimate(mono: Float64Array, factor: number): Int16Array {
        const out: number[] = [];
        for (const sample of mono) {
            this.group.push(sample);
            if (this.group.length === factor) {
                out.push(this.group.reduce((a, b) => a + b, 0) / factor);
                this.group = [];
            }
        }
        return toInt16(out);
    }

    private interpolate(mono: Float64Array): Int16Array {
        const rate = this.format.rateHz;
        const out: number[] = [];
        // Output sample k sits at source frame k·rate/16000; frame consumed-1 is the previous chunk's last.
        const available = this.consumed + mono.length;
        const at = (frame: number): number => (frame < this.consumed ? this.previous : mono[frame - this.consumed]!);
        for (;;) {
            const scaled = this.emitted * rate;
            const i = Math.floor(scaled / SAMPLE_RATE_HZ);
            const remainder = scaled - i * SAMPLE_RATE_HZ;
            if (i >= available || (remainder > 0 && i + 1 >= available)) break;
            const a = at(i);
            out.push(remainder === 0 ? a : a + ((at(i + 1) - a) * remainder) / SAMPLE_RATE_HZ);
            this.emitted++;
        }
        if (mono.length) this.previous = mono[mono.length - 1]!;
        this.consumed = available;
        return toInt16(out);
    }
}

function readSample(data: Buffer, offset: number, width: number): number {
    if (width === 2) return data.readInt16LE(offset);
    if (width === 1) return (data.readUInt8(offset) - 128) << 8;
    return data.readInt32LE(offset) / 65536;
}

function toInt16(values: readonly number[]): Int16Array {
    const out = new Int16Array(values.length);
    for (let i = 0; i < values.length; i++) out[i] = toSample(values[i]!);
    return out;
}

/**
 * Converts chunks that each say their own format (as Wyoming's audio-chunk events do): a {@link PcmConverter} per
 * format, started again when the format changes.
 */
export class PcmChunkConverter {
    private converter: PcmConverter | null = null;

    /** The 16 kHz mono samples of `bytes`, which are in `format`. */
    public push(format: PcmFormat, bytes: Buffer): Int16Array {
        const f = this.converter?.format;
        if (!this.converter || !f || f.rateHz !== format.rateHz || f.width !== format.width || f.channels !== format.channels) this.converter = new PcmConverter(format);
        return this.converter.push(bytes);
    }
}
