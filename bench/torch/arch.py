#!/usr/bin/env python3
"""An independent check of planc's kernels of today's architectures.

Reads the cases that `go run ./bench/torch/archcheck` writes (inputs, the
upstream gradient, and the Go kernels' outputs and gradients) and recomputes
each from the definitions of docs/semantics.md ("Today's architectures") in
PyTorch, in float64, with autograd for the gradients. Prints one line per
case and exits 1 when any relative error (max |go - torch| / max |torch|)
exceeds the tolerance (1e-5: the Go kernels compute in float32), or when
routing chooses other experts.

    go run ./bench/torch/archcheck | python3 bench/torch/arch.py
"""
import json
import math
import sys

import torch

TOL = 1e-5
F = torch.float64


def t(v, *shape):
    return torch.tensor(v, dtype=F).reshape(*shape)


def rel(got, want):
    got = torch.tensor(got, dtype=F).reshape(want.shape)
    den = want.abs().max().item()
    num = (got - want).abs().max().item()
    return num / den if den > 0 else num


def grads(out, dout, inputs):
    return torch.autograd.grad(out, inputs, grad_outputs=dout)


def rmsnorm(c):
    p = c["params"]
    x = t(c["in"]["x"], p["rows"], p["h"]).requires_grad_()
    g = t(c["in"]["gamma"], p["h"]).requires_grad_()
    # eps added to the mean of squares, inside the square root
    y = x / torch.sqrt((x * x).mean(dim=1, keepdim=True) + p["eps"]) * g
    dx, dg = grads(y, t(c["in"]["dy"], p["rows"], p["h"]), [x, g])
    return {"y": y.detach(), "dx": dx, "dgamma": dg}


def gelu_tanh(x):
    return 0.5 * x * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))


def glu(c):
    p = c["params"]
    f = p["f"]
    x = t(c["in"]["x"], p["rows"], 2 * f).requires_grad_()
    gate, up = x[:, :f], x[:, f:]  # gate first, then up
    act = gate * torch.sigmoid(gate) if p["act"] == "swiglu" else gelu_tanh(gate)
    y = act * up
    (dx,) = grads(y, t(c["in"]["dy"], p["rows"], f), [x])
    return {"y": y.detach(), "dx": dx}


def rotate(x, pos, rotary, theta):
    """Half-split RoPE of the last `rotary` columns of x [..., T, D]."""
    d = x.shape[-1]
    half = rotary // 2
    i = torch.arange(half, dtype=F)
    w = theta ** (-2 * i / rotary)
    ang = torch.tensor(pos, dtype=F)[:, None] * w[None, :]
    cos, sin = torch.cos(ang), torch.sin(ang)
    keep, lo, hi = x[..., : d - rotary], x[..., d - rotary : d - half], x[..., d - half :]
    return torch.cat([keep, lo * cos - hi * sin, hi * cos + lo * sin], dim=-1)


def rope(c):
    p = c["params"]
    shape = (p["b"], p["h"], p["t"], p["d"])
    x = t(c["in"]["x"], *shape).requires_grad_()
    y = rotate(x, c["ints"]["pos"], p["rotary"], p["theta"])
    (dx,) = grads(y, t(c["in"]["dy"], *shape), [x])
    return {"y": y.detach(), "dx": dx}


def attention(c):
    p = c["params"]
    b, h, g, tq, tk, d, dv = p["b"], p["h"], p["g"], p["tq"], p["tk"], p["d"], p["dv"]
    q = t(c["in"]["q"], b, h, tq, d).requires_grad_()
    k = t(c["in"]["k"], b, g, tk, d).requires_grad_()
    v = t(c["in"]["v"], b, g, tk, dv).requires_grad_()
    # query head j reads key/value head j // (h / g)
    idx = torch.arange(h) // (h // g)
    kk, vv = k[:, idx], v[:, idx]
    s = q @ kk.transpose(-1, -2) / math.sqrt(d)
    qpos = p["qoff"] + torch.arange(tq)
    kpos = p["koff"] + torch.arange(tk)
    s = s.masked_fill(kpos[None, :] > qpos[:, None], float("-inf"))
    lse = torch.logsumexp(s, dim=-1)
    o = torch.softmax(s, dim=-1) @ vv
    dq, dk, dvv = grads(o, t(c["in"]["do"], b, h, tq, dv), [q, k, v])
    return {"o": o.detach(), "lse": lse.detach(), "dq": dq, "dk": dk, "dv": dvv}


