#!/usr/bin/python3
"""Trains hark's intent model and its LoRA adapters; `hark train` runs this (Python is offline tooling only).

  train.py base --data DIR --out DIR [--preset small|tiny] [--steps N] [--seed S]
      SentencePiece BPE tokenizer + a small Llama trained on DIR/train.jsonl ({"input", "output"} lines), exported
      as GGUF in f32 and Q8_0. Prints one JSON object per line: progress, then the result.
  train.py lora --base MODEL.gguf --data DIR --out ADAPTER.gguf [--rank R] [--steps N] [--seed S]
      A LoRA adapter on the base model's (dequantized) weights, trained on DIR/train.jsonl.
  train.py predict --model MODEL.gguf [--lora ADAPTER.gguf] --inputs FILE
      For each input line: the token ids, the greedy next token after the prompt and its logit margin, and the whole
      greedy answer (no grammar). For the parity test against llama.cpp.
"""
import argparse
import hashlib
import json
import math
import os
import random
import sys
import tempfile
import time

import numpy as np
import sentencepiece as spm
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gguf import FILE_TYPES, STRING, U8, GgufFile, GgufWriter, F32, I32  # noqa: E402
from model import IntentModel, ModelConfig, add_lora, config_from_gguf, gguf_tensors, load_gguf_weights, lora_tensors  # noqa: E402

PROMPT_FORMAT = "hark-call-v1"
# Longest training sequence (prompt + answer); the model's context (ModelConfig.max_len) is larger.
MAX_TOKENS = 96
SEPARATOR = "<call>"
PRESETS = {
    # Measured on a 2-core x86-64: see models/hark-intent-v1.md.
    "small": dict(vocab=2048, dim=192, layers=4, heads=6, kv_heads=2, hidden=512, steps=4000, batch=64, lr=2e-3),
    "tiny": dict(vocab=320, dim=64, layers=2, heads=4, kv_heads=2, hidden=128, steps=20, batch=16, lr=3e-3),
}


def emit(**fields):
    print(json.dumps(fields), flush=True)


def set_seed(seed: int):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def read_pairs(data_dir: str):
    """(input, output, intent) triples from DIR/train.jsonl."""
    pairs = []
    with open(os.path.join(data_dir, "train.jsonl"), encoding="utf-8") as f:
        for line in f:
            if line.strip():
                item = json.loads(line)
                pairs.append((item["input"], item["output"], item.get("intent")))
    if not pairs:
        raise SystemExit(f"{data_dir}/train.jsonl has no training pairs")
    return pairs


SYLLABLES = ["ka", "lo", "mi", "ren", "tor", "sa", "vel", "on", "bri", "dun", "ex", "ia", "mor", "pol", "qui", "zen",
             "ath", "ul", "gri", "shu", "nd", "ev", "ox", "lyn", "be", "cha", "fi", "gu", "ho", "jo", "pe", "wi"]


class ValueSwapper:
    """Training-time augmentation. A wildcard slot's value (a place, a song, a timer's name) is replaced, in the
    sentence and in the answer alike, by a phrase made up on the spot: known words in odd company or new words built
    from syllables. The model then meets values it cannot know at every step and has to learn to copy them from the
    sentence; trained on a fixed set of names it learns them by heart and respells the ones it never saw."""

    def __init__(self, wildcards: dict, pairs, share: float, seed: int):
        self.wildcards = wildcards
        self.share = share
        self.rng = random.Random(seed + 13)
        self.words = sorted({w for text, _, _ in pairs for w in text.split() if w.isalpha()})

    def phrase(self) -> str:
        rng = self.rng
        made = lambda: "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 4)))  # noqa: E731
        return " ".join(rng.choice(self.words) if self.words and rng.random() < 0.4 else made() for _ in range(rng.choice((1, 1, 2, 2, 3, 4))))

    def __call__(self, text: str, call: str, intent):
        slots = self.wildcards.get(intent or "", [])
        if not slots or self.share <= 0:
            return text, call
        answer = json.loads(call)
        args = answer.get("arguments") or {}
        padded = f" {text} "
        changed = False
        for slot in slots:
            value = args.get(slot)
            if not isinstance(value, str) or self.rng.random() >= self.share:
                continue
            needle = f" {value.strip()} "
            if needle == "  " or padded.count(needle) != 1:
                continue
            fresh = self.phrase()
            padded = padded.replace(needle, f" {fresh} ")
            args[slot] = f" {fresh} "
            changed = True
        if not changed:
            return text, call
        return padded[1:-1], json.dumps(answer, separators=(",", ":"), ensure_ascii=False)


