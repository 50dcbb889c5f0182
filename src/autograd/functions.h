// Differentiable versions of the ops a decoder needs. Each takes and returns
// Vars, computes its value with the op of ops/ops.h and records its gradient
// rule next to it (in the .cpp named in each group). Arguments that are never
// differentiated (ids, labels, positions) are plain Tensors.
#pragma once
#include <cstdint>

#include "autograd/var.h"
#include "ops/ops.h"

namespace lf::ag {

// ---- linear algebra (linalg.cpp) ----
// y = x @ w^T + bias, w [out, in] (Hugging Face Linear). A frozen w costs one
// product in backward (dx), a frozen w with a constant x costs none.
Var linear(const Var& x, const Var& w, const Var& bias = Var());
// op(a) @ op(b); a [..., M, K], b [..., K, N] or 2-D (shared across the batch).
Var matmul(const Var& a, const Var& b, bool trans_a = false, bool trans_b = false);
// LoRA on a linear as one op: y = x w^T + bias + scale * (dropout(x) a^T) b^T,
// a [r, in], b [out, r] of any float dtype (cast to x's for the products). The
// adapter's term is written straight into the base output and, in backward,
// into dx, so the rank-r path costs its small products and no add, scale or
// cast pass over [tokens, out]; da and db accumulate in f32. dropout > 0
// draws the next seed of random.h's stream, as dropout() does.
Var lora_linear(const Var& x, const Var& w, const Var& bias, const Var& a, const Var& b,
                float scale, float dropout = 0.0f);

// ---- elementwise (elementwise.cpp) ----
Var add(const Var& a, const Var& b, float alpha = 1.0f, float beta = 1.0f);  // alpha a + beta b
Var mul(const Var& a, const Var& b);
Var scale(const Var& x, float s);
// Mixed precision: the gradient flows back in x's dtype, so an f32 master
// parameter cast to bf16 for compute receives an f32 gradient.
Var cast(const Var& x, DType dtype);
// Inverted dropout with the next seed of random.h's stream; the mask is
// regenerated from the seed in backward, never stored. p = 0 returns x.
Var dropout(const Var& x, float p);

// ---- normalisation, position, activation (layers.cpp) ----
Var rms_norm(const Var& x, const Var& w, float eps);
// p.inv_freq, when set, is copied: the caller's array need not outlive backward.
Var rope(const Var& x, const Tensor& positions, const ops::RopeParams& p);
Var swiglu(const Var& gate, const Var& up);
Var activation(ops::Activation kind, const Var& x);

// ---- attention (attention.cpp) ----
Var attention(const Var& q, const Var& k, const Var& v, const ops::AttentionParams& p);

// ---- embedding and loss (embedding_loss.cpp) ----
Var embedding(const Tensor& ids, const Var& weight);
// Mean cross-entropy (f32 [1]) of hidden [N, H] @ weight[V, H]^T against
// labels [N] (-100 = ignored), chunked over the vocabulary in forward and
// backward. Backward reads the loss's gradient on the host (one sync).
Var linear_cross_entropy(const Var& hidden, const Var& weight, const Tensor& labels,
                         int64_t chunk = 8192);

// ---- views (views.cpp): gradients are routed back through the view ----
Var view(const Var& x, const Shape& shape);
Var reshape(const Var& x, const Shape& shape);  // a view when x is contiguous, else a copy
Var transpose(const Var& x, int64_t d0, int64_t d1);
Var slice(const Var& x, int64_t dim, int64_t start, int64_t end);
Var contiguous(const Var& x);

}  // namespace lf::ag
