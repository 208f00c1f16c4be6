"""GGUF v3 files: write a model or LoRA adapter (F32, F16, Q8_0 tensors) and read one back.

Debian has no `gguf` Python package, so this is written from the format: magic "GGUF", version 3, tensor count,
metadata count, metadata key/values, tensor infos (name, dims innermost first, ggml type, offset), then tensor data
aligned to `general.alignment` (32).
"""
import os
import struct

import numpy as np

GGML_F32, GGML_F16, GGML_Q8_0 = 0, 1, 8
# llama.cpp's general.file_type values (LLAMA_FTYPE_*).
FILE_TYPES = {"f32": 0, "f16": 1, "q8_0": 7}
TYPE_OF = {"f32": GGML_F32, "f16": GGML_F16, "q8_0": GGML_Q8_0}
Q8_BLOCK = 32

# Metadata value types.
U8, I8, U16, I16, U32, I32, F32, BOOL, STRING, ARRAY, U64, I64, F64 = range(13)
_SCALAR = {U8: "<B", I8: "<b", U16: "<H", I16: "<h", U32: "<I", I32: "<i", F32: "<f", BOOL: "<?", U64: "<Q", I64: "<q", F64: "<d"}
ALIGNMENT = 32


def quantize_q8_0(values: np.ndarray) -> bytes:
    """ggml's Q8_0: blocks of 32 values, each an f16 scale (max |x| / 127) and 32 int8s."""
    flat = values.astype(np.float32).reshape(-1, Q8_BLOCK)
    scale = np.abs(flat).max(axis=1) / 127.0
    inverse = np.divide(1.0, scale, out=np.zeros_like(scale), where=scale != 0)
    q = np.round(flat * inverse[:, None]).clip(-127, 127).astype(np.int8)
    blocks = np.zeros(flat.shape[0], dtype=[("d", "<f2"), ("qs", "i1", (Q8_BLOCK,))])
    blocks["d"] = scale.astype(np.float16)
    blocks["qs"] = q
    return blocks.tobytes()