def file_sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def train_tokenizer(pairs, vocab: int, seed: int) -> bytes:
    """A SentencePiece BPE model over inputs and outputs; digits split, no added leading space, bytes as fallback."""
    with tempfile.TemporaryDirectory() as tmp:
        corpus = os.path.join(tmp, "corpus.txt")
        with open(corpus, "w", encoding="utf-8") as f:
            for text, call, _ in pairs:
                f.write(f" {text}\n{call}\n")
        prefix = os.path.join(tmp, "spm")
        spm.SentencePieceTrainer.train(
            input=corpus, model_prefix=prefix, model_type="bpe", vocab_size=vocab, character_coverage=1.0,
            byte_fallback=True, split_digits=True, add_dummy_prefix=False, normalization_rule_name="identity", remove_extra_whitespaces=False,
            unk_id=0, bos_id=1, eos_id=2, pad_id=-1, control_symbols=[SEPARATOR],
            input_sentence_size=0, shuffle_input_sentence=False, num_threads=1, minloglevel=2)
        with open(f"{prefix}.model", "rb") as f:
            return f.read()


def load_tokenizer(proto: bytes):
    sp = spm.SentencePieceProcessor()
    sp.LoadFromSerializedProto(proto)
    return sp


def input_tokens(sp, text: str):
    """The sentence with a leading space, so every word is a "▁word" piece — as it is inside an answer's string
    values (" boston "): a slot value is then the very same tokens in the sentence and in the answer, and the model
    learns to copy tokens instead of respelling them."""
    return sp.encode(f" {text}")


def encode_pair(sp, text: str, call: str, max_len: int):
    """The token sequence [bos] input [sep] output [eos], and the index where the answer starts."""
    prompt = [sp.bos_id()] + input_tokens(sp, text) + [sp.piece_to_id(SEPARATOR)]
    answer = sp.encode(call) + [sp.eos_id()]
    return (prompt + answer)[:max_len], len(prompt)


def batches(sp, pairs, batch_size: int, rng: random.Random, swap):
    """Endless random batches of similar lengths (little padding), values swapped as they are drawn; the loss covers
    answer tokens only."""
    lengths = [len(encode_pair(sp, text, call, MAX_TOKENS)[0]) for text, call, _ in pairs]
    pending = []
    while True:
        if not pending:
            order = rng.sample(range(len(pairs)), len(pairs))
            for start in range(0, len(order), batch_size * 50):
                pool = sorted(order[start:start + batch_size * 50], key=lambda i: lengths[i])
                pending += [pool[i:i + batch_size] for i in range(0, len(pool), batch_size)]
            rng.shuffle(pending)
        encoded = [encode_pair(sp, *swap(*pairs[i]), MAX_TOKENS) for i in pending.pop()]
        longest = max(len(tokens) for tokens, _ in encoded)
        inputs = torch.zeros(len(encoded), longest - 1, dtype=torch.long)
        targets = torch.full((len(encoded), longest - 1), -100, dtype=torch.long)
        for row, (tokens, answer_start) in enumerate(encoded):
            t = torch.tensor(tokens)
            inputs[row, : len(tokens) - 1] = t[:-1]
            targets[row, answer_start - 1: len(tokens) - 1] = t[answer_start:]
        yield inputs, targets


