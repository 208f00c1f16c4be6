import fs from "node:fs";

/** hark's internal audio format: 16 kHz, mono, signed 16-bit little-endian. */
export const SAMPLE_RATE_HZ = 16_000;

/** Milliseconds of audio in `samples` at 16 kHz. */
export function durationMs(samples: number): number {
    return (samples / SAMPLE_RATE_HZ) * 1000;
}

/** Samples in `ms` milliseconds at 16 kHz. */
export function samplesIn(ms: number): number {
    return Math.round((ms / 1000) * SAMPLE_RATE_HZ);
}

/** Joins chunks into one buffer of samples. */
export function concatSamples(chunks: readonly Int16Array[]): Int16Array {
    const out = new Int16Array(chunks.reduce((n, c) => n + c.length, 0));
    let offset = 0;
    for (const c of chunks) {
        out.set(c, offset);
        offset += c.length;
    }
    return out;
}

/** A 44-byte PCM WAV header followed by the samples (16 kHz mono 16-bit). */
export function encodeWav(samples: Int16Array, sampleRateHz = SAMPLE_RATE_HZ): Buffer {
    const data = Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
    const header = Buffer.alloc(44);
    header.write("RIFF", 0, "latin1");
    header.writeUInt32LE(36 + data.length, 4);
    header.write("WAVE", 8, "latin1");
    header.write("fmt ", 12, "latin1");
    header.writeUInt32LE(16, 16);
    header.writeUInt16LE(1, 20); // PCM
    header.writeUInt16LE(1, 22); // mono
    header.writeUInt32LE(sampleRateHz, 24);
    header.writeUInt32LE(sampleRateHz * 2, 28);
    header.writeUInt16LE(2, 32);
    header.writeUInt16LE(16, 34);
    header.write("data", 36, "latin1");
    header.writeUInt32LE(data.length, 40);
    return Buffer.concat([header, data]);
}

/** Writes samples as a 16 kHz mono WAV file. */
export function writeWav(file: string, samples: Int16Array): void {
    fs.writeFileSync(file, encodeWav(samples));
}

/** A computed sample value as a 16-bit sample: rounded, and clipped at full scale. */
export function toSample(value: number): number {
    return Math.max(-32768, Math.min(32767, Math.round(value)));
}

/** Copies bytes of little-endian 16-bit PCM into samples (an odd trailing byte is the caller's to keep). */
export function bytesToSamples(bytes: Buffer): Int16Array {
    const out = new Int16Array(bytes.length >> 1);
    for (let i = 0; i < out.length; i++) out[i] = bytes.readInt16LE(i * 2);
    return out;
}

/**
 * How loud the speech in `samples` is, in dBFS: the RMS level of the loudest tenth of its 30 ms frames (the silence
 * around a word does not pull it down). -Infinity for digital silence.
 */
export function speechLevelDbfs(samples: Int16Array): number {
    const frame = samplesIn(30);
    const levels: number[] = [];
    for (let start = 0; start + frame <= samples.length; start += frame) {
        let sum = 0;
        for (let i = start; i < start + frame; i++) sum += samples[i]! * samples[i]!;
        levels.push(Math.sqrt(sum / frame));
    }
    if (levels.length === 0) return -Infinity;
    levels.sort((a, b) => b - a);
    const loudest = levels.slice(0, Math.max(1, Math.ceil(levels.length / 10)));
    const rms = loudest.reduce((a, b) => a + b, 0) / loudest.length;
    return rms === 0 ? -Infinity : 20 * Math.log10(rms / 32768);
}

/** The mean square of `samples`. */
export function meanPower(samples: Int16Array): number {
    let sum = 0;
    for (const v of samples) sum += v * v;
    return sum / Math.max(1, samples.length);
}

/** A mean square as dBFS (full scale 0 dB; silence about -100). */
export function powerDbfs(power: number): number {
    return 10 * Math.log10(power / 32768 ** 2 + 1e-10);
}

/** The level (dBFS) of the `p`-th fraction of `levels`, sorted. */
export function levelPercentile(levels: readonly number[], p: number): number {
    const sorted = [...levels].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}
