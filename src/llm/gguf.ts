import fs from "node:fs";
import { ModelFileError } from "../errors.ts";
import { writeFileAtomic } from "../util/files.ts";

/**
 * A small GGUF reader and writer. hark reads a model's header before llama.cpp does, so that a missing, foreign or
 * truncated file is reported in words (llama.cpp itself says only "failed to load model"), and writes GGUF files for
 * LoRA adapters it generates. Layout (GGUF v3): magic "GGUF", u32 version, u64 tensor count, u64 key/value count,
 * the key/values, the tensor infos (name, dims, ggml type, offset), then tensor data aligned to `general.alignment`.
 */

/** GGUF metadata value types. */
export enum GgufValueType {
    UINT8 = 0, INT8 = 1, UINT16 = 2, INT16 = 3, UINT32 = 4, INT32 = 5, FLOAT32 = 6, BOOL = 7, STRING = 8, ARRAY = 9,
    UINT64 = 10, INT64 = 11, FLOAT64 = 12
}

/** ggml tensor types hark knows the size of: [elements per block, bytes per block]. */
const TYPE_SIZES: Record<number, readonly [number, number]> = {
    0: [1, 4], 1: [1, 2], 2: [32, 18], 3: [32, 20], 6: [32, 22], 7: [32, 24], 8: [32, 34], 9: [32, 36],
    10: [256, 84], 11: [256, 110], 12: [256, 144], 13: [256, 176], 14: [256, 210], 15: [256, 292],
    20: [32, 18], 23: [256, 136], 24: [1, 1], 25: [1, 2], 26: [1, 4], 27: [1, 8], 28: [1, 8], 30: [1, 2]
};

/** ggml type number of 32-bit floats. */
export const GGML_TYPE_F32 = 0;

/**
 * A metadata value as read. Arrays (the tokenizer's vocabulary, scores and merges: hundreds of thousands of entries)
 * are skipped, not decoded — hark needs none of them and llama.cpp reads them anyway — so only their size is kept.
 */
export type GgufValue = string | number | bigint | boolean | GgufArrayInfo;

/** What is kept of a metadata array. */
export interface GgufArrayInfo {
    itemType: GgufValueType;
    length: number;
}

/** A metadata value to write. */
export type GgufWriteValue = string | number | bigint | boolean | GgufWriteValue[];

/** Bytes of one item of a fixed-size metadata type. */
const VALUE_SIZES: Partial<Record<GgufValueType, number>> = {
    [GgufValueType.UINT8]: 1, [GgufValueType.INT8]: 1, [GgufValueType.UINT16]: 2, [GgufValueType.INT16]: 2,
    [GgufValueType.UINT32]: 4, [GgufValueType.INT32]: 4, [GgufValueType.FLOAT32]: 4, [GgufValueType.BOOL]: 1,
    [GgufValueType.UINT64]: 8, [GgufValueType.INT64]: 8, [GgufValueType.FLOAT64]: 8
};

/** One tensor's description from the header. `offset` is relative to the start of the data section. */
export interface GgufTensorInfo {
    name: string;
    /** ggml order: `dims[0]` is the row length (input features of a weight). */
    dims: number[];
    type: number;
    offset: number;
}

/** What hark reads from a GGUF header. */
export interface GgufHeader {
    version: number;
    metadata: Map<string, GgufValue>;
    tensors: GgufTensorInfo[];
    /** Where tensor data starts in the file. */
    dataOffset: number;
    /** Bytes the file must have to hold every tensor; `null` when a tensor type's size is not known to hark. */
    expectedSize: number | null;
    fileSize: number;
    /** Where each metadata entry lies in the file, [start, end), and where the tensor descriptions do. */
    layout: { metadata: Map<string, [number, number]>; tensorInfo: [number, number] };
}

const MAGIC = 0x46554747; // "GGUF" read as little-endian u32

