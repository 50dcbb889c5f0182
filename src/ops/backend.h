// The op set every backend implements, once per device family. The free
// functions in ops/ops.h check operands (one device, shapes, dtypes), allocate
// outputs and call these; a backend may assume its inputs passed those checks.
//
// Conventions: strides and offsets are in elements; "out" tensors are
// preallocated and contiguous unless a comment says otherwise; float inputs
// may be f32, bf16 or f16 and are computed in f32 internally; reductions and
// statistics (rstd, lse, m/v of AdamW) are f32.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/tensor.h"

namespace lf::ops {

enum class Activation { silu, gelu_tanh, gelu };

struct RopeParams {
  float theta = 10000.0f;
  int64_t rotary_dim = 0;      // leading part of head_dim that rotates (0 = all)
  bool interleaved = false;    // pairs (2i, 2i+1) instead of halves (i, i + d/2)
  // Per-frequency divisor for rope_scaling (linear, llama3, yarn...): the
  // model layer computes inv_freq; empty = theta^(-2i/d).
  const float* inv_freq = nullptr;  // host pointer, rotary_dim/2 values
  float attention_factor = 1.0f;    // yarn mscale applied to cos and sin
};

struct AttentionParams {
  float scale = 0.0f;  // 0 = 1/sqrt(head_dim)
  bool causal = true;
  // Optional int32 [B, Tq] / [B, Tk] segment ids: a query attends only to keys of
  // the same segment (packed sequences). Undefined = one segment per row.
  Tensor q_segments, k_segments;
  // Optional int32 [B]: number of valid keys per row (right padding / KV cache).
  // With causal, query i of Tq sits at key position kv_len - Tq + i.
  Tensor kv_lens;
};

struct AdamWParams {
  float lr = 1e-3f, beta1 = 0.9f, beta2 = 0.999f, eps = 1e-8f, weight_decay = 0.0f;
  int64_t step = 1;          // 1-based, for bias correction
  float grad_scale = 1.0f;   // multiplies the gradient first (clipping, loss-scale undo)
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual const char* name() const = 0;
  // Extra `llamafactory-cli env` lines, e.g. {"oneDNN version", "2.6.3"}.
  virtual std::vector<std::pair<std::string, std::string>> env_lines() const { return {}; }

  // c[..., M, N] = alpha * op(a) @ op(b) + beta * c. a: [..., M, K] ([..., K, M] when
  // trans_a); b: [..., K, N] ([..., N, K] when trans_b) or 2-D (shared across the batch).
  // a and b may be strided views whose last two dims have a unit stride on one side.
  virtual void matmul(const Tensor& a, const Tensor& b, Tensor& c, bool trans_a, bool trans_b,
                      float alpha, float beta) = 0;

  // A promise that w, a [out, in] weight of x @ w^T products, keeps its values
  // for as long as it lives (inference). A backend may keep a copy in the
  // layout its matrix unit reads fastest (oneDNN's blocked layout; on Ascend
  // the FRACTAL_NZ format of aclnnTransMatmulWeight) and use it in matmul
  // whenever b is this very tensor. Default: nothing.
  virtual void freeze_weight(const Tensor& w) { (void)w; }

  // x, y: [N, H]; w: [H]; rstd: [N] f32 (saved for backward).
  virtual void rms_norm(const Tensor& x, const Tensor& w, float eps, Tensor& y, Tensor& rstd) = 0;
  // dw (f32 [H]) is accumulated into (+=); it may be undefined when w is frozen.
  virtual void rms_norm_backward(const Tensor& dy, const Tensor& x, const Tensor& w,
                                 const Tensor& rstd, Tensor& dx, Tensor& dw) = 0;

  // x, y: [B, T, heads, head_dim]; positions: int32/int64 [B, T]. inverse = rotate by
  // -angle (the gradient of the forward rotation).
  virtual void rope(const Tensor& x, const Tensor& positions, const RopeParams& p, bool inverse,
                    Tensor& y) = 0;

  // out = silu(gate) * up, all [N, I].
  virtual void swiglu(const Tensor& gate, const Tensor& up, Tensor& out) = 0;
  virtual void swiglu_backward(const Tensor& dout, const Tensor& gate, const Tensor& up,
                               Tensor& dgate, Tensor& dup) = 0;
  virtual void activation(Activation kind, const Tensor& x, Tensor& y) = 0;
  virtual void activation_backward(Activation kind, const Tensor& dy, const Tensor& x,
                                   Tensor& dx) = 0;

