#!/usr/bin/env python3
"""Recompute `planc eval`'s loss of a checkpoint with PyTorch, from the
definitions of README.md ("Data and planc eval") and docs/semantics.md only.

Dense models of both layouts planc trains: the GPT one (learned positions,
LayerNorm with bias, gelu_tanh FFN, biases, tied head) and Llama's (RMSNorm
with eps inside the root, SwiGLU with fc1's columns gate then up,
grouped-query attention, half-split RoPE on each head with theta 10000, no
biases, an untied lm_head). Linear weights are stored [in, out]: y = x·W.

Usage: eval.py CHECKPOINT DATA_FILE WINDOWS SEQ HEADS [KV_HEADS]
Prints the mean loss over the first WINDOWS windows of the file's bytes.
"""
import json
import struct
import sys

import torch
import torch.nn.functional as F


def load(path):
    """The float32 tensors of a safetensors file, by name."""
    b = open(path, "rb").read()
    n = struct.unpack("<Q", b[:8])[0]
    header = json.loads(b[8:8 + n])
    data = b[8 + n:]
    out = {}
    for name, v in header.items():
        if name == "__metadata__":
            continue
        lo, hi = v["data_offsets"]
        t = torch.frombuffer(bytearray(data[lo:hi]), dtype=torch.float32)
        out[name] = t.reshape(v["shape"]).double()
    return out


def rmsnorm(x, g, eps=1e-5):
    return x * torch.rsqrt((x * x).mean(-1, keepdim=True) + eps) * g


def rope(x, theta=10000.0):
    """Half-split rotation of [heads, T, d] at positions 0..T-1."""
    _, T, d = x.shape
    half = d // 2
    inv = theta ** (-torch.arange(half, dtype=torch.float64) * 2 / d)
    ang = torch.arange(T, dtype=torch.float64)[:, None] * inv[None, :]
    c, s = torch.cos(ang), torch.sin(ang)
    a, b = x[..., :half], x[..., half:]
    return torch.cat([a * c - b * s, b * c + a * s], dim=-1)


def attention(q, k, v):
    """Causal softmax attention of [heads, T, d]; k and v may have fewer heads."""
    g = q.shape[0] // k.shape[0]
    k, v = k.repeat_interleave(g, 0), v.repeat_interleave(g, 0)
    T, d = q.shape[1], q.shape[2]
    s = q @ k.transpose(1, 2) / d ** 0.5
    s = s.masked_fill(torch.triu(torch.ones(T, T, dtype=torch.bool), 1), float("-inf"))
    return torch.softmax(s, -1) @ v


def window_loss(w, ids, tgt, heads, kv):
    llama = "wpe" not in w
    h = w["wte"].shape[1]
    T = ids.shape[0]
    x = w["wte"][ids] + (0 if llama else w["wpe"][:T])
    d = h // heads
    layer = 0
    while f"h.{layer}.ln1.weight" in w:
        p = lambda n: w[f"h.{layer}.{n}"]
        if llama:
            a = rmsnorm(x, p("ln1.weight"))
            qkv = a @ p("attn.qkv.weight")
        else:
            a = F.layer_norm(x, (h,), p("ln1.weight"), p("ln1.bias"), 1e-5)
            qkv = a @ p("attn.qkv.weight") + p("attn.qkv.bias")
        q = qkv[:, :heads * d].reshape(T, heads, d).transpose(0, 1)
        k = qkv[:, heads * d:(heads + kv) * d].reshape(T, kv, d).transpose(0, 1)
        v = qkv[:, (heads + kv) * d:].reshape(T, kv, d).transpose(0, 1)
        if llama:
            q, k = rope(q), rope(k)
        o = attention(q, k, v).transpose(0, 1).reshape(T, heads * d) @ p("attn.out.weight")
        x = x + (o if llama else o + p("attn.out.bias"))
        if llama:
            u = rmsnorm(x, p("ln2.weight")) @ p("mlp.fc1.weight")
            f = u.shape[1] // 2
            x = x + (F.silu(u[:, :f]) * u[:, f:]) @ p("mlp.fc2.weight")
        else:
            a = F.layer_norm(x, (h,), p("ln2.weight"), p("ln2.bias"), 1e-5)
            u = F.gelu(a @ p("mlp.fc1.weight") + p("mlp.fc1.bias"), approximate="tanh")
            x = x + u @ p("mlp.fc2.weight") + p("mlp.fc2.bias")
        layer += 1
    if llama:
        logits = rmsnorm(x, w["ln_f.weight"]) @ w["lm_head.weight"]
    else:
        xf = F.layer_norm(x, (h,), w["ln_f.weight"], w["ln_f.bias"], 1e-5)
        logits = xf @ (w["lm_head.weight"] if "lm_head.weight" in w else w["wte"].T)
    return F.cross_entropy(logits, tgt).item()


def main():
    ckpt, data, windows, seq, heads = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:6])
    kv = int(sys.argv[6]) if len(sys.argv) > 6 else heads
    w = load(ckpt)
    toks = torch.tensor(list(open(data, "rb").read()), dtype=torch.long)
    total = 0.0
    for i in range(windows):
        win = toks[i * (seq + 1):(i + 1) * (seq + 1)]
        total += window_loss(w, win[:-1], win[1:], heads, kv)
    print(f"{total / windows:.6f}")


if __name__ == "__main__":
    main()
