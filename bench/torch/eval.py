#!/usr/bin/env python3
"""Recompute `planc eval`'s loss of a checkpoint with PyTorch, from the
definitions of README.md ("Data and planc eval") and docs/semantics.md only.

The layout is read from the checkpoint's tensor names (docs/semantics.md,
sections 2 and 3): learned positions when `wpe` is present, RoPE otherwise
(half-split on each head; MLA: on each head's last qk_rope_head_dim
columns and on the shared rotary key); LayerNorm when `h.N.ln1.bias` is
present, RMSNorm otherwise (eps inside the root); a gated FFN (SwiGLU,
fc1's columns gate then up) when fc1 has twice fc2's rows, the tanh-GELU
one otherwise; biases when they are present; multi-head latent attention
when `h.N.attn.kv_down.weight` is present (query and key/value latents,
their RMSNorms, the up projections, scores scaled by 1/sqrt(nope + rope));
an MoE FFN when `h.N.moe.router.weight` is present (shared experts on
every token plus the top-k routed experts, chosen by their score plus the
checkpoint's selection bias `h.N.moe.balance_bias` when it has one,
weighted without it). Linear weights are stored [in, out]: y = x·W. All
arithmetic is float64.

What the checkpoint does not say (heads, routing) comes from the arguments:

    eval.py CHECKPOINT DATA_FILE WINDOWS SEQ HEADS [KV_HEADS]
            [--topk K] [--router softmax|sigmoid] [--normalize-topk]
            [--groups G --topk-groups M] [--mlp swiglu|geglu]
            [--rope-theta T] [--norm-eps E]

prints the mean loss over the first WINDOWS windows of the file's bytes;
`eval.py --model-of CHECKPOINT` prints the model named in its metadata.
tiny_deepseek (stdlib/models/tiny_arch.plan):

    eval.py CKPT DATA 16 64 4 --topk 2 --router sigmoid --normalize-topk \\
            --groups 4 --topk-groups 2
"""
import argparse
import json
import struct
import sys

import torch
import torch.nn.functional as F


def header(path):
    """The JSON header of a safetensors file."""
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        return json.loads(f.read(n))


def load(path):
    """The float32 tensors of a safetensors file, by name, as float64."""
    b = open(path, "rb").read()
    n = struct.unpack("<Q", b[:8])[0]
    header = json.loads(b[8:8 + n])
    data = b[8 + n:]
    out = {}
    for name, v in header.items():
        if name == "__metadata__" or name.startswith("optim."):
            continue
        if v["dtype"] != "F32":
            raise SystemExit(f"eval.py: {name} is {v['dtype']}, want F32")
        lo, hi = v["data_offsets"]
        t = torch.frombuffer(bytearray(data[lo:hi]), dtype=torch.float32)
        out[name] = t.reshape(v["shape"]).double()
    return out


def rmsnorm(x, g, eps):
    return x * torch.rsqrt((x * x).mean(-1, keepdim=True) + eps) * g


def rope(x, theta):
    """Half-split rotation of [..., T, d] at positions 0..T-1."""
    T, d = x.shape[-2], x.shape[-1]
    half = d // 2
    inv = theta ** (-torch.arange(half, dtype=torch.float64) * 2 / d)
    ang = torch.arange(T, dtype=torch.float64)[:, None] * inv[None, :]
    c, s = torch.cos(ang), torch.sin(ang)
    a, b = x[..., :half], x[..., half:]
    return torch.cat([a * c - b * s, b * c + a * s], dim=-1)


def attention(q, k, v):
    """Causal softmax attention of [heads, T, d]; k and v may have fewer
    heads (query head j uses key/value head j // (heads/kv))."""
    g = q.shape[0] // k.shape[0]
    k, v = k.repeat_interleave(g, 0), v.repeat_interleave(g, 0)
    T, d = q.shape[1], q.shape[2]
    s = q @ k.transpose(1, 2) / d ** 0.5
    s = s.masked_fill(torch.triu(torch.ones(T, T, dtype=torch.bool), 1), float("-inf"))
    return torch.softmax(s, -1) @ v


