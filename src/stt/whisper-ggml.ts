import fs from "node:fs";
import { seededRandom } from "../util/random.ts";

/** Sizes of a whisper model, in whisper.cpp's hparams order. */
export interface WhisperHparams {
    nVocab: number;
    nAudioCtx: number;
    nAudioState: number;
    nAudioHead: number;
    nAudioLayer: number;
    nTextCtx: number;
    nTextState: number;
    nTextHead: number;
    nTextLayer: number;
    nMels: number;
}

/** The smallest shapes whisper.cpp accepts with an English-only vocabulary: about 7 MB of f32 weights. */
export const TINY_RANDOM_HPARAMS: WhisperHparams = {
    nVocab: 51864, nAudioCtx: 1500, nAudioState: 32, nAudioHead: 2, nAudioLayer: 1,
    nTextCtx: 448, nTextState: 32, nTextHead: 2, nTextLayer: 1, nMels: 80
};

/** Every tensor whisper.cpp's loader expects, with its ggml shape (ne0 first). */
export function whisperTensorShapes(h: WhisperHparams): Array<[string, number[]]> {
    const a = h.nAudioState;
    const t = h.nTextState;
    const shapes: Array<[string, number[]]> = [
        ["encoder.positional_embedding", [a, h.nAudioCtx]],
        ["encoder.conv1.weight", [3, h.nMels, a]], ["encoder.conv1.bias", [1, a]],
        ["encoder.conv2.weight", [3, a, a]], ["encoder.conv2.bias", [1, a]],
        ["encoder.ln_post.weight", [a]], ["encoder.ln_post.bias", [a]],
        ["decoder.positional_embedding", [t, h.nTextCtx]],
        ["decoder.token_embedding.weight", [t, h.nVocab]],
        ["decoder.ln.weight", [t]], ["decoder.ln.bias", [t]]
    ];
    const block = (prefix: string, n: number, cross: boolean): void => {
        shapes.push(
            [`${prefix}.mlp_ln.weight`, [n]], [`${prefix}.mlp_ln.bias`, [n]],
            [`${prefix}.mlp.0.weight`, [n, 4 * n]], [`${prefix}.mlp.0.bias`, [4 * n]],
            [`${prefix}.mlp.2.weight`, [4 * n, n]], [`${prefix}.mlp.2.bias`, [n]]
        );
        for (const attn of cross ? ["attn", "cross_attn"] : ["attn"]) {
            shapes.push(
                [`${prefix}.${attn}_ln.weight`, [n]], [`${prefix}.${attn}_ln.bias`, [n]],
                [`${prefix}.${attn}.query.weight`, [n, n]], [`${prefix}.${attn}.query.bias`, [n]],
                [`${prefix}.${attn}.key.weight`, [n, n]],
                [`${prefix}.${attn}.value.weight`, [n, n]], [`${prefix}.${attn}.value.bias`, [n]],
                [`${prefix}.${attn}.out.weight`, [n, n]], [`${prefix}.${attn}.out.bias`, [n]]
            );
        }
    };
    for (let i = 0; i < h.nAudioLayer; i++) block(`encoder.blocks.${i}`, a, false);
    for (let i = 0; i < h.nTextLayer; i++) block(`decoder.blocks.${i}`, t, true);
    return shapes;
}

/**
 * Writes a whisper.cpp ggml model file with random f32 weights: the real format (magic, hparams, mel filters,
 * vocabulary, named tensors), the wrong knowledge. It proves loading and inference code without real weights.
 * Deterministic for a given seed.
 */
export function writeRandomWhisperModel(file: string, hparams: WhisperHparams = TINY_RANDOM_HPARAMS, seed = 1): void {
    const random = seededRandom(seed);
    const fd = fs.openSync(file, "w");
    const int32 = (...values: number[]): void => {
        const b = Buffer.alloc(4 * values.length);
        values.forEach((v, i) => b.writeInt32LE(v, i * 4));
        fs.writeSync(fd, b);
    };
    const floats = (count: number, value: () => number, half = false): void => {
        const chunk = 1 << 16;
        for (let done = 0; done < count; done += chunk) {
            const n = Math.min(chunk, count - done);
            const arr = half ? new Uint16Array(n) : new Float32Array(n);
            for (let i = 0; i < n; i++) arr[i] = half ? toHalf(value()) : value();
            fs.writeSync(fd, Buffer.from(arr.buffer));
        }
    };
    try {
        const h = hparams;
        // ftype 1: matrices in f16 (whisper.cpp's convolution needs f16 weights), vectors in f32.
        int32(0x67676d6c, h.nVocab, h.nAudioCtx, h.nAudioState, h.nAudioHead, h.nAudioLayer, h.nTextCtx, h.nTextState, h.nTextHead, h.nTextLayer, h.nMels, 1);
        // Mel filters: triangular-ish bands over the 201 FFT bins whisper uses.
        const nFft = 201;
        int32(h.nMels, nFft);
        let k = 0;
        floats(h.nMels * nFft, () => {
            const mel = Math.floor(k / nFft);
            const bin = k++ % nFft;
            const centre = ((mel + 1) * nFft) / (h.nMels + 1);
            return Math.max(0, 1 - Math.abs(bin - centre) / 3) * 0.05;
        });
        // Vocabulary: the 256 bytes, then placeholder words; special tokens follow from n_vocab.
        const words = 50256;
        int32(words);
        for (let i = 0; i < words; i++) {
            const word = i < 256 ? Buffer.from([i]) : Buffer.from(` w${i}`);
            int32(word.length);
            fs.writeSync(fd, word);
        }
        for (const [name, ne] of whisperTensorShapes(h)) {
            const nameBytes = Buffer.from(name);
            const half = name.endsWith(".weight") && ne.length >= 2;
            int32(ne.length, nameBytes.length, half ? 1 : 0, ...ne);
            fs.writeSync(fd, nameBytes);
            const count = ne.reduce((x, y) => x * y, 1);
            const isNormWeight = /(ln|ln_post|mlp_ln|attn_ln)\.weight$/.test(name);
            floats(count, isNormWeight ? () => 1 : () => random() * 0.05, half);
        }
    } finally {
        fs.closeSync(fd);
    }
}