def train_loop(model, sp, pairs, swap, steps: int, batch: int, lr: float, seed: int, params, label: str):
    rng = random.Random(seed)
    optimizer = torch.optim.AdamW(params, lr=lr, weight_decay=0.01, betas=(0.9, 0.98))
    warmup = max(1, steps // 20)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: min(1.0, (s + 1) / warmup) * 0.5 * (1 + math.cos(math.pi * min(1.0, s / steps))))
    stream = batches(sp, pairs, batch, rng, swap)
    model.train()
    started = time.perf_counter()
    recent = []
    for step in range(1, steps + 1):
        inputs, targets = next(stream)
        # Logits only where there is something to predict: the answer (the vocabulary projection is the costliest step).
        keep = targets.reshape(-1) != -100
        hidden = model.hidden(inputs).reshape(-1, model.cfg.dim)[keep]
        loss = torch.nn.functional.cross_entropy(model.logits(hidden), targets.reshape(-1)[keep])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()
        schedule.step()
        recent.append(loss.item())
        if step % 10 == 0 or step == steps:
            elapsed = time.perf_counter() - started
            emit(event="progress", stage=label, step=step, steps=steps, loss=round(sum(recent) / len(recent), 4), msPerStep=round(elapsed * 1000 / step, 1))
            recent = []
    model.eval()
    return (time.perf_counter() - started) * 1000 / steps


def write_model_gguf(path: str, model: IntentModel, proto: bytes, kind: str, info: dict):
    sp = load_tokenizer(proto)
    cfg = model.cfg
    w = GgufWriter()
    w.string("general.architecture", "llama")
    w.string("general.name", info["name"])
    w.string("general.description", "hark's intent model: a spoken sentence in, one tool call out (JSON)")
    w.u32("general.file_type", FILE_TYPES[kind])
    w.u32("general.alignment", 32)
    w.u32("llama.context_length", cfg.max_len)
    w.u32("llama.embedding_length", cfg.dim)
    w.u32("llama.block_count", cfg.layers)
    w.u32("llama.feed_forward_length", cfg.hidden)
    w.u32("llama.attention.head_count", cfg.heads)
    w.u32("llama.attention.head_count_kv", cfg.kv_heads)
    w.u32("llama.rope.dimension_count", cfg.head_dim)
    w.f32("llama.rope.freq_base", cfg.rope_theta)
    w.f32("llama.attention.layer_norm_rms_epsilon", cfg.eps)
    w.u32("llama.vocab_size", cfg.vocab)
    w.string("tokenizer.ggml.model", "llama")
    pieces = [sp.id_to_piece(i) for i in range(sp.get_piece_size())]
    w.array("tokenizer.ggml.tokens", STRING, pieces)
    w.array("tokenizer.ggml.scores", F32, [sp.get_score(i) for i in range(len(pieces))])
    w.array("tokenizer.ggml.token_type", I32, [token_type(sp, i) for i in range(len(pieces))])
    w.u32("tokenizer.ggml.bos_token_id", sp.bos_id())
    w.u32("tokenizer.ggml.eos_token_id", sp.eos_id())
    w.u32("tokenizer.ggml.unknown_token_id", sp.unk_id())
    w.boolean("tokenizer.ggml.add_bos_token", True)
    w.boolean("tokenizer.ggml.add_eos_token", False)
    w.boolean("tokenizer.ggml.add_space_prefix", False)
    w.string("hark.prompt_format", PROMPT_FORMAT)
    w.u32("hark.separator_token_id", sp.piece_to_id(SEPARATOR))
    w.array("hark.tokenizer.sentencepiece", U8, proto)
    for key in ("data_hash", "seed", "recipe", "intents"):
        if key in info:
            w.string(f"hark.{key}", str(info[key]))
    for name, array in gguf_tensors(model):
        w.tensor(name, array, kind)
    w.write(path)


def token_type(sp, i: int) -> int:
    # llama.cpp token types: 1 normal, 2 unknown, 3 control, 6 byte.
    if sp.is_unknown(i):
        return 2
    if sp.is_control(i):
        return 3
    if sp.is_byte(i):
        return 6
    return 1


def load_gguf_model(path: str):
    gguf = GgufFile(path)
    if gguf.metadata.get("hark.prompt_format") != PROMPT_FORMAT:
        raise SystemExit(f"{path} is not a hark intent model (no hark.prompt_format {PROMPT_FORMAT}); LoRA training needs one")
    model = IntentModel(config_from_gguf(gguf.metadata))
    load_gguf_weights(model, gguf)
    model.eval()
    return model, load_tokenizer(gguf.metadata["hark.tokenizer.sentencepiece"]), gguf


def command_base(args):
    preset = dict(PRESETS[args.preset])
    steps = args.steps or preset["steps"]
    set_seed(args.seed)
    pairs = read_pairs(args.data)
    started = time.perf_counter()
    proto = train_tokenizer(pairs, preset["vocab"], args.seed)
    sp = load_tokenizer(proto)
    cfg = ModelConfig(vocab=sp.get_piece_size(), dim=preset["dim"], layers=preset["layers"], heads=preset["heads"],
                      kv_heads=preset["kv_heads"], hidden=preset["hidden"])
    data = data_info(args.data)
    swap = ValueSwapper(data.get("wildcards", {}), pairs, args.swap, args.seed)
    model = IntentModel(cfg)
    emit(event="start", stage="base", parameters=model.parameter_count(), pairs=len(pairs), vocab=cfg.vocab,
         tokenizerMs=round((time.perf_counter() - started) * 1000))
    ms_per_step = train_loop(model, sp, pairs, swap, steps, preset["batch"], preset["lr"], args.seed, list(model.parameters()), "base")
    os.makedirs(args.out, exist_ok=True)
    info = {"name": args.name, "data_hash": data["hash"], "seed": args.seed, "intents": json.dumps(data.get("intents", {})),
            "recipe": json.dumps({"preset": args.preset, **preset, "steps": steps, "swap": args.swap})}
    files = {}
    for kind in ("f32", "q8_0"):
        path = os.path.join(args.out, f"{args.name}.{kind}.gguf")
        write_model_gguf(path, model, proto, kind, info)
        files[kind] = {"path": path, "sha256": file_sha256(path), "bytes": os.path.getsize(path)}
    emit(event="done", stage="base", parameters=model.parameter_count(), config=cfg.as_dict(), steps=steps, msPerStep=round(ms_per_step, 1),
         trainSeconds=round(time.perf_counter() - started, 1), files=files, dataHash=info["data_hash"], seed=args.seed)


def command_lora(args):
    set_seed(args.seed)
    model, sp, gguf = load_gguf_model(args.base)
    pairs = read_pairs(args.data)
    swap = ValueSwapper(data_info(args.data).get("wildcards", {}), pairs, args.swap, args.seed)
    add_lora(model, args.rank, args.alpha)
    params = [p for p in model.parameters() if p.requires_grad]
    emit(event="start", stage="lora", parameters=sum(p.numel() for p in params), pairs=len(pairs), rank=args.rank)
    started = time.perf_counter()
    ms_per_step = train_loop(model, sp, pairs, swap, args.steps, args.batch, args.lr, args.seed, params, "lora")
    w = GgufWriter()
    w.string("general.architecture", gguf.metadata["general.architecture"])
    w.string("general.type", "adapter")
    w.string("general.name", os.path.splitext(os.path.basename(args.out))[0])
    w.string("adapter.type", "lora")
    w.f32("adapter.lora.alpha", args.alpha)
    w.string("hark.base_model_sha256", file_sha256(args.base))
    w.string("hark.data_hash", data_hash(args.data))
    for name, array in lora_tensors(model):
        w.tensor(name, array, "f32")
    w.write(args.out)
    emit(event="done", stage="lora", steps=args.steps, msPerStep=round(ms_per_step, 1), trainSeconds=round(time.perf_counter() - started, 1),
         files={"lora": {"path": args.out, "sha256": file_sha256(args.out), "bytes": os.path.getsize(args.out)}}, seed=args.seed)


def command_predict(args):
    model, sp, gguf = load_gguf_model(args.model)
    if args.lora:
        lora = GgufFile(args.lora)
        rank = lora.tensor("blk.0.attn_q.weight.lora_a").shape[0]
        add_lora(model, rank, float(lora.metadata["adapter.lora.alpha"]))
        with torch.no_grad():
            for name, _ in lora_tensors(model):
                block, layer, part = name.split(".")[1], name.split(".")[2], name.split(".")[-1]
                getattr(getattr(model.blocks[int(block)], layer), part).copy_(torch.from_numpy(lora.tensor(name)))
    sep = int(gguf.metadata["hark.separator_token_id"])
    with open(args.inputs, encoding="utf-8") as f:
        inputs = [line.rstrip("\n") for line in f if line.strip()]
    with torch.no_grad():
        for text in inputs:
            prompt = [sp.bos_id()] + input_tokens(sp, text) + [sep]
            logits = model(torch.tensor([prompt]))[0, -1]
            top = torch.topk(logits, 2)
            answer = list(prompt)
            while len(answer) < len(prompt) + args.answer_tokens:
                nxt = int(model(torch.tensor([answer]))[0, -1].argmax())
                if nxt == sp.eos_id():
                    break
                answer.append(nxt)
            emit(input=text, tokens=input_tokens(sp, text), next=int(top.indices[0]), margin=round(float(top.values[0] - top.values[1]), 4),
                 answer=sp.decode(answer[len(prompt):]))


def data_info(data_dir: str) -> dict:
    """data.json as `hark train data` writes it (hash, intents); a hash of train.jsonl when it is missing."""
    meta = os.path.join(data_dir, "data.json")
    if os.path.exists(meta):
        with open(meta, encoding="utf-8") as f:
            return json.load(f)
    return {"hash": file_sha256(os.path.join(data_dir, "train.jsonl")), "intents": {}}


def data_hash(data_dir: str) -> str:
    return data_info(data_dir)["hash"]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    base = sub.add_parser("base")
    base.add_argument("--data", required=True)
    base.add_argument("--out", required=True)
    base.add_argument("--name", default="hark-intent")
    base.add_argument("--preset", choices=sorted(PRESETS), default="small")
    base.add_argument("--steps", type=int, default=0)
    base.add_argument("--seed", type=int, default=1)
    base.add_argument("--swap", type=float, default=0.5, help="share of wildcard values swapped for made-up phrases as batches are drawn")
    lora = sub.add_parser("lora")
    lora.add_argument("--base", required=True)
    lora.add_argument("--data", required=True)
    lora.add_argument("--out", required=True)
    lora.add_argument("--rank", type=int, default=8)
    lora.add_argument("--alpha", type=float, default=16)
    lora.add_argument("--steps", type=int, default=300)
    lora.add_argument("--batch", type=int, default=32)
    lora.add_argument("--lr", type=float, default=2e-3)
    lora.add_argument("--seed", type=int, default=1)
    lora.add_argument("--swap", type=float, default=0.5, help="share of wildcard values swapped for made-up phrases as batches are drawn")
    predict = sub.add_parser("predict")
    predict.add_argument("--model", required=True)
    predict.add_argument("--lora")
    predict.add_argument("--inputs", required=True)
    predict.add_argument("--answer-tokens", type=int, default=MAX_TOKENS, help="longest greedy answer (0: the next token only)")
    parser.add_argument("--threads", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(args.threads or os.cpu_count() or 1)
    {"base": command_base, "lora": command_lora, "predict": command_predict}[args.command](args)


if __name__ == "__main__":
    main()