class Model:
    """The checkpoint's weights and the layout their names say."""

    def __init__(self, w, args):
        self.w, self.a = w, args
        self.h = w["wte"].shape[1]
        self.learned_pos = "wpe" in w
        self.layernorm = "h.0.ln1.bias" in w

    def norm(self, x, prefix):
        w, eps = self.w, self.a.norm_eps
        if self.layernorm:
            return F.layer_norm(x, (x.shape[-1],), w[prefix + ".weight"], w[prefix + ".bias"], eps)
        return rmsnorm(x, w[prefix + ".weight"], eps)

    def linear(self, x, prefix):
        y = x @ self.w[prefix + ".weight"]
        b = self.w.get(prefix + ".bias")
        return y if b is None else y + b

    def ffn(self, x, prefix):
        """A dense FFN: gated (act(gate)·up, act silu or, with --mlp geglu,
        the tanh GELU) when fc1 has twice fc2's rows, tanh GELU otherwise."""
        u = self.linear(x, prefix + ".fc1")
        f = self.w[prefix + ".fc2.weight"].shape[0]
        if u.shape[1] == 2 * f:
            gate = F.gelu(u[:, :f], approximate="tanh") if self.a.mlp == "geglu" else F.silu(u[:, :f])
            u = gate * u[:, f:]
        else:
            u = F.gelu(u, approximate="tanh")
        return self.linear(u, prefix + ".fc2")

    def mha(self, x, p):
        """Multi-head (or grouped-query) attention on fused qkv columns."""
        heads, kv, T = self.a.heads, self.a.kv_heads, x.shape[0]
        qkv = self.linear(x, p + "attn.qkv")
        d = qkv.shape[1] // (heads + 2 * kv)
        if (heads + 2 * kv) * d != qkv.shape[1] or self.w[p + "attn.out.weight"].shape[0] != heads * d:
            raise SystemExit(f"eval.py: {p}attn.qkv.weight {list(qkv.shape[1:])} columns are not "
                             f"{heads} query + 2x{kv} key/value heads: check HEADS and KV_HEADS")
        q = qkv[:, :heads * d].reshape(T, heads, d).transpose(0, 1)
        k = qkv[:, heads * d:(heads + kv) * d].reshape(T, kv, d).transpose(0, 1)
        v = qkv[:, (heads + kv) * d:].reshape(T, kv, d).transpose(0, 1)
        if not self.learned_pos:
            q, k = rope(q, self.a.rope_theta), rope(k, self.a.rope_theta)
        o = attention(q, k, v).transpose(0, 1).reshape(T, heads * d)
        return self.linear(o, p + "attn.out")

    def mla(self, x, p):
        """Multi-head latent attention (docs/semantics.md, "Multi-head
        latent attention"): widths read from the projections' shapes."""
        w, a, T, theta = self.w, self.a.heads, x.shape[0], self.a.rope_theta
        c = w[p + "attn.kv_norm.weight"].shape[0]
        r = w[p + "attn.kv_down.weight"].shape[1] - c
        if p + "attn.q_down.weight" in w:
            q = self.linear(self.norm(self.linear(x, p + "attn.q_down"), p + "attn.q_norm"), p + "attn.q_up")
        else:
            q = self.linear(x, p + "attn.q")
        n = q.shape[1] // a - r
        if q.shape[1] % a or n < 0 or w[p + "attn.kv_up.weight"].shape[1] % a:
            raise SystemExit(f"eval.py: {p}attn's projections do not split into {a} heads: check HEADS")
        q = q.reshape(T, a, n + r).transpose(0, 1)
        q = torch.cat([q[..., :n], rope(q[..., n:], theta)], -1)
        down = self.linear(x, p + "attn.kv_down")
        ckv, kr = down[:, :c], rope(down[:, c:], theta)
        kv = self.linear(self.norm(ckv, p + "attn.kv_norm"), p + "attn.kv_up")
        v_dim = kv.shape[1] // a - n
        kv = kv.reshape(T, a, n + v_dim).transpose(0, 1)
        k = torch.cat([kv[..., :n], kr.expand(a, T, r)], -1)
        o = attention(q, k, kv[..., n:]).transpose(0, 1).reshape(T, a * v_dim)
        return self.linear(o, p + "attn.out")

    def route(self, x, p):
        """Each token's chosen experts [T, k] and their output weights."""
        args, w = self.a, self.w
        z = x @ w[p + "moe.router.weight"]
        E = z.shape[1]
        score = torch.sigmoid(z) if args.router == "sigmoid" else torch.softmax(z, -1)
        beta = w.get(p + "moe.balance_bias", torch.zeros(E, dtype=torch.float64))
        sel = score + beta
        if args.groups > 1:
            G, size = args.groups, E // args.groups
            grouped = sel.reshape(-1, G, size)
            if args.router == "sigmoid":
                top = torch.sort(grouped, dim=-1, descending=True, stable=True).values
                gscore = top[..., :2].sum(-1) if size > 1 else top[..., 0]
            else:
                gscore = grouped.max(-1).values
            keep = torch.sort(gscore, dim=-1, descending=True, stable=True).indices[:, :args.topk_groups]
            allowed = torch.zeros_like(gscore, dtype=torch.bool).scatter(1, keep, True)
            sel = sel.masked_fill(~allowed.repeat_interleave(size, 1), float("-inf"))
        chosen = torch.sort(sel, dim=-1, descending=True, stable=True).indices[:, :args.topk]
        weight = score.gather(1, chosen)
        if args.normalize_topk:
            weight = weight / weight.sum(-1, keepdim=True)
        return chosen, weight

    def moe(self, x, p):
        """Shared experts on every token plus the weighted routed experts."""
        out = torch.zeros_like(x)
        j = 0
        while f"{p}moe.shared.{j}.fc1.weight" in self.w:
            out = out + self.ffn(x, f"{p}moe.shared.{j}")
            j += 1
        chosen, weight = self.route(x, p)
        E = self.w[p + "moe.router.weight"].shape[1]
        for e in range(E):
            rows, slot = (chosen == e).nonzero(as_tuple=True)
            if rows.numel():
                y = self.ffn(x[rows], f"{p}moe.experts.{e}")
                out = out.index_add(0, rows, weight[rows, slot, None] * y)
        return out

    def loss(self, ids, tgt):
        w = self.w
        T = ids.shape[0]
        x = w["wte"][ids] + (w["wpe"][:T] if self.learned_pos else 0)
        layer = 0
        while f"h.{layer}.ln1.weight" in w:
            p = f"h.{layer}."
            a = self.norm(x, p + "ln1")
            x = x + (self.mla(a, p) if p + "attn.kv_down.weight" in w else self.mha(a, p))
            a = self.norm(x, p + "ln2")
            x = x + (self.moe(a, p) if p + "moe.router.weight" in w else self.ffn(a, p + "mlp"))
            layer += 1
        x = self.norm(x, "ln_f")
        logits = x @ (w["lm_head.weight"] if "lm_head.weight" in w else w["wte"].T)
        return F.cross_entropy(logits, tgt).item()


