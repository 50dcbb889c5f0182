// RMSNorm, rotary embedding and activations.
#include "ops/ops.h"
#include "ops/ops_check.h"

namespace lf::ops {

RmsNormOut rms_norm(const Tensor& x, const Tensor& w, float eps) {
  Device d = detail::common_device("rms_norm", {{"x", x}, {"w", w}});
  detail::require_float("rms_norm", {"x", x});
  detail::require_float("rms_norm", {"w", w});
  LF_CHECK(x.dim() >= 1 && w.dim() == 1 && w.size(0) == x.size(-1),
           "rms_norm: w must be [H] with H the last dimension of x: ",
           detail::describe_args({{"x", x}, {"w", w}}));
  Shape stat(x.shape().begin(), x.shape().end() - 1);
  RmsNormOut r{Tensor::empty(x.shape(), x.dtype(), d), Tensor::empty(stat, DType::f32, d)};
  if (x.numel()) backend_for(d).rms_norm(x.contiguous(), w.contiguous(), eps, r.y, r.rstd);
  return r;
}

Tensor rms_norm_backward(const Tensor& dy, const Tensor& x, const Tensor& w, const Tensor& rstd,
                         Tensor& dw) {
  const char* op = "rms_norm_backward";
  Device d = detail::common_device(op, {{"dy", dy}, {"x", x}, {"w", w}, {"rstd", rstd}, {"dw", dw}});
  detail::require_float(op, {"dy", dy});
  detail::require_float(op, {"x", x});
  detail::require_float(op, {"w", w});
  LF_CHECK(dy.shape() == x.shape() && w.dim() == 1 && x.dim() >= 1 && w.size(0) == x.size(-1) &&
               rstd.dtype() == DType::f32 && rstd.numel() * w.size(0) == x.numel(),
           op, ": shapes do not match: ",
           detail::describe_args({{"dy", dy}, {"x", x}, {"w", w}, {"rstd", rstd}}));
  if (dw.defined())
    LF_CHECK(dw.dtype() == DType::f32 && dw.shape() == w.shape() && dw.is_contiguous(), op,
             ": dw must be contiguous float32 shaped like w: ",
             detail::describe_args({{"w", w}, {"dw", dw}}));
  Tensor dx = Tensor::empty(x.shape(), x.dtype(), d);
  if (x.numel())
    backend_for(d).rms_norm_backward(dy.contiguous(), x.contiguous(), w.contiguous(),
                                     rstd.contiguous(), dx, dw);
  return dx;
}

Tensor rope(const Tensor& x, const Tensor& positions, const RopeParams& p, bool inverse) {
  Device d = detail::common_device("rope", {{"x", x}, {"positions", positions}});
  detail::require_float("rope", {"x", x});
  detail::require_index("rope", {"positions", positions});
  detail::require_dim("rope", {"x", x}, 4);
  LF_CHECK(positions.shape() == Shape({x.size(0), x.size(1)}),
           "rope: positions must be [B, T] for x [B, T, heads, head_dim]: ",
           detail::describe_args({{"x", x}, {"positions", positions}}));
  const int64_t rot = p.rotary_dim > 0 ? p.rotary_dim : x.size(3);
  LF_CHECK(rot % 2 == 0 && rot <= x.size(3), "rope: rotary_dim ", rot,
           " must be even and at most head_dim ", x.size(3));
  Tensor y = Tensor::empty(x.shape(), x.dtype(), d);
  if (x.numel()) backend_for(d).rope(x.contiguous(), positions.contiguous(), p, inverse, y);
  return y;
}

Tensor swiglu(const Tensor& gate, const Tensor& up) {
  Device d = detail::common_device("swiglu", {{"gate", gate}, {"up", up}});
  detail::require_float("swiglu", {"gate", gate});
  detail::require_float("swiglu", {"up", up});
  LF_CHECK(gate.shape() == up.shape(), "swiglu: shapes differ: ",
           detail::describe_args({{"gate", gate}, {"up", up}}));
  Tensor out = Tensor::empty(gate.shape(), gate.dtype(), d);
  if (out.numel()) backend_for(d).swiglu(gate.contiguous(), up.contiguous(), out);
  return out;
}

void swiglu_backward(const Tensor& dout, const Tensor& gate, const Tensor& up, Tensor& dgate,
                     Tensor& dup) {
  const char* op = "swiglu_backward";
  Device d = detail::common_device(op, {{"dout", dout}, {"gate", gate}, {"up", up}});
  detail::require_float(op, {"dout", dout});
  detail::require_float(op, {"gate", gate});
  detail::require_float(op, {"up", up});
  LF_CHECK(dout.shape() == gate.shape() && gate.shape() == up.shape(), op, ": shapes differ: ",
           detail::describe_args({{"dout", dout}, {"gate", gate}, {"up", up}}));
  dgate = Tensor::empty(gate.shape(), gate.dtype(), d);
  dup = Tensor::empty(up.shape(), up.dtype(), d);
  if (dout.numel())
    backend_for(d).swiglu_backward(dout.contiguous(), gate.contiguous(), up.contiguous(), dgate, dup);
}

Tensor activation(Activation kind, const Tensor& x) {
  detail::require_float("activation", {"x", x});
  Tensor y = Tensor::empty(x.shape(), x.dtype(), x.device());
  if (x.numel()) backend_for(x.device()).activation(kind, x.contiguous(), y);
  return y;
}

Tensor activation_backward(Activation kind, const Tensor& dy, const Tensor& x) {
  Device d = detail::common_device("activation_backward", {{"dy", dy}, {"x", x}});
  detail::require_float("activation_backward", {"dy", dy});
  detail::require_float("activation_backward", {"x", x});
  LF_CHECK(dy.shape() == x.shape(), "activation_backward: shapes differ: ",
           detail::describe_args({{"dy", dy}, {"x", x}}));
  Tensor dx = Tensor::empty(x.shape(), x.dtype(), d);
  if (x.numel()) backend_for(d).activation_backward(kind, dy.contiguous(), x.contiguous(), dx);
  return dx;
}

}  // namespace lf::ops