/** hark's metadata key for the confidence threshold a model's training chose (see `hark train base`). */
export const MIN_CONFIDENCE_KEY = "hark.min_confidence";

/** Reads and checks a GGUF header. Throws {@link ModelFileError} saying what is wrong and what to do. */
export function readGgufHeader(file: string, what = "model"): GgufHeader {
    let fd: number;
    try {
        fd = fs.openSync(file, "r");
    } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        throw new ModelFileError(file, code === "ENOENT"
            ? `${what} file not found; check the path, or download one with "hark models pull NAME" ("hark models list" shows them)`
            : `cannot open the ${what} file: ${(error as Error).message}`, { cause: error });
    }
    try {
        const fileSize = fs.fstatSync(fd).size;
        const reader = new FileCursor(fd, fileSize, file, what);
        if (fileSize < 4 || reader.u32() !== MAGIC) {
            throw new ModelFileError(file, `not a GGUF ${what} file (it does not start with "GGUF"); llama.cpp models must be GGUF — convert other formats with llama.cpp's convert_hf_to_gguf.py`);
        }
        const version = reader.u32();
        if (version < 2 || version > 3) throw new ModelFileError(file, `GGUF version ${version} is not supported (2 and 3 are)`);
        const tensorCount = reader.u64();
        const kvCount = reader.u64();
        const metadata = new Map<string, GgufValue>();
        const ranges = new Map<string, [number, number]>();
        for (let i = 0; i < kvCount; i++) {
            const start = reader.position;
            const key = reader.string();
            metadata.set(key, reader.value(reader.u32()));
            ranges.set(key, [start, reader.position]);
        }
        const tensorInfoStart = reader.position;
        const tensors: GgufTensorInfo[] = [];
        for (let i = 0; i < tensorCount; i++) {
            const name = reader.string();
            const nDims = reader.u32();
            const dims = Array.from({ length: nDims }, () => reader.u64());
            tensors.push({ name, dims, type: reader.u32(), offset: reader.u64() });
        }
        const tensorInfoEnd = reader.position;
        const alignment = Number(metadata.get("general.alignment") ?? 32);
        const dataOffset = alignUp(reader.position, alignment);
        let expectedSize: number | null = dataOffset;
        for (const t of tensors) {
            const bytes = tensorBytes(t);
            if (bytes == null) {
                expectedSize = null;
                break;
            }
            expectedSize = Math.max(expectedSize, dataOffset + t.offset + bytes);
        }
        if (expectedSize != null && fileSize < expectedSize) {
            throw new ModelFileError(file, `the ${what} file is truncated: ${fileSize} bytes, but its tensors need ${expectedSize}; the download was probably cut short — pull it again`);
        }
        return { version, metadata, tensors, dataOffset, expectedSize, fileSize, layout: { metadata: ranges, tensorInfo: [tensorInfoStart, tensorInfoEnd] } };
    } finally {
        fs.closeSync(fd);
    }
}

/** Size in bytes of a tensor's data, or `null` for a type hark does not know. */
export function tensorBytes(t: Pick<GgufTensorInfo, "dims" | "type">): number | null {
    const size = TYPE_SIZES[t.type];
    if (size == null) return null;
    const elements = t.dims.reduce((a, b) => a * b, 1);
    return (elements / size[0]) * size[1];
}

function alignUp(n: number, alignment: number): number {
    return Math.ceil(n / alignment) * alignment;
}

/** Sequential reads from a file descriptor through a growing window, with "truncated" errors instead of garbage. */
class FileCursor {
    public position = 0;
    private buffer = Buffer.alloc(0);
    private bufferStart = 0;

    public constructor(private readonly fd: number, private readonly size: number, private readonly file: string, private readonly what: string) {}

    public u32(): number {
        return this.take(4).readUInt32LE(0);
    }

    public u64(): number {
        const n = this.take(8).readBigUInt64LE(0);
        if (n > BigInt(Number.MAX_SAFE_INTEGER)) this.fail("holds an impossible count or size");
        return Number(n);
    }

