"""hark's intent model: a small Llama (RMSNorm, rotary positions on adjacent pairs as llama.cpp's "norm" RoPE,
SwiGLU feed-forward, grouped-query attention, output tied to the token embedding), its LoRA wrapper, and the
conversion to and from llama.cpp's GGUF tensor names.
"""
import math
from dataclasses import asdict, dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn


@dataclass
class ModelConfig:
    vocab: int
    dim: int = 256
    layers: int = 6
    heads: int = 8
    kv_heads: int = 4
    hidden: int = 704
    max_len: int = 256
    rope_theta: float = 10000.0
    eps: float = 1e-5

    @property
    def head_dim(self) -> int:
        return self.dim // self.heads

    def as_dict(self):
        return asdict(self)


class RMSNorm(nn.Module):
    def __init__(self, dim, eps):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


class LoraLinear(nn.Module):
    """A frozen linear layer plus a trainable low-rank update B·A scaled by alpha / rank (llama.cpp's convention)."""

    def __init__(self, base: nn.Linear, rank: int, alpha: float):
        super().__init__()
        self.base = base
        self.rank = rank
        self.alpha = alpha
        self.lora_a = nn.Parameter(torch.randn(rank, base.in_features) / math.sqrt(base.in_features))
        self.lora_b = nn.Parameter(torch.zeros(base.out_features, rank))

    def forward(self, x):
        return self.base(x) + (x @ self.lora_a.t() @ self.lora_b.t()) * (self.alpha / self.rank)


def rope_tables(cfg: ModelConfig):
    freqs = 1.0 / (cfg.rope_theta ** (torch.arange(0, cfg.head_dim, 2).float() / cfg.head_dim))
    angles = torch.outer(torch.arange(cfg.max_len).float(), freqs)
    return angles.cos(), angles.sin()


def apply_rope(x, cos, sin):
    # x: (batch, time, heads, head_dim); rotates (x0, x1), (x2, x3), ... like ggml's normal RoPE mode.
    pairs = x.float().reshape(*x.shape[:-1], -1, 2)
    a, b = pairs[..., 0], pairs[..., 1]
    cos = cos[: x.shape[1]][None, :, None, :]
    sin = sin[: x.shape[1]][None, :, None, :]
    return torch.stack((a * cos - b * sin, a * sin + b * cos), dim=-1).reshape(x.shape).type_as(x)


