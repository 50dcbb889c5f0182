// Creation, elementwise arithmetic, casts and copies.
#include "ops/ops.h"
#include "ops/ops_check.h"

namespace lf::ops {
using detail::Arg;

namespace {

void require_same_shape(const char* op, const Arg& a, const Arg& b) {
  LF_CHECK(a.t.shape() == b.t.shape(), op, ": shapes differ: ", detail::describe_args({a, b}));
}

// An in-place output must be contiguous: backends write outputs densely.
void require_contiguous_out(const char* op, const Arg& a) {
  LF_CHECK(a.t.is_contiguous(), op, ": in-place operand ", a.name, " ", a.t.describe(),
           " must be contiguous; call contiguous() first");
}

}  // namespace

Tensor zeros(const Shape& shape, DType dtype, Device device) { return full(shape, 0.0f, dtype, device); }

Tensor full(const Shape& shape, float value, DType dtype, Device device) {
  Tensor t = Tensor::empty(shape, dtype, device);
  if (t.numel() > 0) backend_for(device).fill(t, value);
  return t;
}

void fill_(Tensor& t, float value) {
  detail::require_defined("fill_", {"t", t});
  if (t.numel() == 0) return;
  if (t.is_contiguous()) {
    backend_for(t.device()).fill(t, value);
  } else {
    Tensor tmp = full(t.shape(), value, t.dtype(), t.device());
    backend_for(t.device()).copy(tmp, t);
  }
}

Tensor add(const Tensor& a, const Tensor& b, float alpha, float beta) {
  Device d = detail::common_device("add", {{"a", a}, {"b", b}});
  detail::require_float("add", {"a", a});
  detail::require_float("add", {"b", b});
  require_same_shape("add", {"a", a}, {"b", b});
  Tensor out = Tensor::empty(a.shape(), a.dtype(), d);
  if (out.numel()) backend_for(d).add(a.contiguous(), b.contiguous(), alpha, beta, out);
  return out;
}

void add_(Tensor& acc, const Tensor& b, float beta) {
  Device d = detail::common_device("add_", {{"acc", acc}, {"b", b}});
  detail::require_float("add_", {"acc", acc});
  detail::require_float("add_", {"b", b});
  require_same_shape("add_", {"acc", acc}, {"b", b});
  require_contiguous_out("add_", {"acc", acc});
  if (acc.numel()) backend_for(d).add(acc, b.contiguous(), 1.0f, beta, acc);
}

Tensor mul(const Tensor& a, const Tensor& b) {
  Device d = detail::common_device("mul", {{"a", a}, {"b", b}});
  detail::require_float("mul", {"a", a});
  detail::require_float("mul", {"b", b});
  require_same_shape("mul", {"a", a}, {"b", b});
  Tensor out = Tensor::empty(a.shape(), a.dtype(), d);
  if (out.numel()) backend_for(d).mul(a.contiguous(), b.contiguous(), out);
  return out;
}

Tensor scale(const Tensor& x, float s) {
  detail::require_float("scale", {"x", x});
  Tensor out = Tensor::empty(x.shape(), x.dtype(), x.device());
  if (out.numel()) backend_for(x.device()).scale(x.contiguous(), s, out);
  return out;
}

void scale_(Tensor& x, float s) {
  detail::require_float("scale_", {"x", x});
  require_contiguous_out("scale_", {"x", x});
  if (x.numel()) backend_for(x.device()).scale(x, s, x);
}

Tensor cast(const Tensor& x, DType dtype) {
  detail::require_defined("cast", {"x", x});
  if (x.dtype() == dtype) return x;
  Tensor out = Tensor::empty(x.shape(), dtype, x.device());
  if (out.numel()) backend_for(x.device()).cast(x, out);
  return out;
}

Tensor contiguous(const Tensor& x) {
  detail::require_defined("contiguous", {"x", x});
  if (x.is_contiguous()) return x;
  Tensor out = Tensor::empty(x.shape(), x.dtype(), x.device());
  if (out.numel()) backend_for(x.device()).copy(x, out);
  return out;
}

void copy_(Tensor& dst, const Tensor& src) {
  Device d = detail::common_device("copy_", {{"dst", dst}, {"src", src}});
  require_same_shape("copy_", {"dst", dst}, {"src", src});
  if (dst.numel()) backend_for(d).copy(src, dst);
}

Tensor bias_add(const Tensor& x, const Tensor& bias) {
  Device d = detail::common_device("bias_add", {{"x", x}, {"bias", bias}});
  detail::require_float("bias_add", {"x", x});
  detail::require_float("bias_add", {"bias", bias});
  LF_CHECK(x.dim() >= 1 && bias.dim() == 1 && bias.size(0) == x.size(-1),
           "bias_add: bias must be [C] with C the last dimension of x: ",
           detail::describe_args({{"x", x}, {"bias", bias}}));
  Tensor out = Tensor::empty(x.shape(), x.dtype(), d);
  if (out.numel()) backend_for(d).bias_add(x.contiguous(), bias.contiguous(), out);
  return out;
}

void sum_rows_(Tensor& acc_f32, const Tensor& x) {
  Device d = detail::common_device("sum_rows_", {{"acc", acc_f32}, {"x", x}});
  detail::require_float("sum_rows_", {"x", x});
  LF_CHECK(acc_f32.dtype() == DType::f32 && acc_f32.dim() == 1 && acc_f32.is_contiguous() &&
               x.dim() >= 1 && x.size(-1) == acc_f32.size(0),
           "sum_rows_: acc must be contiguous float32 [C] with C the last dimension of x: ",
           detail::describe_args({{"acc", acc_f32}, {"x", x}}));
  if (x.numel()) backend_for(d).sum_rows(x.contiguous(), acc_f32);
}

Tensor dropout(const Tensor& x, float p, uint64_t seed) {
  detail::require_float("dropout", {"x", x});
  LF_CHECK(p >= 0.0f && p < 1.0f, "dropout: probability ", p, " must be in [0, 1)");
  if (p == 0.0f) return x;
  Tensor out = Tensor::empty(x.shape(), x.dtype(), x.device());
  if (out.numel()) backend_for(x.device()).dropout(x.contiguous(), p, seed, out);
  return out;
}

void synchronize(const Device& d) { backend_for(d).synchronize(d.index); }

}  // namespace lf::ops