    public string(): string {
        const length = this.u64();
        if (length > this.size) this.fail(`ends inside its header (a ${length}-byte string cannot fit in ${this.size} bytes); the download was probably cut short — pull it again`);
        return this.take(length).toString("utf8");
    }

    public value(type: number): GgufValue {
        switch (type) {
            case GgufValueType.UINT8: return this.take(1).readUInt8(0);
            case GgufValueType.INT8: return this.take(1).readInt8(0);
            case GgufValueType.UINT16: return this.take(2).readUInt16LE(0);
            case GgufValueType.INT16: return this.take(2).readInt16LE(0);
            case GgufValueType.UINT32: return this.take(4).readUInt32LE(0);
            case GgufValueType.INT32: return this.take(4).readInt32LE(0);
            case GgufValueType.FLOAT32: return this.take(4).readFloatLE(0);
            case GgufValueType.BOOL: return this.take(1).readUInt8(0) !== 0;
            case GgufValueType.STRING: return this.string();
            case GgufValueType.UINT64: return this.take(8).readBigUInt64LE(0);
            case GgufValueType.INT64: return this.take(8).readBigInt64LE(0);
            case GgufValueType.FLOAT64: return this.take(8).readDoubleLE(0);
            case GgufValueType.ARRAY: {
                const itemType = this.u32();
                const count = this.u64();
                if (count > this.size) this.fail(`ends inside its header (an array of ${count} entries cannot fit in ${this.size} bytes); the download was probably cut short — pull it again`);
                const itemSize = VALUE_SIZES[itemType as GgufValueType];
                if (itemSize != null) this.skip(count * itemSize);
                else for (let i = 0; i < count; i++) this.skipValue(itemType);
                return { itemType, length: count };
            }
            default: return this.fail(`holds an unknown metadata type ${type}`);
        }
    }

    /** Passes over one value without decoding it. */
    private skipValue(type: number): void {
        const size = VALUE_SIZES[type as GgufValueType];
        if (size != null) this.skip(size);
        else if (type === GgufValueType.STRING) this.skip(this.u64());
        else this.value(type);
    }

    /** Moves past `n` bytes; the window is refilled by the next read. */
    private skip(n: number): void {
        this.needBytes(n);
        this.position += n;
    }

    private take(n: number): Buffer {
        this.needBytes(n);
        const end = this.bufferStart + this.buffer.length;
        if (this.position + n > end) {
            const want = Math.max(n, 1 << 20);
            const chunk = Buffer.alloc(Math.min(want, this.size - this.position));
            fs.readSync(this.fd, chunk, 0, chunk.length, this.position);
            this.buffer = chunk;
            this.bufferStart = this.position;
        }
        const from = this.position - this.bufferStart;
        this.position += n;
        return this.buffer.subarray(from, from + n);
    }

    private needBytes(n: number): void {
        if (this.position + n > this.size) {
            this.fail(`ends inside its header (at byte ${this.size}); the download was probably cut short — pull it again`);
        }
    }

    private fail(reason: string): never {
        throw new ModelFileError(this.file, `the ${this.what} file ${reason}`);
    }
}

/** A metadata entry to write: the key, its GGUF type, and the value (for arrays, `itemType` too). */
export interface GgufWriteEntry {
    key: string;
    type: GgufValueType;
    value: GgufWriteValue;
    itemType?: GgufValueType;
}

/** A 32-bit float tensor to write. `dims` in ggml order. */
export interface GgufWriteTensor {
    name: string;
    dims: number[];
    data: Float32Array;
}

