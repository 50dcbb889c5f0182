// Gradient rules of the products. With y = x w^T: dx = dy w, dw = dy^T x.
// With c = op(a) op(b): d op(a) = dc op(b)^T and d op(b) = op(a)^T dc, then
// transposed back when the operand was used transposed.
#include "autograd/functions.h"
#include "autograd/grad_mode.h"
#include "autograd/random.h"
#include "autograd/tape.h"

namespace lf::ag {

namespace {

// Swaps the last two dims and makes the result contiguous (gradients always are).
Tensor transposed(const Tensor& t) { return ops::contiguous(t.transpose(-1, -2)); }

// Rows of a [..., C] tensor as [N, C].
Tensor rows(const Tensor& t) { return t.reshape({-1, t.size(-1)}); }

// op(a)^T @ dc, summed over the batch when b was a 2-D matrix shared by a
// batched a.
Tensor op_b_grad(const Tensor& a, const Tensor& dc, bool trans_a, int64_t b_dim) {
  if (b_dim > 2 || a.dim() == 2) return ops::matmul(a, dc, !trans_a, false);
  // Shared b: one product over all rows when a's rows are the M dim...
  if (!trans_a) return ops::matmul(rows(a), rows(dc), true, false);
  // ...otherwise one product per batch entry, then their sum.
  Tensor per_batch = ops::matmul(a, dc, false, false);  // [..., K, N]
  int64_t k = per_batch.size(-2), n = per_batch.size(-1);
  Tensor sum = ops::zeros({k * n}, DType::f32, dc.device());
  ops::sum_rows_(sum, per_batch.view({-1, k * n}));
  return sum.view({k, n});
}

Tensor in_dtype(const Tensor& t, DType dtype) { return t.dtype() == dtype ? t : ops::cast(t, dtype); }

// x w^T (+ bias); where nothing will read it (grad_mode.h, UnreadOutput) only
// its storage: backward needs the node, not the value.
Tensor linear_value(const Tensor& x, const Tensor& w, const Tensor& bias) {
  if (!output_unread()) return ops::linear(x, w, bias);
  Shape shape = x.shape();
  shape.back() = w.size(0);
  return Tensor::empty(shape, x.dtype(), x.device());
}

}  // namespace

Var linear(const Var& x, const Var& w, const Var& bias) {
  Tensor y = linear_value(x.value(), w.value(), bias.value());
  // Save only what the wanted gradients read: dx needs w, dw needs x.
  Tensor xs = w.requires_grad() ? x.value() : Tensor();
  Tensor ws = x.requires_grad() ? w.value() : Tensor();
  return record("linear", std::move(y), {x, w, bias}, [xs, ws](const Tensor& dy, Grads& g) {
    if (g.wants(0)) g.add(0, ops::matmul(dy, ws));
    if (g.wants(1)) {
      ops::matmul_(g.accumulator(1), rows(dy), rows(xs), true, false, 1.0f, 1.0f);
    }
    if (g.wants(2)) ops::sum_rows_(g.accumulator(2), dy);
  });
}

Var lora_linear(const Var& x, const Var& w, const Var& bias, const Var& a, const Var& b,
                float scale, float dropout) {
  const DType dt = x.dtype();
  Tensor ac = in_dtype(a.value(), dt), bc = in_dtype(b.value(), dt);
  const uint64_t seed = dropout > 0 ? next_dropout_seed() : 0;
  Tensor h = dropout > 0 ? ops::dropout(x.value(), dropout, seed) : x.value();
  Tensor y = linear_value(x.value(), w.value(), bias.value());
  Tensor u = ops::matmul(rows(h), ac, false, true);  // [N, r]: db reads it
  if (!output_unread()) {
    Tensor y_rows = rows(y);
    ops::matmul_(y_rows, u, bc, false, true, scale, 1.0f);
  }
  // dx needs w and the adapter; da re-draws the dropout mask from x and the seed.
  Tensor ws = x.requires_grad() ? w.value() : Tensor();
  Tensor xs = w.requires_grad() || a.requires_grad() ? x.value() : Tensor();
  return record("lora_linear", std::move(y), {x, w, bias, a, b},
                [xs, ws, ac, bc, u, seed, scale, dropout](const Tensor& dy, Grads& g) {
                  Tensor dy_rows = rows(dy);
                  // du = dy b (the scale is folded into the products that read it).
                  Tensor du = g.wants(0) || g.wants(3) ? ops::matmul(dy_rows, bc) : Tensor();
                  if (g.wants(0)) {
                    Tensor dx = ops::matmul(dy, ws);
                    Tensor dx_rows = rows(dx);
                    if (dropout > 0) {  // the adapter's share passes back through the mask
                      Tensor dh = ops::dropout(ops::matmul(du, ac), dropout, seed);
                      ops::add_(dx_rows, dh, scale);
                    } else {
                      ops::matmul_(dx_rows, du, ac, false, false, scale, 1.0f);
                    }
                    g.add(0, dx);
                  }
                  if (g.wants(1)) {
                    ops::matmul_(g.accumulator(1), dy_rows, rows(xs), true, false, 1.0f, 1.0f);
                  }
                  if (g.wants(2)) ops::sum_rows_(g.accumulator(2), dy);
                  if (g.wants(3)) {
                    Tensor h = dropout > 0 ? ops::dropout(xs, dropout, seed) : xs;
                    ops::matmul_(g.accumulator(3), du, rows(h), true, false, scale, 1.0f);
                  }
                  if (g.wants(4)) {
                    ops::matmul_(g.accumulator(4), dy_rows, u, true, false, scale, 1.0f);
                  }
                });
}

Var matmul(const Var& a, const Var& b, bool trans_a, bool trans_b) {
  Tensor c = ops::matmul(a.value(), b.value(), trans_a, trans_b);
  Tensor as = b.requires_grad() ? a.value() : Tensor();
  Tensor bs = a.requires_grad() ? b.value() : Tensor();
  int64_t bs_dim = b.value().dim();
  return record("matmul", std::move(c), {a, b},
                [as, bs, bs_dim, trans_a, trans_b](const Tensor& dc, Grads& g) {
                  if (g.wants(0)) {
                    Tensor da = ops::matmul(dc, bs, false, !trans_b);  // d op(a)
                    g.add(0, trans_a ? transposed(da) : da);
                  }
                  if (g.wants(1)) {
                    Tensor db = op_b_grad(as, dc, trans_a, bs_dim);  // d op(b)
                    g.add(1, trans_b ? transposed(db) : db);
                  }
                });
}

}  // namespace lf::ag
