#!/usr/bin/env python3
"""PyTorch peer of bench_train: the same Llama-shaped model (hidden 768, 12 layers,
12 heads, intermediate 2048, vocab 32000), LoRA rank 8 (alpha 16) on every decoder
linear, batch 4 x 512 random tokens, gradient checkpointing, AdamW on the adapters.

Plain PyTorch modules, written for this comparison (it needs only torch, e.g.
Debian's python3-torch 1.13, which has no F.scaled_dot_product_attention, so
attention is the explicit masked-softmax form). Each precision mode is timed
after a warm-up step and the fastest is reported (default: autocast and bf16):
  f32       everything in float32
  autocast  float32 weights, bf16 autocast (the usual `bf16: true` recipe)
  bf16      frozen weights stored in bf16, adapters float32, bf16 autocast
            (what llamafactory.cpp does)
The last line is machine-readable for scripts/bench-train.sh.
"""
import argparse
import contextlib
import math
import os
import resource
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.checkpoint import checkpoint

HIDDEN, LAYERS, HEADS, INTERMEDIATE, VOCAB = 768, 12, 12, 2048, 32000
ROPE_THETA, EPS = 10000.0, 1e-6


class RMSNorm(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim), requires_grad=False)

    def forward(self, x):
        # Normalise in float32 as transformers' LlamaRMSNorm does, then cast back.
        h = x.float()
        h = h * torch.rsqrt(h.pow(2).mean(-1, keepdim=True) + EPS)
        return self.weight.to(x.dtype) * h.to(x.dtype)


class LoraLinear(nn.Module):
    """y = x W^T + (alpha / r) * B(A x), W frozen, A Kaiming-uniform, B zero."""

    def __init__(self, d_in, d_out, rank, alpha):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(d_out, d_in) * 0.02, requires_grad=False)
        self.lora_a = nn.Parameter(torch.empty(rank, d_in))
        self.lora_b = nn.Parameter(torch.zeros(d_out, rank))
        nn.init.kaiming_uniform_(self.lora_a, a=math.sqrt(5))
        self.scale = alpha / rank

    def forward(self, x):
        return F.linear(x, self.weight) + F.linear(F.linear(x, self.lora_a), self.lora_b) * self.scale


def rotate_half(x):
    x1, x2 = x.chunk(2, dim=-1)
    return torch.cat((-x2, x1), dim=-1)


class Block(nn.Module):
    def __init__(self, rank, alpha):
        super().__init__()
        lin = lambda i, o: LoraLinear(i, o, rank, alpha)  # noqa: E731
        self.input_norm, self.post_norm = RMSNorm(HIDDEN), RMSNorm(HIDDEN)
        self.q, self.k, self.v, self.o = (lin(HIDDEN, HIDDEN) for _ in range(4))
        self.gate, self.up = lin(HIDDEN, INTERMEDIATE), lin(HIDDEN, INTERMEDIATE)
        self.down = lin(INTERMEDIATE, HIDDEN)

    def forward(self, x, cos, sin, mask):
        b, t, _ = x.shape
        d = HIDDEN // HEADS
        h = self.input_norm(x)
        q, k, v = (p(h).view(b, t, HEADS, d).transpose(1, 2) for p in (self.q, self.k, self.v))
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        scores = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(d)) + mask
        a = torch.softmax(scores.float(), dim=-1).to(v.dtype) @ v
        x = x + self.o(a.transpose(1, 2).reshape(b, t, HIDDEN))
        h = self.post_norm(x)
        return x + self.down(F.silu(self.gate(h)) * self.up(h))


class Llama(nn.Module):
    def __init__(self, rank, alpha):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, HIDDEN)
        self.embed.weight.requires_grad_(False)
        self.layers = nn.ModuleList(Block(rank, alpha) for _ in range(LAYERS))
        self.norm = RMSNorm(HIDDEN)
        self.lm_head = nn.Parameter(torch.randn(VOCAB, HIDDEN) * 0.02, requires_grad=False)

    def forward(self, ids):
        t = ids.shape[1]
        d = HIDDEN // HEADS
        inv_freq = 1.0 / ROPE_THETA ** (torch.arange(0, d, 2, dtype=torch.float32) / d)
        angles = torch.outer(torch.arange(t, dtype=torch.float32), inv_freq)
        angles = torch.cat((angles, angles), dim=-1)
        x = self.embed(ids)
        cos, sin = angles.cos().to(x.dtype), angles.sin().to(x.dtype)
        mask = torch.full((t, t), float("-inf")).triu(1).to(x.dtype)
        for layer in self.layers:
            # Non-reentrant checkpointing: the embedding is frozen, so the
            # layer input does not require grad (the reentrant form would drop
            # the adapters' gradients).
            x = checkpoint(layer, x, cos, sin, mask, use_reentrant=False)
        logits = F.linear(self.norm(x), self.lm_head)
        return F.cross_entropy(logits[:, :-1].reshape(-1, VOCAB).float(), ids[:, 1:].reshape(-1))


def run_mode(mode, args, ids):
    torch.manual_seed(0)
    model = Llama(args.lora_rank, 2 * args.lora_rank)
    if mode == "bf16":
        for p in model.parameters():
            if not p.requires_grad:
                p.data = p.data.to(torch.bfloat16)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=1e-4, weight_decay=0.0)
    amp = (torch.autocast("cpu", dtype=torch.bfloat16) if mode != "f32" else contextlib.nullcontext())
    times = []
    for step in range(args.warmup + args.steps):
        t0 = time.perf_counter()
        with amp:
            loss = model(ids)
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        dt = time.perf_counter() - t0
        timed = step >= args.warmup
        print(f"  {mode} step {step + 1}{'' if timed else ' (warm-up)'}: {dt:.2f} s, loss {loss.item():.4f}",
              flush=True)
        if timed:
            times.append(dt)
    return ids.numel() * len(times) / sum(times)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--seq", type=int, default=512)
    ap.add_argument("--lora-rank", type=int, default=8)
    # f32 is not in the default list: Debian's torch 1.13 runs f32 matmuls on its
    # generic BLAS, some 25x slower than bf16 through oneDNN (docs/benchmarks.md).
    ap.add_argument("--modes", default="autocast,bf16", help="comma list of f32, autocast, bf16")
    args = ap.parse_args()

    # Debian's build starts with one thread; use as many as bench_train's
    # OpenMP does (OMP_NUM_THREADS, else every CPU this process may run on).
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", len(os.sched_getaffinity(0)))))

    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, batch {args.batch} x {args.seq}, "
          f"LoRA rank {args.lora_rank}, gradient checkpointing", flush=True)
    ids = torch.randint(0, VOCAB, (args.batch, args.seq), generator=torch.Generator().manual_seed(1234))
    results = {}
    for mode in args.modes.split(","):
        results[mode] = run_mode(mode, args, ids)
        print(f"{mode}: {results[mode]:.1f} tokens/s", flush=True)
    best = max(results, key=results.get)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"fastest: {best}, {results[best]:.1f} tokens/s; peak RSS {peak_mib:.0f} MiB (all modes)")
    print(f"RESULT tokens_per_s={results[best]:.2f} mode={best}")


if __name__ == "__main__":
    main()