def dequantize_q8_0(data: bytes, count: int) -> np.ndarray:
    blocks = np.frombuffer(data, dtype=[("d", "<f2"), ("qs", "i1", (Q8_BLOCK,))], count=count // Q8_BLOCK)
    return (blocks["qs"].astype(np.float32) * blocks["d"].astype(np.float32)[:, None]).reshape(-1)


class GgufWriter:
    """Collects metadata and tensors, then writes the file in one go."""

    def __init__(self):
        self.metadata = []
        self.tensors = []

    def add(self, key: str, value_type: int, value, item_type: int | None = None):
        self.metadata.append((key, value_type, value, item_type))

    def string(self, key, value):
        self.add(key, STRING, value)

    def u32(self, key, value):
        self.add(key, U32, int(value))

    def f32(self, key, value):
        self.add(key, F32, float(value))

    def boolean(self, key, value):
        self.add(key, BOOL, bool(value))

    def array(self, key, item_type, values):
        self.add(key, ARRAY, list(values), item_type)

    def tensor(self, name: str, array: np.ndarray, kind: str = "f32"):
        """`array` in PyTorch's shape (outermost first); GGUF stores the dims innermost first."""
        array = np.ascontiguousarray(array, dtype=np.float32)
        if kind == "q8_0" and (array.ndim != 2 or array.shape[-1] % Q8_BLOCK):
            kind = "f32"  # norms and odd shapes stay exact, as llama.cpp's quantizer does
        if kind == "f16" and array.ndim != 2:
            kind = "f32"
        data = quantize_q8_0(array) if kind == "q8_0" else array.astype(np.float16).tobytes() if kind == "f16" else array.tobytes()
        self.tensors.append((name, list(reversed(array.shape)), TYPE_OF[kind], data))

    def write(self, path: str):
        out = bytearray()
        out += b"GGUF" + struct.pack("<IQQ", 3, len(self.tensors), len(self.metadata))
        for key, value_type, value, item_type in self.metadata:
            out += _string(key) + struct.pack("<I", value_type) + _value(value_type, value, item_type)
        offset = 0
        for name, dims, ggml_type, data in self.tensors:
            out += _string(name) + struct.pack("<I", len(dims)) + b"".join(struct.pack("<Q", d) for d in dims)
            out += struct.pack("<IQ", ggml_type, offset)
            offset += _align(len(data))
        out += b"\0" * (_align(len(out)) - len(out))
        for _, _, _, data in self.tensors:
            out += data + b"\0" * (_align(len(data)) - len(data))
        tmp = f"{path}.tmp"
        with open(tmp, "wb") as f:
            f.write(out)
        os.replace(tmp, path)


def _align(n: int) -> int:
    return (n + ALIGNMENT - 1) // ALIGNMENT * ALIGNMENT


def _string(text: str) -> bytes:
    raw = text.encode("utf-8")
    return struct.pack("<Q", len(raw)) + raw


def _value(value_type: int, value, item_type=None) -> bytes:
    if value_type == STRING:
        return _string(value)
    if value_type == ARRAY:
        if item_type == U8 and isinstance(value, (bytes, bytearray)):
            return struct.pack("<IQ", U8, len(value)) + bytes(value)
        return struct.pack("<IQ", item_type, len(value)) + b"".join(_value(item_type, v) for v in value)
    return struct.pack(_SCALAR[value_type], value)


class GgufFile:
    """A GGUF file read back: `metadata` (key → value) and `tensor(name)` as float32 in PyTorch's shape."""

    def __init__(self, path: str):
        with open(path, "rb") as f:
            self.raw = f.read()
        self.pos = 0
        if self.raw[:4] != b"GGUF":
            raise ValueError(f"{path} is not a GGUF file")
        self.pos = 4
        version, n_tensors, n_meta = self._unpack("<IQQ")
        if version not in (2, 3):
            raise ValueError(f"{path}: GGUF version {version} is not supported")
        self.metadata = {}
        for _ in range(n_meta):
            key = self._string()
            (value_type,) = self._unpack("<I")
            self.metadata[key] = self._read_value(value_type)
        self.infos = {}
        for _ in range(n_tensors):
            name = self._string()
            (n_dims,) = self._unpack("<I")
            dims = list(self._unpack(f"<{n_dims}Q"))
            ggml_type, offset = self._unpack("<IQ")
            self.infos[name] = (dims, ggml_type, offset)
        alignment = int(self.metadata.get("general.alignment", ALIGNMENT))
        self.data_start = (self.pos + alignment - 1) // alignment * alignment

    def tensor(self, name: str) -> np.ndarray:
        dims, ggml_type, offset = self.infos[name]
        count = int(np.prod(dims))
        start = self.data_start + offset
        if ggml_type == GGML_F32:
            flat = np.frombuffer(self.raw, dtype="<f4", count=count, offset=start)
        elif ggml_type == GGML_F16:
            flat = np.frombuffer(self.raw, dtype="<f2", count=count, offset=start).astype(np.float32)
        elif ggml_type == GGML_Q8_0:
            flat = dequantize_q8_0(self.raw[start:start + count // Q8_BLOCK * 34], count)
        else:
            raise ValueError(f"tensor {name}: ggml type {ggml_type} is not supported here")
        return flat.reshape(list(reversed(dims))).copy()

    def _unpack(self, fmt):
        values = struct.unpack_from(fmt, self.raw, self.pos)
        self.pos += struct.calcsize(fmt)
        return values

    def _string(self):
        (n,) = self._unpack("<Q")
        text = self.raw[self.pos:self.pos + n].decode("utf-8")
        self.pos += n
        return text

    def _read_value(self, value_type):
        if value_type == STRING:
            return self._string()
        if value_type == ARRAY:
            item_type, n = self._unpack("<IQ")
            if item_type == U8:
                data = self.raw[self.pos:self.pos + n]
                self.pos += n
                return bytes(data)
            return [self._read_value(item_type) for _ in range(n)]
        (value,) = self._unpack(_SCALAR[value_type])
        return value