  // q: [B, Tq, Hq, D]; k, v: [B, Tk, Hkv, D] with Hq % Hkv == 0 (GQA); out like q;
  // lse: f32 [B, Hq, Tq] (log-sum-exp of the scaled scores, saved for backward).
  // Memory beyond the outputs must be O(T), never O(Tq * Tk).
  virtual void attention(const Tensor& q, const Tensor& k, const Tensor& v,
                         const AttentionParams& p, Tensor& out, Tensor& lse) = 0;
  virtual void attention_backward(const Tensor& dout, const Tensor& q, const Tensor& k,
                                  const Tensor& v, const Tensor& out, const Tensor& lse,
                                  const AttentionParams& p, Tensor& dq, Tensor& dk,
                                  Tensor& dv) = 0;

  // Causal attention of q [B, Tq, Hq, D] over keys held in block pools (see
  // ops::paged_attention); block_tables and kv_lens are int32 on the device.
  // The default gathers each row's blocks with copy() and runs attention(), so
  // a backend works unchanged; backends override it to read the pool in place.
  virtual void paged_attention(const Tensor& q, const Tensor& k_pool, const Tensor& v_pool,
                               const Tensor& block_tables, const Tensor& kv_lens, float scale,
                               Tensor& out);

  // ids: int32/int64 [N]; weight: [V, H]; out: [N, H].
  virtual void embedding(const Tensor& ids, const Tensor& weight, Tensor& out) = 0;
  // dweight (f32 [V, H]) is accumulated into (+=).
  virtual void embedding_backward(const Tensor& ids, const Tensor& dout, Tensor& dweight) = 0;

  // One vocabulary chunk of cross-entropy with online log-sum-exp.
  // logits: [N, C] for vocab columns [col0, col0 + C); labels int32/int64 [N], -100 = ignore.
  // running_max, running_sum, target_logit: f32 [N], updated in place (start them at
  // -inf, 0, 0).
  virtual void cross_entropy_chunk(const Tensor& logits, const Tensor& labels, int64_t col0,
                                   Tensor& running_max, Tensor& running_sum,
                                   Tensor& target_logit) = 0;
  // dlogits[i, j] = row_scale[i] * (softmax_ij - [j + col0 == label_i]); rows with
  // label -100 get 0. lse, row_scale: f32 [N]. dlogits has the dtype of logits.
  virtual void cross_entropy_chunk_backward(const Tensor& logits, const Tensor& labels,
                                            int64_t col0, const Tensor& lse,
                                            const Tensor& row_scale, Tensor& dlogits) = 0;

  // Elementwise (same shapes; out may alias an input).
  virtual void add(const Tensor& a, const Tensor& b, float alpha, float beta, Tensor& out) = 0;
  virtual void mul(const Tensor& a, const Tensor& b, Tensor& out) = 0;
  virtual void scale(const Tensor& x, float s, Tensor& out) = 0;
  // out[n, c] = x[n, c] + bias[c]; x, out: [N, C].
  virtual void bias_add(const Tensor& x, const Tensor& bias, Tensor& out) = 0;
  // out[c] += sum_n x[n, c] (f32 out) — the bias gradient.
  virtual void sum_rows(const Tensor& x, Tensor& out) = 0;
  // Any dtype to any dtype; shapes equal; src may be strided.
  virtual void cast(const Tensor& src, Tensor& dst) = 0;
  // src and dst may both be strided views (e.g. writing into a KV cache slice).
  virtual void copy(const Tensor& src, Tensor& dst) = 0;
  virtual void fill(Tensor& out, float value) = 0;
  // Inverted dropout with a counter-based RNG: the mask is a function of (seed, element
  // index), so backward regenerates it instead of storing it.
  virtual void dropout(const Tensor& x, float p, uint64_t seed, Tensor& out) = 0;

  // Optimiser. param, m, v: f32; grad: any float dtype; all the same shape.
  virtual void adamw(Tensor& param, const Tensor& grad, Tensor& m, Tensor& v,
                     const AdamWParams& p) = 0;
  // out (f32 [1]) += sum(x^2).
  virtual void sum_squares(const Tensor& x, Tensor& out) = 0;

  // Largest k entries per row of logits [B, V] (values f32 [B, k], indices int32 [B, k]),
  // sorted descending. Sampling finishes on the host from these.
  virtual void topk(const Tensor& logits, int64_t k, Tensor& values, Tensor& indices) = 0;

  // Waits for queued work; device errors surface here with the failing op named.
  virtual void synchronize(int device_index) = 0;
};

// Registry: backends register at start-up; ops look up by the operand's device.
void register_backend(DeviceType type, Backend* backend);
Backend& backend_for(const Device& d);
// nullptr when no backend of that family is compiled in (for `env`).
Backend* find_backend(DeviceType type);

// Registers every compiled backend (defined in src/backends/). Idempotent.
void init_backends();

}  // namespace lf::ops
