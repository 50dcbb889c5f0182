// The device-agnostic op API: the only door to compute for everything above.
// Each function checks its operands — one common device (a mismatch names the
// op and every operand's device), shapes and dtypes (errors name the op and the
// shapes) — allocates outputs on that device and dispatches to its backend.
#pragma once
#include <cstdint>
#include <random>
#include <vector>

#include "core/tensor.h"
#include "ops/backend.h"

namespace lf::ops {

// ---- creation and elementwise ----
Tensor zeros(const Shape& shape, DType dtype, Device device);
Tensor full(const Shape& shape, float value, DType dtype, Device device);
void fill_(Tensor& t, float value);
Tensor add(const Tensor& a, const Tensor& b, float alpha = 1.0f, float beta = 1.0f);
void add_(Tensor& acc, const Tensor& b, float beta = 1.0f);  // acc += beta * b
Tensor mul(const Tensor& a, const Tensor& b);
Tensor scale(const Tensor& x, float s);
void scale_(Tensor& x, float s);
Tensor cast(const Tensor& x, DType dtype);
Tensor contiguous(const Tensor& x);        // device-side strided copy
void copy_(Tensor& dst, const Tensor& src); // dst may be a strided view
Tensor bias_add(const Tensor& x, const Tensor& bias);  // x [..., C] + bias [C]
void sum_rows_(Tensor& acc_f32, const Tensor& x);      // acc[c] += sum over rows of x[..., c]
Tensor dropout(const Tensor& x, float p, uint64_t seed);

// ---- linear algebra ----
// op(a) @ op(b); a [..., M, K], b [..., K, N] or 2-D b shared across the batch.
Tensor matmul(const Tensor& a, const Tensor& b, bool trans_a = false, bool trans_b = false);
// c = alpha * op(a) @ op(b) + beta * c, in place.
void matmul_(Tensor& c, const Tensor& a, const Tensor& b, bool trans_a, bool trans_b,
             float alpha = 1.0f, float beta = 0.0f);
// y = x @ w^T (+ bias): the Hugging Face Linear convention, w [out, in].
Tensor linear(const Tensor& x, const Tensor& w, const Tensor& bias = Tensor());
// Promises that w ([out, in]) will not change while it lives, so its device may
// keep a faster copy for products with it (Backend::freeze_weight). Inference only.
void freeze_weight(const Tensor& w);

// ---- normalisation, position, activation ----
struct RmsNormOut { Tensor y, rstd; };
RmsNormOut rms_norm(const Tensor& x, const Tensor& w, float eps);  // over the last dim
// Returns dx; accumulates into dw when dw is defined.
Tensor rms_norm_backward(const Tensor& dy, const Tensor& x, const Tensor& w, const Tensor& rstd,
                         Tensor& dw);
Tensor rope(const Tensor& x, const Tensor& positions, const RopeParams& p, bool inverse = false);
Tensor swiglu(const Tensor& gate, const Tensor& up);
void swiglu_backward(const Tensor& dout, const Tensor& gate, const Tensor& up, Tensor& dgate,
                     Tensor& dup);
Tensor activation(Activation kind, const Tensor& x);
Tensor activation_backward(Activation kind, const Tensor& dy, const Tensor& x);

// ---- attention ----
struct AttentionOut { Tensor out, lse; };
AttentionOut attention(const Tensor& q, const Tensor& k, const Tensor& v,
                       const AttentionParams& p);
struct AttentionGrads { Tensor dq, dk, dv; };
AttentionGrads attention_backward(const Tensor& dout, const Tensor& q, const Tensor& k,
                                  const Tensor& v, const Tensor& out, const Tensor& lse,
                                  const AttentionParams& p);

// Inference attention over a paged KV cache (forward only). q [B, Tq, Hq, D];
// k_pool, v_pool [num_blocks, block_size, Hkv, D]; block_tables int32 [B, max_blocks]:
// key j of row b is pool[block_tables[b, j / block_size], j % block_size];
// kv_lens int32 [B]: keys per row. Causal: query i of row b sees keys up to
// kv_lens[b] - Tq + i. scale 0 = 1/sqrt(D). Returns out like q.
Tensor paged_attention(const Tensor& q, const Tensor& k_pool, const Tensor& v_pool,
                       const Tensor& block_tables, const Tensor& kv_lens, float scale = 0.0f);

// ---- embedding ----
Tensor embedding(const Tensor& ids, const Tensor& weight);
void embedding_backward_(Tensor& dweight_f32, const Tensor& ids, const Tensor& dout);

// ---- loss ----
// Mean cross-entropy over tokens whose label != -100, from hidden states
// [N, H] and the output projection weight [V, H], computed in vocabulary chunks
// so [N, V] logits never exist at once. Returns the loss (f32 [1]) and the
// per-row log-sum-exp (f32 [N]) for backward; `count` receives the number of
// non-ignored labels.
struct LinearCrossEntropyOut { Tensor loss, lse; int64_t count = 0; };
LinearCrossEntropyOut linear_cross_entropy(const Tensor& hidden, const Tensor& weight,
                                           const Tensor& labels, int64_t chunk = 8192);
// Gradients of (dloss * loss): dhidden is returned; dweight (f32, [V, H]) is
// accumulated when defined (a frozen lm_head passes an undefined tensor).
Tensor linear_cross_entropy_backward(const Tensor& hidden, const Tensor& weight,
                                     const Tensor& labels, const Tensor& lse, int64_t count,
                                     float dloss, Tensor& dweight, int64_t chunk = 8192);
// Plain cross-entropy on existing logits [N, V] (evaluation): mean over valid labels.
float cross_entropy(const Tensor& logits, const Tensor& labels);

// ---- optimiser ----
void adamw_step(Tensor& param_f32, const Tensor& grad, Tensor& m, Tensor& v,
                const AdamWParams& p);
// sqrt(sum of squares) over all tensors (one host sync).
float global_grad_norm(const std::vector<Tensor>& grads);

// ---- sampling ----
struct SamplingParams {
  bool do_sample = true;
  float temperature = 0.95f;  // 0 = greedy
  float top_p = 0.7f;
  int64_t top_k = 50;         // 0 = no limit
  float repetition_penalty = 1.0f;
};
// Picks the next token from logits [V] (one row). `history` gets the repetition
// penalty. Reproducible for the same rng state. Never uses a device multinomial.
int64_t sample(const Tensor& logits_row, const SamplingParams& p,
               const std::vector<int64_t>& history, std::mt19937_64& rng);

// Waits for the device's queued work.
void synchronize(const Device& d);

}  // namespace lf::ops
