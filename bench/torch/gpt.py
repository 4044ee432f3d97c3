#!/usr/bin/env python3
"""Train planc's reference GPT with PyTorch's eager CPU runtime and print tokens/s.

The model is the one planc's runtime trains (docs: the reference semantics):
learned token and position embeddings, pre-LayerNorm blocks (eps 1e-5) with a
fused qkv linear with bias, causal softmax attention, an output projection,
a gelu_tanh MLP, a final LayerNorm and a head tied to the token embedding;
AdamW with betas (0.9, 0.95), eps 1e-8, weight decay on matrices only;
initialization normal(0, 0.02), residual projections 0.02/sqrt(2*layers).
The data order is not planc's (random bytes): this measures speed only.

Usage: gpt.py --hidden 64 --heads 4 --ffn 256 --layers 4 --seq 64 --vocab 256
              --batch 8 --steps 60 --warmup 10 --threads 1 [--json]
"""
import argparse
import json
import math
import time

import torch
import torch.nn.functional as F


class Block(torch.nn.Module):
    def __init__(self, h, heads, ffn, layers):
        super().__init__()
        self.heads = heads
        self.ln1 = torch.nn.LayerNorm(h, eps=1e-5)
        self.qkv = torch.nn.Linear(h, 3 * h)
        self.out = torch.nn.Linear(h, h)
        self.ln2 = torch.nn.LayerNorm(h, eps=1e-5)
        self.fc1 = torch.nn.Linear(h, ffn)
        self.fc2 = torch.nn.Linear(ffn, h)
        for lin, std in ((self.qkv, 0.02), (self.fc1, 0.02),
                         (self.out, 0.02 / math.sqrt(2 * layers)),
                         (self.fc2, 0.02 / math.sqrt(2 * layers))):
            torch.nn.init.normal_(lin.weight, 0.0, std)
            torch.nn.init.zeros_(lin.bias)

    def forward(self, x):
        b, s, h = x.shape
        q, k, v = self.qkv(self.ln1(x)).split(h, dim=2)
        d = h // self.heads
        q = q.view(b, s, self.heads, d).transpose(1, 2)
        k = k.view(b, s, self.heads, d).transpose(1, 2)
        v = v.view(b, s, self.heads, d).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) / math.sqrt(d)
        mask = torch.ones(s, s, dtype=torch.bool).triu(1)
        att = att.masked_fill(mask, float("-inf")).softmax(dim=-1)
        y = (att @ v).transpose(1, 2).reshape(b, s, h)
        x = x + self.out(y)
        return x + self.fc2(F.gelu(self.fc1(self.ln2(x)), approximate="tanh"))


class GPT(torch.nn.Module):
    def __init__(self, a):
        super().__init__()
        self.wte = torch.nn.Parameter(torch.randn(a.vocab, a.hidden) * 0.02)
        self.wpe = torch.nn.Parameter(torch.randn(a.seq, a.hidden) * 0.02)
        self.blocks = torch.nn.ModuleList(
            [Block(a.hidden, a.heads, a.ffn, a.layers) for _ in range(a.layers)])
        self.ln_f = torch.nn.LayerNorm(a.hidden, eps=1e-5)

    def forward(self, ids, targets):
        x = self.wte[ids] + self.wpe[: ids.shape[1]]
        for blk in self.blocks:
            x = blk(x)
        logits = self.ln_f(x) @ self.wte.t()
        return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name, default in (("hidden", 64), ("heads", 4), ("ffn", 256), ("layers", 4),
                          ("seq", 64), ("vocab", 256), ("batch", 8), ("steps", 60),
                          ("warmup", 10), ("threads", 1), ("micro_batch", 0)):
        p.add_argument("--" + name, type=int, default=default)
    p.add_argument("--json", action="store_true")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = GPT(a)
    decay = [q for n, q in model.named_parameters() if q.dim() == 2]
    rest = [q for n, q in model.named_parameters() if q.dim() != 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1},
                             {"params": rest, "weight_decay": 0.0}],
                            lr=3e-3, betas=(0.9, 0.95), eps=1e-8)
    data = torch.randint(0, a.vocab, (a.steps + a.warmup, a.batch, a.seq + 1))
    loss = None
    for step in range(a.warmup + a.steps):
        if step == a.warmup:
            start = time.perf_counter()
        batch = data[step]
        opt.zero_grad(set_to_none=True)
        # --micro_batch m: the batch in batch/m micro-batches, gradients
        # accumulated (each loss scaled by m/batch: the step's gradient is
        # the whole batch's mean), as a planc plan with micro_batch m runs
        mb = a.micro_batch or a.batch
        loss = 0.0
        for lo in range(0, a.batch, mb):
            part = batch[lo:lo + mb]
            scaled = model(part[:, :-1], part[:, 1:]) * (part.shape[0] / a.batch)
            scaled.backward()
            loss = loss + scaled.detach()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
    elapsed = time.perf_counter() - start
    tps = a.steps * a.batch * a.seq / elapsed
    if a.json:
        print(json.dumps({"threads": a.threads, "tokens_per_s": tps,
                          "final_loss": loss.item(), "torch": torch.__version__}))
    else:
        print(f"pytorch {torch.__version__} threads={a.threads}: {tps:.0f} tokens/s "
              f"(loss {loss.item():.3f})")


if __name__ == "__main__":
    main()