def routing(c):
    p = c["params"]
    T, E, K, G, M = p["tokens"], p["experts"], p["topk"], p["groups"], p["topk_groups"]
    logits = t(c["in"]["logits"], T, E).requires_grad_()
    bias = t(c["in"]["bias"], E)
    a = torch.sigmoid(logits) if p["score"] == "sigmoid" else torch.softmax(logits, dim=-1)
    sel = (a + bias).detach()  # the bias chooses, it does not weigh
    if G > 0:
        grouped = sel.reshape(T, G, E // G)
        if p["score"] == "sigmoid":
            gscore = grouped.topk(min(2, E // G), dim=-1).values.sum(-1)
        else:
            gscore = grouped.max(dim=-1).values
        keep = torch.zeros(T, G, dtype=torch.bool)
        keep.scatter_(1, gscore.topk(M, dim=-1).indices, True)
        sel = sel.masked_fill(~keep.repeat_interleave(E // G, dim=1), float("-inf"))
    expert = sel.topk(K, dim=-1).indices  # descending
    w = a.gather(1, expert)
    if p["normalize"]:
        w = w / w.sum(-1, keepdim=True)
    (dl,) = grads(w, t(c["in"]["dw"], T, K), [logits])
    return {"probs": a.detach(), "weight": w.detach(), "dlogits": dl, "expert": expert}


def mla(c):
    """Multi-head latent attention as docs/semantics.md defines it."""
    p = c["params"]
    S, h, a, qr, cc, n, r, v, eps = p["s"], p["h"], p["a"], p["qr"], p["c"], p["n"], p["r"], p["v"], p["eps"]
    shapes = {"x": (S, h), "q_down": (h, qr), "q_norm": (qr,), "q_up": (qr, a * (n + r)), "kv_down": (h, cc + r),
              "kv_norm": (cc,), "kv_up": (cc, a * (n + v)), "out": (a * v, h)}
    w = {k: t(c["in"][k], *sh).requires_grad_() for k, sh in shapes.items()}
    rms = lambda z, g: z / torch.sqrt((z * z).mean(dim=-1, keepdim=True) + eps) * g
    pos = list(range(S))
    x = w["x"]
    q = (rms(x @ w["q_down"], w["q_norm"]) @ w["q_up"]).reshape(S, a, n + r).transpose(0, 1)  # [a, S, n+r]
    q = rotate(q, pos, r, p["theta"])  # the rope part: each head's last r columns
    down = x @ w["kv_down"]
    ckv, kr = down[:, :cc], down[:, cc:]
    kr = rotate(kr, pos, r, p["theta"])  # the shared rotary key
    kv = (rms(ckv, w["kv_norm"]) @ w["kv_up"]).reshape(S, a, n + v).transpose(0, 1)  # each head: n key, v value columns
    k = torch.cat([kv[..., :n], kr.expand(a, S, r)], dim=-1)
    vv = kv[..., n:]
    s = q @ k.transpose(-1, -2) / math.sqrt(n + r)
    s = s.masked_fill(torch.ones(S, S, dtype=torch.bool).triu(1), float("-inf"))
    ctx = (torch.softmax(s, dim=-1) @ vv).transpose(0, 1).reshape(S, a * v)
    y = ctx @ w["out"]
    names = list(shapes)
    gs = grads(y, t(c["in"]["dy"], S, h), [w[k] for k in names])
    ref = {"y": y.detach()}
    ref.update({"d" + k: g for k, g in zip(names, gs)})
    return ref


OPS = {"rmsnorm": rmsnorm, "glu": glu, "rope": rope, "attention": attention, "routing": routing, "mla": mla}


def main():
    cases = json.load(sys.stdin)
    worst, bad = 0.0, 0
    for c in cases:
        ref = OPS[c["op"]](c)
        if "expert" in ref:
            got = c["ints"]["expert"]
            want = ref.pop("expert").reshape(-1).tolist()
            if got != want:
                print("%-28s experts differ: go %s, torch %s" % (c["name"], got, want))
                bad += 1
        errs = {k: rel(c["out"][k], ref[k]) for k in ref}
        e = max(errs.values())
        worst = max(worst, e)
        flag = "ok" if e <= TOL else "FAIL"
        if e > TOL:
            bad += 1
        print("%-28s %-4s %s" % (c["name"], flag, "  ".join("%s %.1e" % kv for kv in errs.items())))
    print("%d cases, %d failures, worst relative error %.2e" % (len(cases), bad, worst))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
