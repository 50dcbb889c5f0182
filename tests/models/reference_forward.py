#!/usr/bin/env python3
"""Independent float64 numpy forward pass of a Llama-family Hugging Face model
directory (LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM,
Qwen3ForCausalLM), written from the transformers modeling code's equations.
It parses config.json and the safetensors file(s) itself, sharing no code with
the C++ implementation it checks.

usage: reference_forward.py MODEL_DIR IDS [LABELS]
  IDS     sequences separated by ';', ids by ',' (e.g. "1,2,3;4,5,6")
  LABELS  same layout; -100 ignored. Shifted as transformers does.
prints JSON: {"logits": [[[...] per position] per sequence], "loss": x}
"""
import json
import math
import os
import struct
import sys

import numpy as np


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    base = 8 + n
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        b, en = e["data_offsets"]
        raw = data[base + b:base + en]
        if e["dtype"] == "F32":
            a = np.frombuffer(raw, "<f4")
        elif e["dtype"] == "F16":
            a = np.frombuffer(raw, "<f2")
        elif e["dtype"] == "BF16":
            a = (np.frombuffer(raw, "<u2").astype(np.uint32) << 16).view(np.float32)
        else:
            raise SystemExit("unsupported dtype " + e["dtype"])
        out[name] = a.astype(np.float64).reshape(e["shape"])
    return out


def load_weights(d):
    index = os.path.join(d, "model.safetensors.index.json")
    if not os.path.exists(index):
        return read_safetensors(os.path.join(d, "model.safetensors"))
    w = {}
    for shard in sorted(set(json.load(open(index))["weight_map"].values())):
        w.update(read_safetensors(os.path.join(d, shard)))
    return w