/** IEEE 754 half precision bits of a small float (enough for weights in -1..1; no NaN or infinity handling needed). */
function toHalf(value: number): number {
    const f = new Float32Array([value]);
    const bits = new Uint32Array(f.buffer)[0]!;
    const sign = (bits >>> 16) & 0x8000;
    const exponent = ((bits >>> 23) & 0xff) - 127 + 15;
    if (exponent <= 0) return sign;
    if (exponent >= 31) return sign | 0x7bff;
    return sign | (exponent << 10) | ((bits >>> 13) & 0x3ff);
}

/** Bytes per element of the ggml types a whisper file may hold, by type id (f32, f16, q4_0, q4_1, -, -, q5_0, q5_1, q8_0). */
const TYPE_SIZES: Record<number, { bytes: number; block: number }> = {
    0: { bytes: 4, block: 1 }, 1: { bytes: 2, block: 1 }, 2: { bytes: 18, block: 32 }, 3: { bytes: 20, block: 32 },
    6: { bytes: 22, block: 32 }, 7: { bytes: 24, block: 32 }, 8: { bytes: 34, block: 32 }
};

/** What a whisper ggml file holds, read from its headers without loading the weights. */
export interface WhisperFileInfo {
    hparams: WhisperHparams;
    tensors: number;
    /** Tensors whisper.cpp needs that the file lacks (a truncated download). */
    missing: string[];
}

/**
 * Reads a whisper.cpp ggml file's headers and checks every tensor is there and complete. whisper.cpp itself accepts
 * a file with no tensors at all as an "empty model for testing", so a download cut inside its header would load and
 * then produce nonsense; this catches that. Throws an Error saying what is wrong.
 */
export function inspectWhisperModel(file: string): WhisperFileInfo {
    const fd = fs.openSync(file, "r");
    try {
        const size = fs.fstatSync(fd).size;
        let offset = 0;
        const read = (bytes: number): Buffer => {
            if (offset + bytes > size) throw new Error(`file ends at byte ${size}, inside its ${offset < 48 ? "header" : "contents"} (truncated download?)`);
            const b = Buffer.alloc(bytes);
            fs.readSync(fd, b, 0, bytes, offset);
            offset += bytes;
            return b;
        };
        const int32 = (): number => read(4).readInt32LE(0);
        if (read(4).readUInt32LE(0) !== 0x67676d6c) throw new Error("wrong magic number: not a whisper.cpp ggml model");
        const [nVocab, nAudioCtx, nAudioState, nAudioHead, nAudioLayer, nTextCtx, nTextState, nTextHead, nTextLayer, nMels] = Array.from({ length: 10 }, int32) as [number, number, number, number, number, number, number, number, number, number];
        int32(); // ftype
        const hparams: WhisperHparams = { nVocab, nAudioCtx, nAudioState, nAudioHead, nAudioLayer, nTextCtx, nTextState, nTextHead, nTextLayer, nMels };
        const nMel = int32();
        const nFft = int32();
        offset += nMel * nFft * 4;
        const words = int32();
        for (let i = 0; i < words; i++) {
            const length = int32();
            offset += length;
        }
        const found = new Set<string>();
        while (offset < size) {
            const nDims = int32();
            const nameLength = int32();
            const type = int32();
            const ne = Array.from({ length: nDims }, int32);
            const name = read(nameLength).toString("utf8");
            const t = TYPE_SIZES[type];
            if (t == null) throw new Error(`tensor ${name} has unknown type ${type}`);
            const elements = ne.reduce((a, b) => a * b, 1);
            const bytes = (elements / t.block) * t.bytes;
            if (offset + bytes > size) throw new Error(`tensor ${name} is cut off at byte ${size} (truncated download?)`);
            offset += bytes;
            found.add(name);
        }
        const missing = whisperTensorShapes(hparams).map(([n]) => n).filter((n) => !found.has(n));
        return { hparams, tensors: found.size, missing };
    } finally {
        fs.closeSync(fd);
    }
}