class Block(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.cfg = cfg
        kv_dim = cfg.kv_heads * cfg.head_dim
        self.attn_norm = RMSNorm(cfg.dim, cfg.eps)
        self.attn_q = nn.Linear(cfg.dim, cfg.dim, bias=False)
        self.attn_k = nn.Linear(cfg.dim, kv_dim, bias=False)
        self.attn_v = nn.Linear(cfg.dim, kv_dim, bias=False)
        self.attn_output = nn.Linear(cfg.dim, cfg.dim, bias=False)
        self.ffn_norm = RMSNorm(cfg.dim, cfg.eps)
        self.ffn_gate = nn.Linear(cfg.dim, cfg.hidden, bias=False)
        self.ffn_up = nn.Linear(cfg.dim, cfg.hidden, bias=False)
        self.ffn_down = nn.Linear(cfg.hidden, cfg.dim, bias=False)

    def forward(self, x, cos, sin, mask):
        cfg = self.cfg
        batch, time, _ = x.shape
        h = self.attn_norm(x)
        q = apply_rope(self.attn_q(h).view(batch, time, cfg.heads, cfg.head_dim), cos, sin)
        k = apply_rope(self.attn_k(h).view(batch, time, cfg.kv_heads, cfg.head_dim), cos, sin)
        v = self.attn_v(h).view(batch, time, cfg.kv_heads, cfg.head_dim)
        repeat = cfg.heads // cfg.kv_heads
        k = k.repeat_interleave(repeat, dim=2)
        v = v.repeat_interleave(repeat, dim=2)
        q, k, v = (t.transpose(1, 2) for t in (q, k, v))
        scores = (q @ k.transpose(-1, -2)) / math.sqrt(cfg.head_dim) + mask[:time, :time]
        attn = (scores.softmax(-1) @ v).transpose(1, 2).reshape(batch, time, cfg.dim)
        x = x + self.attn_output(attn)
        h = self.ffn_norm(x)
        return x + self.ffn_down(F.silu(self.ffn_gate(h)) * self.ffn_up(h))


class IntentModel(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.cfg = cfg
        self.token_embd = nn.Embedding(cfg.vocab, cfg.dim)
        self.blocks = nn.ModuleList(Block(cfg) for _ in range(cfg.layers))
        self.output_norm = RMSNorm(cfg.dim, cfg.eps)
        cos, sin = rope_tables(cfg)
        self.register_buffer("cos", cos, persistent=False)
        self.register_buffer("sin", sin, persistent=False)
        mask = torch.full((cfg.max_len, cfg.max_len), float("-inf")).triu(1)
        self.register_buffer("mask", mask, persistent=False)
        self.apply(self._init)

    @staticmethod
    def _init(module):
        if isinstance(module, (nn.Linear, nn.Embedding)):
            nn.init.normal_(module.weight, std=0.02)

    def hidden(self, tokens):
        """The last layer's normalised states, before the output projection."""
        x = self.token_embd(tokens)
        for block in self.blocks:
            x = block(x, self.cos, self.sin, self.mask)
        return self.output_norm(x)

    def logits(self, hidden):
        return hidden @ self.token_embd.weight.t()

    def forward(self, tokens):
        return self.logits(self.hidden(tokens))

    def parameter_count(self) -> int:
        return sum(p.numel() for p in self.parameters())


LINEAR_NAMES = ["attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down"]


def gguf_tensors(model: IntentModel):
    """(GGUF name, float32 array in PyTorch's shape) for every weight, in llama.cpp's naming."""
    out = [("token_embd.weight", model.token_embd.weight)]
    for i, block in enumerate(model.blocks):
        out.append((f"blk.{i}.attn_norm.weight", block.attn_norm.weight))
        for name in LINEAR_NAMES[:4]:
            out.append((f"blk.{i}.{name}.weight", _linear(getattr(block, name)).weight))
        out.append((f"blk.{i}.ffn_norm.weight", block.ffn_norm.weight))
        for name in LINEAR_NAMES[4:]:
            out.append((f"blk.{i}.{name}.weight", _linear(getattr(block, name)).weight))
    out.append(("output_norm.weight", model.output_norm.weight))
    return [(name, t.detach().float().cpu().numpy()) for name, t in out]


def load_gguf_weights(model: IntentModel, gguf) -> None:
    """Copies a GGUF file's weights (dequantized) into `model`."""
    with torch.no_grad():
        for name, array in gguf_tensors(model):
            target = _parameter(model, name)
            target.copy_(torch.from_numpy(gguf.tensor(name)).reshape(target.shape))


def _linear(module):
    return module.base if isinstance(module, LoraLinear) else module


def _parameter(model: IntentModel, name: str):
    if name == "token_embd.weight":
        return model.token_embd.weight
    if name == "output_norm.weight":
        return model.output_norm.weight
    _, index, layer, _ = name.split(".")
    module = getattr(model.blocks[int(index)], layer)
    return _linear(module).weight if layer in LINEAR_NAMES else module.weight


def add_lora(model: IntentModel, rank: int, alpha: float, targets=LINEAR_NAMES):
    """Freezes the model and wraps the target linear layers of every block with LoRA."""
    for p in model.parameters():
        p.requires_grad_(False)
    for block in model.blocks:
        for name in targets:
            setattr(block, name, LoraLinear(getattr(block, name), rank, alpha))


def lora_tensors(model: IntentModel):
    """(GGUF name, array) pairs of a LoRA adapter: W.lora_a is (rank, in) and W.lora_b (out, rank) in PyTorch order."""
    out = []
    for i, block in enumerate(model.blocks):
        for name in LINEAR_NAMES:
            module = getattr(block, name)
            if isinstance(module, LoraLinear):
                out.append((f"blk.{i}.{name}.weight.lora_a", module.lora_a.detach().float().numpy()))
                out.append((f"blk.{i}.{name}.weight.lora_b", module.lora_b.detach().float().numpy()))
    return out


def config_from_gguf(metadata) -> ModelConfig:
    arch = metadata["general.architecture"]
    return ModelConfig(
        vocab=len(metadata["tokenizer.ggml.tokens"]),
        dim=int(metadata[f"{arch}.embedding_length"]),
        layers=int(metadata[f"{arch}.block_count"]),
        heads=int(metadata[f"{arch}.attention.head_count"]),
        kv_heads=int(metadata[f"{arch}.attention.head_count_kv"]),
        hidden=int(metadata[f"{arch}.feed_forward_length"]),
        max_len=int(metadata[f"{arch}.context_length"]),
        rope_theta=float(metadata.get(f"{arch}.rope.freq_base", 10000.0)),
        eps=float(metadata[f"{arch}.attention.layer_norm_rms_epsilon"]),
    )


__all__ = ["ModelConfig", "IntentModel", "gguf_tensors", "load_gguf_weights", "add_lora", "lora_tensors", "config_from_gguf", "np"]