def parse(argv):
    ap = argparse.ArgumentParser(prog="eval.py", description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("checkpoint")
    ap.add_argument("data")
    ap.add_argument("windows", type=int)
    ap.add_argument("seq", type=int)
    ap.add_argument("heads", type=int)
    ap.add_argument("kv_heads", type=int, nargs="?", help="default: HEADS")
    ap.add_argument("--topk", type=int, default=0, help="routed experts per token (MoE models)")
    ap.add_argument("--router", choices=("softmax", "sigmoid"), default="softmax")
    ap.add_argument("--normalize-topk", action="store_true",
                    help="divide the chosen experts' scores by their sum")
    ap.add_argument("--groups", type=int, default=1, help="expert groups (group-limited routing)")
    ap.add_argument("--topk-groups", type=int, default=0, help="groups each token may use")
    ap.add_argument("--mlp", choices=("swiglu", "geglu"), default="swiglu",
                    help="the gated FFNs' activation (a checkpoint does not say)")
    ap.add_argument("--rope-theta", type=float, default=10000.0)
    ap.add_argument("--norm-eps", type=float, default=1e-5)
    args = ap.parse_args(argv)
    if args.kv_heads is None:
        args.kv_heads = args.heads
    for name in ("windows", "seq", "heads", "kv_heads"):
        if getattr(args, name) <= 0:
            ap.error(f"{name.upper()} must be positive, got {getattr(args, name)}")
    if args.heads % args.kv_heads:
        ap.error(f"HEADS ({args.heads}) must be a multiple of KV_HEADS ({args.kv_heads})")
    if args.groups < 1 or (args.groups > 1 and not 0 < args.topk_groups <= args.groups):
        ap.error("--groups G needs 0 < --topk-groups <= G")
    return args


def main(argv):
    if argv[:1] == ["--model-of"]:
        if len(argv) != 2:
            raise SystemExit("usage: eval.py --model-of CHECKPOINT")
        print(header(argv[1]).get("__metadata__", {}).get("model", ""))
        return
    args = parse(argv)
    w = load(args.checkpoint)
    model = Model(w, args)
    moe = [n for n in w if n.endswith("moe.router.weight")]
    if moe:
        E = w[moe[0]].shape[1]
        if not 0 < args.topk <= E:
            raise SystemExit(f"eval.py: the checkpoint has MoE layers of {E} experts: give --topk K (1..{E})")
        if E % args.groups:
            raise SystemExit(f"eval.py: --groups {args.groups} does not divide the {E} experts")
    toks = torch.tensor(list(open(args.data, "rb").read()), dtype=torch.long)
    seq, windows = args.seq, args.windows
    if windows * (seq + 1) > toks.numel():
        raise SystemExit(f"eval.py: {windows} windows of {seq + 1} tokens need more than the data's {toks.numel()}")
    total = 0.0
    for i in range(windows):
        win = toks[i * (seq + 1):(i + 1) * (seq + 1)]
        total += model.loss(win[:-1], win[1:])
    print(f"{total / windows:.9f}")


if __name__ == "__main__":
    main(sys.argv[1:])