/** Writes a GGUF v3 file (F32 tensors only), through a temporary file and a rename. */
export function writeGguf(file: string, metadata: readonly GgufWriteEntry[], tensors: readonly GgufWriteTensor[], alignment = 32): void {
    const { parts, u32, u64, str, entry } = encoder();
    u32(MAGIC);
    u32(3);
    u64(tensors.length);
    u64(metadata.length + 1);
    for (const e of metadata) entry(e);
    entry({ key: "general.alignment", type: GgufValueType.UINT32, value: alignment });
    let offset = 0;
    for (const t of tensors) {
        str(t.name);
        u32(t.dims.length);
        for (const d of t.dims) u64(d);
        u32(GGML_TYPE_F32);
        u64(offset);
        offset = alignUp(offset + t.data.byteLength, alignment);
    }
    const headerLength = parts.reduce((n, b) => n + b.length, 0);
    parts.push(Buffer.alloc(alignUp(headerLength, alignment) - headerLength));
    for (const t of tensors) {
        const bytes = Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
        parts.push(bytes, Buffer.alloc(alignUp(bytes.length, alignment) - bytes.length));
    }
    writeFileAtomic(file, Buffer.concat(parts));
}

/**
 * Sets metadata entries of an existing GGUF file (adding or replacing them), leaving everything else — the other
 * entries, the tensors and their data — byte for byte as it was. Written through a temporary file and a rename.
 */
export function setGgufMetadata(file: string, entries: readonly GgufWriteEntry[]): void {
    const header = readGgufHeader(file);
    const bytes = fs.readFileSync(file);
    const alignment = Number(header.metadata.get("general.alignment") ?? 32);
    const { parts, u32, u64, entry } = encoder();
    const replaced = new Set(entries.map((e) => e.key));
    const kept = [...header.layout.metadata].filter(([key]) => !replaced.has(key));
    u32(MAGIC);
    u32(header.version);
    u64(header.tensors.length);
    u64(kept.length + entries.length);
    for (const [, [start, end]] of kept) parts.push(bytes.subarray(start, end));
    for (const e of entries) entry(e);
    parts.push(bytes.subarray(...header.layout.tensorInfo));
    const headerLength = parts.reduce((n, b) => n + b.length, 0);
    parts.push(Buffer.alloc(alignUp(headerLength, alignment) - headerLength), bytes.subarray(header.dataOffset));
    writeFileAtomic(file, Buffer.concat(parts));
}

/** Little-endian GGUF encoding into a list of buffers. */
function encoder() {
    const parts: Buffer[] = [];
    const u32 = (n: number): void => void parts.push(le(4, (b) => b.writeUInt32LE(n)));
    const u64 = (n: number | bigint): void => void parts.push(le(8, (b) => b.writeBigUInt64LE(BigInt(n))));
    const str = (s: string): void => {
        const bytes = Buffer.from(s, "utf8");
        u64(bytes.length);
        parts.push(bytes);
    };
    const value = (type: GgufValueType, v: GgufWriteValue, itemType?: GgufValueType): void => {
        switch (type) {
            case GgufValueType.STRING: return str(String(v));
            case GgufValueType.UINT32: return u32(Number(v));
            case GgufValueType.INT32: return void parts.push(le(4, (b) => b.writeInt32LE(Number(v))));
            case GgufValueType.FLOAT32: return void parts.push(le(4, (b) => b.writeFloatLE(Number(v))));
            case GgufValueType.BOOL: return void parts.push(Buffer.from([v ? 1 : 0]));
            case GgufValueType.UINT64: return u64(v as number | bigint);
            case GgufValueType.ARRAY: {
                if (itemType == null || !Array.isArray(v)) throw new TypeError("a GGUF array needs itemType and an array value");
                u32(itemType);
                u64(v.length);
                for (const item of v) value(itemType, item);
                return;
            }
            default: throw new TypeError(`writing GGUF value type ${type} is not supported`);
        }
    };
    const entry = (e: GgufWriteEntry): void => {
        str(e.key);
        u32(e.type);
        value(e.type, e.value, e.itemType);
    };
    return { parts, u32, u64, str, entry };
}

function le(size: number, write: (b: Buffer) => void): Buffer {
    const b = Buffer.alloc(size);
    write(b);
    return b;
}
