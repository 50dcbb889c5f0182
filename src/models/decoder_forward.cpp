// The decoder's forward passes: training (autograd, optional per-layer
// checkpointing) and inference (KV cache, no gradients).
#include <algorithm>
#include <memory>

#include "autograd/autograd.h"
#include "core/error.h"
#include "models/decoder.h"
#include "ops/ops.h"

namespace lf::models {

using ag::Var;

namespace {

Tensor arange_positions(int64_t batch, int64_t len, int64_t start, Device device) {
  std::vector<int64_t> pos(static_cast<size_t>(batch * len));
  for (size_t i = 0; i < pos.size(); ++i) pos[i] = start + static_cast<int64_t>(i) % len;
  return Tensor::from_ints(pos, {batch, len}, DType::i64, device);
}

// RopeParams points at its frequencies; the shared vector keeps them alive as
// long as any closure (a checkpointed layer's re-run) may read them.
struct Rope {
  std::shared_ptr<const std::vector<float>> inv_freq;
  ops::RopeParams params;
};

Rope make_rope(const ModelSpec& spec, int64_t seq_len) {
  RopeFrequencies f = rope_frequencies(spec, seq_len);
  Rope r;
  r.inv_freq = std::make_shared<const std::vector<float>>(std::move(f.inv_freq));
  r.params.theta = static_cast<float>(spec.rope_theta);
  r.params.rotary_dim = spec.head_dim;
  r.params.inv_freq = r.inv_freq->data();
  r.params.attention_factor = f.attention_factor;
  return r;
}

}  // namespace

void Decoder::check_window(int64_t length) const {
  LF_CHECK(!spec_.sliding_window || length <= *spec_.sliding_window, "a sequence of ", length,
           " positions exceeds the model's sliding_window of ", *spec_.sliding_window,
           "; sliding-window attention is not implemented, so keep sequences (cutoff_len) within it");
}

Var Decoder::layer_forward(int64_t layer, const Var& x, const Tensor& positions,
                           const ops::RopeParams& rope, const Attend& attend) const {
  const DecoderLayer& L = layers_[static_cast<size_t>(layer)];
  const int64_t B = positions.size(0), T = positions.size(1), D = spec_.head_dim;
  const int64_t hq = spec_.num_attention_heads, hkv = spec_.num_key_value_heads;
  const float eps = static_cast<float>(spec_.rms_norm_eps);

  // Stacked projections hold constants: only inference may take them.
  const bool stacked = ag::grad_mode() == ag::GradMode::off;
  Var h = ag::rms_norm(x, L.input_norm, eps);
  Var q, k, v;
  if (stacked && L.qkv_proj.weight.defined() && !L.q_proj.adapter && !L.k_proj.adapter && !L.v_proj.adapter) {
    const Tensor y = L.qkv_proj.forward(h).value();
    auto part = [&](int64_t from, int64_t heads) {
      return Var(y.slice(1, from * D, (from + heads) * D).contiguous().view({B, T, heads, D}));
    };
    q = part(0, hq);
    k = part(hq, hkv);
    v = part(hq + hkv, hkv);
  } else {
    q = ag::view(L.q_proj.forward(h), {B, T, hq, D});
    k = ag::view(L.k_proj.forward(h), {B, T, hkv, D});
    v = ag::view(L.v_proj.forward(h), {B, T, hkv, D});
  }
  if (spec_.qk_norm) {  // Qwen3: per-head RMSNorm before the rotation
    q = ag::rms_norm(q, L.q_norm, eps);
    k = ag::rms_norm(k, L.k_norm, eps);
  }
  q = ag::rope(q, positions, rope);
  k = ag::rope(k, positions, rope);
  Var a = ag::view(attend(layer, q, k, v), {B * T, hq * D});
  Var r = ag::add(x, L.o_proj.forward(a));
  h = ag::rms_norm(r, L.post_attention_norm, eps);
  Var gate, up;
  if (stacked && L.gate_up_proj.weight.defined() && !L.gate_proj.adapter && !L.up_proj.adapter) {
    const Tensor y = L.gate_up_proj.forward(h).value();
    const int64_t inter = L.gate_proj.out_features();
    gate = Var(y.slice(1, 0, inter).contiguous());
    up = Var(y.slice(1, inter, 2 * inter).contiguous());
  } else {
    gate = L.gate_proj.forward(h);
    up = L.up_proj.forward(h);
  }
  Var s = ag::swiglu(gate, up);
  // The layer's output: a checkpoint's re-run needs these two ops' nodes (and
  // what they save) but not their values, so it skips the down product.
  ag::UnreadOutput output_only;
  return ag::add(r, L.down_proj.forward(s));
}

Var Decoder::hidden_states(const Tensor& ids, const Tensor& positions,
                           const ops::AttentionParams& attn, bool gradient_checkpointing) const {
  LF_CHECK(ids.dim() == 2, "decoder: ids must be [batch, seq], got ", ids.describe());
  const int64_t B = ids.size(0), T = ids.size(1);
  Tensor pos = positions.defined() ? positions : arange_positions(B, T, 0, device_);
  check_window(T);
  Rope rope = make_rope(spec_, T);
  Attend attend = [attn](int64_t, const Var& q, const Var& k, const Var& v) {
    return ag::attention(q, k, v, attn);
  };
  // Mixed precision (f32 master weights): the hidden states run in the compute dtype.
  Var x = ag::cast(ag::embedding(ids.reshape({B * T}), embed_), dtype_);
  for (int64_t l = 0; l < spec_.num_hidden_layers; ++l) {
    if (gradient_checkpointing) {
      x = ag::checkpoint(
          [this, l, pos, rope, attend](const std::vector<Var>& in) {
            return layer_forward(l, in[0], pos, rope.params, attend);
          },
          {x});
    } else {
      x = layer_forward(l, x, pos, rope.params, attend);
    }
  }
  return ag::rms_norm(x, final_norm_, static_cast<float>(spec_.rms_norm_eps));
}

Var Decoder::loss(const Tensor& ids, const Tensor& labels, const Tensor& positions,
                  const ops::AttentionParams& attn, bool gradient_checkpointing) const {
  LF_CHECK(labels.shape() == ids.shape(), "decoder: labels ", labels.describe(),
           " must be shaped like ids ", ids.describe());
  const int64_t B = ids.size(0), T = ids.size(1);
  std::vector<int64_t> host = labels.to_ints(), shifted(host.size(), -100);
  for (int64_t b = 0; b < B; ++b)
    for (int64_t t = 0; t + 1 < T; ++t) shifted[b * T + t] = host[b * T + t + 1];
  Tensor target = Tensor::from_ints(shifted, {B * T}, DType::i64, device_);
  return ag::linear_cross_entropy(hidden_states(ids, positions, attn, gradient_checkpointing),
                                  ag::cast(lm_head(), dtype_), target);
}

KvCache Decoder::make_cache(int64_t batch, int64_t capacity) const {
  return KvCache(spec_, batch, capacity, dtype_, device_);
}

Tensor Decoder::forward(const Tensor& ids, KvCache& cache, bool all_positions) const {
  ag::NoGradGuard no_grad;
  LF_CHECK(ids.dim() == 2 && ids.size(0) == cache.batch(), "decoder: ids ", ids.describe(),
           " must be [", cache.batch(), ", seq] to match the KV cache");
  const int64_t B = ids.size(0), T = ids.size(1), start = cache.length();
  check_window(start + T);
  Tensor pos = arange_positions(B, T, start, device_);
  Rope rope = make_rope(spec_, start + T);
  ops::AttentionParams attn;
  attn.kv_lens = Tensor::from_ints(std::vector<int64_t>(static_cast<size_t>(B), start + T), {B},
                                   DType::i32, device_);
  // Attention reads the whole cache buffers; kv_lens marks how much is valid.
  Attend attend = [&](int64_t l, const Var& q, const Var& k, const Var& v) {
    cache.append(l, k.value(), v.value());
    return Var(ops::attention(q.value(), cache.keys(l), cache.values(l), attn).out);
  };
  Var x = ag::embedding(ids.reshape({B * T}), embed_);
  for (int64_t l = 0; l < spec_.num_hidden_layers; ++l)
    x = layer_forward(l, x, pos, rope.params, attend);
  cache.advance(T);

  Tensor h = x.value().view({B, T, spec_.hidden_size});
  if (!all_positions) h = h.select(1, T - 1).contiguous();
  h = ops::rms_norm(h, final_norm_.value(), static_cast<float>(spec_.rms_norm_eps)).y;
  Tensor logits = ops::cast(ops::linear(h, lm_head().value()), DType::f32);
  return logits;
}

PagedKvCache Decoder::make_paged_cache(int64_t num_blocks, int64_t block_size) const {
  return PagedKvCache(spec_, num_blocks, block_size, dtype_, device_);
}

Tensor Decoder::forward_paged(const Tensor& ids, const std::vector<int64_t>& starts,
                              const std::vector<const std::vector<int32_t>*>& tables,
                              PagedKvCache& cache) const {
  ag::NoGradGuard no_grad;
  LF_CHECK(ids.dim() == 2 && ids.size(0) == static_cast<int64_t>(starts.size()) &&
               starts.size() == tables.size(),
           "decoder: ids ", ids.describe(), " must be [rows, seq] with one start and one block "
           "table per row (", starts.size(), " starts, ", tables.size(), " tables)");
  const int64_t B = ids.size(0), T = ids.size(1);
  int64_t end = 0, max_blocks = 1;
  bool fresh = true;  // every row starts at 0: attend to the new keys directly
  std::vector<int64_t> pos(static_cast<size_t>(B * T)), lens(static_cast<size_t>(B));
  for (int64_t b = 0; b < B; ++b) {
    const int64_t s = starts[static_cast<size_t>(b)];
    for (int64_t t = 0; t < T; ++t) pos[static_cast<size_t>(b * T + t)] = s + t;
    lens[static_cast<size_t>(b)] = s + T;
    end = std::max(end, s + T);
    fresh = fresh && s == 0;
    max_blocks = std::max<int64_t>(max_blocks, static_cast<int64_t>(tables[static_cast<size_t>(b)]->size()));
  }
  check_window(end);
  Rope rope = make_rope(spec_, end);
  Tensor positions = Tensor::from_ints(pos, {B, T}, DType::i64, device_);
  ops::AttentionParams attn;
  Tensor block_tables, kv_lens = Tensor::from_ints(lens, {B}, DType::i32, device_);
  if (!fresh) {
    std::vector<int64_t> flat(static_cast<size_t>(B * max_blocks), 0);
    for (int64_t b = 0; b < B; ++b) {
      const std::vector<int32_t>& t = *tables[static_cast<size_t>(b)];
      std::copy(t.begin(), t.end(), flat.begin() + b * max_blocks);
    }
    block_tables = Tensor::from_ints(flat, {B, max_blocks}, DType::i32, device_);
  }
  Attend attend = [&](int64_t l, const Var& q, const Var& k, const Var& v) {
    cache.write(l, k.value(), v.value(), starts, tables);
    if (fresh) return Var(ops::attention(q.value(), k.value(), v.value(), attn).out);
    return Var(ops::paged_attention(q.value(), cache.keys(l), cache.values(l), block_tables, kv_lens));
  };
  Var x = ag::embedding(ids.reshape({B * T}), embed_);
  for (int64_t l = 0; l < spec_.num_hidden_layers; ++l)
    x = layer_forward(l, x, positions, rope.params, attend);

  Tensor h = x.value().view({B, T, spec_.hidden_size}).select(1, T - 1).contiguous();
  h = ops::rms_norm(h, final_norm_.value(), static_cast<float>(spec_.rms_norm_eps)).y;
  return ops::cast(ops::linear(h, lm_head().value()), DType::f32);
}

namespace {

// Stacks parts' weights (and biases) row-wise into fused; parts then view
// their rows. Skipped, leaving fused undefined, unless every part is a plain
// constant linear of one dtype.
void stack_linears(const std::vector<Linear*>& parts, Linear& fused) {
  const Tensor& w0 = parts[0]->weight.value();
  const bool bias = parts[0]->bias.defined();
  int64_t rows = 0;
  for (const Linear* p : parts) {
    if (p->adapter || p->weight.requires_grad() || p->weight.dtype() != w0.dtype() ||
        p->in_features() != parts[0]->in_features() || p->bias.defined() != bias ||
        (bias && (p->bias.requires_grad() || p->bias.dtype() != parts[0]->bias.dtype())))
      return;
    rows += p->out_features();
  }
  Tensor w = ops::zeros({rows, w0.size(1)}, w0.dtype(), w0.device());
  Tensor b = bias ? ops::zeros({rows}, parts[0]->bias.dtype(), w0.device()) : Tensor();
  int64_t at = 0;
  for (Linear* p : parts) {
    const int64_t n = p->out_features();
    Tensor wpart = w.slice(0, at, at + n);
    ops::copy_(wpart, p->weight.value());
    p->weight = ag::Var(wpart);
    if (bias) {
      Tensor bpart = b.slice(0, at, at + n);
      ops::copy_(bpart, p->bias.value());
      p->bias = ag::Var(bpart);
    }
    at += n;
  }
  fused.weight = ag::Var(w);
  if (bias) fused.bias = ag::Var(b);
}

}  // namespace

void Decoder::prepare_inference() {
  auto freeze = [](const Linear& l) {
    if (l.weight.defined()) ops::freeze_weight(l.weight.value());
  };
  for (DecoderLayer& L : layers_) {
    if (!L.qkv_proj.weight.defined()) stack_linears({&L.q_proj, &L.k_proj, &L.v_proj}, L.qkv_proj);
    if (!L.gate_up_proj.weight.defined()) stack_linears({&L.gate_proj, &L.up_proj}, L.gate_up_proj);
    // The products inference runs: stacked where stacking applied.
    if (L.qkv_proj.weight.defined()) freeze(L.qkv_proj);
    else for (const Linear* l : {&L.q_proj, &L.k_proj, &L.v_proj}) freeze(*l);
    if (L.gate_up_proj.weight.defined()) freeze(L.gate_up_proj);
    else for (const Linear* l : {&L.gate_proj, &L.up_proj}) freeze(*l);
    freeze(L.o_proj);
    freeze(L.down_proj);
  }
  ops::freeze_weight(lm_head().value());
}

}  // namespace lf::models
