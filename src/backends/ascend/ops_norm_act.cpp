// RMSNorm, SwiGLU and activations on the NPU.
#include <cmath>

#include "aclnnop/aclnn_gelu.h"
#include "aclnnop/aclnn_gelu_backward.h"
#include "aclnnop/aclnn_rms_norm.h"
#include "aclnnop/aclnn_rms_norm_grad.h"
#include "aclnnop/aclnn_silu.h"
#include "aclnnop/aclnn_silu_backward.h"
#include "aclnnop/aclnn_swi_glu.h"
#include "aclnnop/aclnn_swi_glu_grad.h"
#include "aclnnop/aclnn_tanh.h"
#include "backends/ascend/backend.h"
#include "backends/ascend/kernels.h"

namespace lf::ascend {

using k::dev;

namespace {

// rstd [N] as aclnnRmsNorm wants it: x's rank with the normalised dim = 1.
AclTensor rstd_view(const Tensor& rstd) { return AclTensor(rstd, {rstd.numel(), 1}, {1, 1}, rstd.offset()); }

Tensor gamma_like(const Tensor& w, const Tensor& x) {
  if (w.dtype() == x.dtype()) return w;
  Tensor g = k::like(w, w.shape(), x.dtype());
  k::cast(w, g);
  return g;
}

// When gate and up are the two halves of one [N, 2I] buffer (a fused gate_up
// projection), the [N, 2I] view that aclnnSwiGlu takes (A = first half).
bool fused_halves(const Tensor& gate, const Tensor& up, Shape* dims, Shape* strides) {
  if (gate.dim() != 2 || !gate.same_storage(up) || gate.shape() != up.shape()) return false;
  int64_t I = gate.size(1);
  if (gate.stride(1) != 1 || up.stride(1) != 1 || gate.stride(0) != 2 * I ||
      up.stride(0) != 2 * I || up.offset() != gate.offset() + I)
    return false;
  *dims = {gate.size(0), 2 * I};
  *strides = {2 * I, 1};
  return true;
}

void silu(const Tensor& x, Tensor& y) {
  AclTensor tx(x), ty(y);
  LF_ACLNN(dev(y), Silu, tx.get(), ty.get());
}

void silu_backward(const Tensor& dy, const Tensor& x, Tensor& dx) {
  AclTensor tdy(dy), tx(x), tdx(dx);
  LF_ACLNN(dev(dx), SiluBackward, tdy.get(), tx.get(), tdx.get());
}

void tanh(const Tensor& x, Tensor& y) {
  AclTensor tx(x), ty(y);
  LF_ACLNN(dev(y), Tanh, tx.get(), ty.get());
}

constexpr double kGeluC = 0.044715;
const double kGeluK = std::sqrt(2.0 / M_PI);

// tanh(k * (x + c x^3)) in f32, for the tanh-approximated GELU.
Tensor gelu_tanh_inner(const Tensor& x) {
  Tensor x2 = k::like(x, x.shape(), DType::f32), u = k::like(x, x.shape(), DType::f32);
  k::mul(x, x, x2);
  k::mul(x2, x, u);           // x^3
  k::inplace_muls(u, kGeluC);
  k::inplace_add(u, x, 1.0);  // x + c x^3
  k::inplace_muls(u, kGeluK);
  tanh(u, u);
  return u;
}

}  // namespace

void AscendBackend::rms_norm(const Tensor& x, const Tensor& w, float eps, Tensor& y, Tensor& rstd) {
  Tensor g = gamma_like(w, x);
  AclTensor tx(x), tg(g), ty(y), tr = rstd_view(rstd);
  LF_ACLNN(dev(y), RmsNorm, tx.get(), tg.get(), static_cast<double>(eps), ty.get(), tr.get());
}

void AscendBackend::rms_norm_backward(const Tensor& dy, const Tensor& x, const Tensor& w,
                                      const Tensor& rstd, Tensor& dx, Tensor& dw) {
  Tensor g = gamma_like(w, x);
  Tensor dgamma = k::like(x, w.shape(), DType::f32);
  {
    AclTensor tdy(dy), tx(x), tr = rstd_view(rstd), tg(g), tdx(dx), tdg(dgamma);
    LF_ACLNN(dev(dx), RmsNormGrad, tdy.get(), tx.get(), tr.get(), tg.get(), tdx.get(), tdg.get());
  }
  if (dw.defined()) k::inplace_add(dw, dgamma, 1.0);
}

void AscendBackend::swiglu(const Tensor& gate, const Tensor& up, Tensor& out) {
  Shape dims, strides;
  if (fused_halves(gate, up, &dims, &strides)) {
    AclTensor x(gate, dims, strides, gate.offset()), o(out);
    LF_ACLNN(dev(out), SwiGlu, x.get(), -1, o.get());
    return;
  }
  Tensor s = k::like(gate, gate.shape(), DType::f32);
  silu(gate, s);
  k::mul(s, up, out);
}

void AscendBackend::swiglu_backward(const Tensor& dout, const Tensor& gate, const Tensor& up,
                                    Tensor& dgate, Tensor& dup) {
  Shape dims, strides, gdims, gstrides;
  if (fused_halves(gate, up, &dims, &strides) && fused_halves(dgate, dup, &gdims, &gstrides)) {
    AclTensor tdy(dout), x(gate, dims, strides, gate.offset()),
        dx(dgate, gdims, gstrides, dgate.offset());
    LF_ACLNN(dev(dgate), SwiGluGrad, tdy.get(), x.get(), -1, dx.get());
    return;
  }
  // dup = dout * silu(gate); dgate = silu'(gate) * (dout * up).
  Tensor s = k::like(gate, gate.shape(), DType::f32), t = k::like(gate, gate.shape(), DType::f32);
  silu(gate, s);
  k::mul(dout, up, t);
  k::mul(dout, s, dup);
  silu_backward(t, gate, dgate);
}

void AscendBackend::activation(ops::Activation kind, const Tensor& x, Tensor& y) {
  switch (kind) {
    case ops::Activation::silu:
      silu(x, y);
      return;
    case ops::Activation::gelu: {
      AclTensor tx(x), ty(y);
      LF_ACLNN(dev(y), Gelu, tx.get(), ty.get());
      return;
    }
    case ops::Activation::gelu_tanh: {
      // 0.5 x (1 + tanh(k (x + c x^3)))
      Tensor t = gelu_tanh_inner(x);
      k::adds(t, 1.0, t);
      k::inplace_muls(t, 0.5);
      k::mul(t, x, y);
      return;
    }
  }
}

void AscendBackend::activation_backward(ops::Activation kind, const Tensor& dy, const Tensor& x,
                                        Tensor& dx) {
  switch (kind) {
    case ops::Activation::silu:
      silu_backward(dy, x, dx);
      return;
    case ops::Activation::gelu: {
      AclTensor tdy(dy), tx(x), tdx(dx);
      LF_ACLNN(dev(dx), GeluBackward, tdy.get(), tx.get(), tdx.get());
      return;
    }
    case ops::Activation::gelu_tanh: {
      // d/dx = 0.5 (1 + t) + 0.5 k x (1 + 3c x^2) (1 - t^2), t = tanh(k (x + c x^3)).
      Tensor t = gelu_tanh_inner(x);
      Tensor w = k::like(x, x.shape(), DType::f32), t2 = k::like(x, x.shape(), DType::f32);
      k::mul(x, x, w);
      k::inplace_muls(w, 3.0 * kGeluC);
      k::adds(w, 1.0, w);
      k::mul(w, x, w);
      k::inplace_muls(w, 0.5 * kGeluK);  // 0.5 k x (1 + 3c x^2)
      k::mul(t, t, t2);
      k::inplace_muls(t2, -1.0);
      k::adds(t2, 1.0, t2);              // 1 - t^2
      k::mul(w, t2, w);
      k::adds(t, 1.0, t);
      k::inplace_muls(t, 0.5);           // 0.5 (1 + t)
      k::inplace_add(w, t, 1.0);
      k::mul(dy, w, dx);
      return;
    }
  }
}

}  // namespace lf::ascend
