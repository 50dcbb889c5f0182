// Matmul, batched matmul and the Hugging Face Linear convention.
#include "ops/ops.h"
#include "ops/ops_check.h"

namespace lf::ops {

namespace {

// Shape of op(a) @ op(b) after checking operands; throws naming both shapes.
Shape matmul_shape(const char* op, const Tensor& a, const Tensor& b, bool ta, bool tb) {
  detail::require_float(op, {"a", a});
  detail::require_float(op, {"b", b});
  // Built only when a check fails: formatting costs more than a decode step's small ops.
  const auto both = [&] { return detail::describe_args({{"a", a}, {"b", b}}); };
  LF_CHECK(a.dim() >= 2 && b.dim() >= 2, op, ": operands need at least 2 dimensions: ", both());
  LF_CHECK(b.dim() == 2 || b.dim() == a.dim(), op,
           ": b must be 2-D (shared) or have a's batch dimensions: ", both());
  if (b.dim() > 2)
    for (int64_t i = 0; i + 2 < a.dim(); ++i)
      LF_CHECK(a.size(i) == b.size(i), op, ": batch dimensions differ: ", both());
  const int64_t M = ta ? a.size(-1) : a.size(-2), K = ta ? a.size(-2) : a.size(-1);
  const int64_t Kb = tb ? b.size(-1) : b.size(-2), N = tb ? b.size(-2) : b.size(-1);
  LF_CHECK(K == Kb, op, ": inner dimensions differ (", K, " vs ", Kb, ") for ", both(),
           " with trans_a=", ta, ", trans_b=", tb);
  Shape out(a.shape().begin(), a.shape().end() - 2);
  out.push_back(M);
  out.push_back(N);
  return out;
}

}  // namespace

Tensor matmul(const Tensor& a, const Tensor& b, bool trans_a, bool trans_b) {
  Device d = detail::common_device("matmul", {{"a", a}, {"b", b}});
  Tensor c = Tensor::empty(matmul_shape("matmul", a, b, trans_a, trans_b), a.dtype(), d);
  if (c.numel()) backend_for(d).matmul(a, b, c, trans_a, trans_b, 1.0f, 0.0f);
  return c;
}

void matmul_(Tensor& c, const Tensor& a, const Tensor& b, bool trans_a, bool trans_b, float alpha,
             float beta) {
  Device d = detail::common_device("matmul_", {{"c", c}, {"a", a}, {"b", b}});
  detail::require_float("matmul_", {"c", c});
  Shape expect = matmul_shape("matmul_", a, b, trans_a, trans_b);
  LF_CHECK(c.shape() == expect, "matmul_: c has shape ", shape_str(c.shape()), " but op(a) @ op(b) is ",
           shape_str(expect), " (", detail::describe_args({{"a", a}, {"b", b}}), ")");
  LF_CHECK(c.is_contiguous(), "matmul_: c ", c.describe(), " must be contiguous");
  if (c.numel()) backend_for(d).matmul(a, b, c, trans_a, trans_b, alpha, beta);
}

void freeze_weight(const Tensor& w) {
  detail::require_float("freeze_weight", {"w", w});
  detail::require_dim("freeze_weight", {"w", w}, 2);
  backend_for(w.device()).freeze_weight(w);
}

Tensor linear(const Tensor& x, const Tensor& w, const Tensor& bias) {
  Device d = detail::common_device("linear", {{"x", x}, {"w", w}, {"bias", bias}});
  detail::require_float("linear", {"x", x});
  detail::require_dim("linear", {"w", w}, 2);
  LF_CHECK(x.dim() >= 1 && x.size(-1) == w.size(1), "linear: x's last dimension must equal w's "
           "in_features (w is [out, in]): ", detail::describe_args({{"x", x}, {"w", w}}));
  Shape out_shape = x.shape();
  out_shape.back() = w.size(0);
  Tensor y = matmul(x.reshape({-1, x.size(-1)}), w, false, true);
  if (bias.defined()) {
    LF_CHECK(bias.dim() == 1 && bias.size(0) == w.size(0), "linear: bias must be [out]: ",
             detail::describe_args({{"w", w}, {"bias", bias}}));
    Tensor yb = Tensor::empty(y.shape(), y.dtype(), d);
    backend_for(d).bias_add(y, bias.contiguous(), yb);
    y = yb;
  }
  return y.view(out_shape);
}

}  // namespace lf::ops
