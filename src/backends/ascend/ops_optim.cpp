// Fused AdamW step as a composition of aclnn elementwise kernels (every CANN
// version): m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
// p = p (1 - lr wd) - lr / bc1 * m / (sqrt(v / bc2) + eps).
// aclnnApplyAdamWV2 is not used: its prototype is not in our reference.
#include <cmath>

#include "aclnnop/aclnn_div.h"
#include "aclnnop/aclnn_sqrt.h"
#include "backends/ascend/backend.h"
#include "backends/ascend/kernels.h"

namespace lf::ascend {

using k::dev;

void AscendBackend::adamw(Tensor& param, const Tensor& grad, Tensor& m, Tensor& v,
                          const ops::AdamWParams& p) {
  Tensor g = k::f32(grad);
  if (p.grad_scale != 1.0f) {
    Tensor scaled = k::like(param, param.shape(), DType::f32);
    k::muls(g, p.grad_scale, scaled);
    g = scaled;
  }
  k::inplace_muls(m, p.beta1);
  k::inplace_add(m, g, 1.0 - p.beta1);
  Tensor g2 = k::like(param, param.shape(), DType::f32);
  k::mul(g, g, g2);
  k::inplace_muls(v, p.beta2);
  k::inplace_add(v, g2, 1.0 - p.beta2);
  if (p.weight_decay != 0.0f) k::inplace_muls(param, 1.0 - static_cast<double>(p.lr) * p.weight_decay);
  double bc1 = 1.0 - std::pow(static_cast<double>(p.beta1), static_cast<double>(p.step));
  double bc2 = 1.0 - std::pow(static_cast<double>(p.beta2), static_cast<double>(p.step));
  Tensor denom = g2;  // reuse: sqrt(v / bc2) + eps
  k::muls(v, 1.0 / bc2, denom);
  {
    AclTensor t(denom);
    LF_ACLNN(dev(param), Sqrt, t.get(), t.get());
  }
  k::adds(denom, p.eps, denom);
  {
    AclTensor tm(m), td(denom);
    LF_ACLNN(dev(param), Div, tm.get(), td.get(), td.get());
  }
  k::inplace_add(param, denom, -static_cast<double>(p.lr) / bc1);
}

}  // namespace lf::ascend