def inv_freq(cfg, head_dim, seq_len):
    """transformers' modeling_rope_utils, per rope type."""
    base = cfg.get("rope_theta", 10000.0)
    rs = cfg.get("rope_scaling") or {}
    kind = rs.get("rope_type", rs.get("type", "default"))
    dim = head_dim
    if kind == "dynamic":
        maxpos = cfg["max_position_embeddings"]
        seq = max(seq_len, maxpos)
        base = base * ((rs["factor"] * seq / maxpos) - (rs["factor"] - 1)) ** (dim / (dim - 2))
    inv = 1.0 / (base ** (np.arange(0, dim, 2, dtype=np.float64) / dim))
    factor = rs.get("factor", 1.0)
    if kind == "linear":
        return inv / factor, 1.0
    if kind == "llama3":
        old = rs["original_max_position_embeddings"]
        low, high = rs["low_freq_factor"], rs["high_freq_factor"]
        wavelen = 2 * math.pi / inv
        scaled = np.where(wavelen > old / low, inv / factor, inv)
        smooth = (old / wavelen - low) / (high - low)
        smoothed = (1 - smooth) * scaled / factor + smooth * scaled
        medium = ~(wavelen < old / high) & ~(wavelen > old / low)
        return np.where(medium, smoothed, scaled), 1.0
    if kind == "yarn":
        orig = rs.get("original_max_position_embeddings") or cfg["max_position_embeddings"]

        def mscale(s, m=1.0):
            return 1.0 if s <= 1 else 0.1 * m * math.log(s) + 1.0

        att = rs.get("attention_factor")
        if att is None:
            if rs.get("mscale") and rs.get("mscale_all_dim"):
                att = mscale(factor, rs["mscale"]) / mscale(factor, rs["mscale_all_dim"])
            else:
                att = mscale(factor)

        def corr(rot):
            return (dim * math.log(orig / (rot * 2 * math.pi))) / (2 * math.log(base))

        lo, hi = corr(rs.get("beta_fast", 32)), corr(rs.get("beta_slow", 1))
        if rs.get("truncate", True):
            lo, hi = math.floor(lo), math.ceil(hi)
        lo, hi = max(lo, 0), min(hi, dim - 1)
        if lo == hi:
            hi += 0.001
        ramp = np.clip((np.arange(dim // 2, dtype=np.float64) - lo) / (hi - lo), 0, 1)
        extra = 1 - ramp
        return (inv / factor) * (1 - extra) + inv * extra, att
    return inv, 1.0


def rms(x, w, eps):
    return x / np.sqrt((x * x).mean(-1, keepdims=True) + eps) * w


def rotate(x, pos, inv, att):
    ang = np.outer(pos, inv)
    emb = np.concatenate([ang, ang], -1)
    cos, sin = np.cos(emb)[:, None, :] * att, np.sin(emb)[:, None, :] * att
    half = x.shape[-1] // 2
    rot = np.concatenate([-x[..., half:], x[..., :half]], -1)
    return x * cos + rot * sin


def linear(x, w, name):
    y = x @ w[name + ".weight"].T
    return y + w[name + ".bias"] if name + ".bias" in w else y


def forward(cfg, w, ids):
    arch = cfg["architectures"][0]
    hq = cfg["num_attention_heads"]
    hkv = cfg.get("num_key_value_heads", hq)
    d = cfg.get("head_dim") or cfg["hidden_size"] // hq
    eps = cfg["rms_norm_eps"]
    t = len(ids)
    pos = np.arange(t, dtype=np.float64)
    inv, att = inv_freq(cfg, d, t)
    x = w["model.embed_tokens.weight"][ids]
    mask = np.triu(np.full((t, t), -np.inf), 1)
    for layer in range(cfg["num_hidden_layers"]):
        p = "model.layers.%d." % layer
        h = rms(x, w[p + "input_layernorm.weight"], eps)
        q = linear(h, w, p + "self_attn.q_proj").reshape(t, hq, d)
        k = linear(h, w, p + "self_attn.k_proj").reshape(t, hkv, d)
        v = linear(h, w, p + "self_attn.v_proj").reshape(t, hkv, d)
        if arch == "Qwen3ForCausalLM":
            q = rms(q, w[p + "self_attn.q_norm.weight"], eps)
            k = rms(k, w[p + "self_attn.k_norm.weight"], eps)
        q, k = rotate(q, pos, inv, att), rotate(k, pos, inv, att)
        out = np.zeros((t, hq, d))
        for head in range(hq):
            kv = head // (hq // hkv)
            s = q[:, head, :] @ k[:, kv, :].T / math.sqrt(d) + mask
            s = np.exp(s - s.max(-1, keepdims=True))
            out[:, head, :] = (s / s.sum(-1, keepdims=True)) @ v[:, kv, :]
        x = x + linear(out.reshape(t, hq * d), w, p + "self_attn.o_proj")
        h = rms(x, w[p + "post_attention_layernorm.weight"], eps)
        g = linear(h, w, p + "mlp.gate_proj")
        u = linear(h, w, p + "mlp.up_proj")
        x = x + linear(g / (1 + np.exp(-g)) * u, w, p + "mlp.down_proj")
    x = rms(x, w["model.norm.weight"], eps)
    head = w["model.embed_tokens.weight"] if cfg.get("tie_word_embeddings") else w["lm_head.weight"]
    return x @ head.T


def main():
    model_dir = sys.argv[1]
    cfg = json.load(open(os.path.join(model_dir, "config.json")))
    w = load_weights(model_dir)
    seqs = [[int(i) for i in s.split(",")] for s in sys.argv[2].split(";")]
    logits = [forward(cfg, w, s) for s in seqs]
    result = {"logits": [l.tolist() for l in logits]}
    if len(sys.argv) > 3:
        labels = [[int(i) for i in s.split(",")] for s in sys.argv[3].split(";")]
        total, count = 0.0, 0
        for lg, lab in zip(logits, labels):
            for t in range(len(lab) - 1):
                if lab[t + 1] == -100:
                    continue
                row = lg[t]
                m = row.max()
                total += m + math.log(np.exp(row - m).sum()) - row[lab[t + 1]]
                count += 1
        result["loss"] = total / max(count, 1)
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
