// The AdamW step. Fused where CANN has it: aclnnApplyAdamWV2 (op referenced by
// op-plugin 6.0.rc1, header aclnn_apply_adam_w_v2.h listed for CANN 8.1.RC1 —
// reference §3.6, Appendix C; Atlas A2 / A3 only). Its header may be missing
// from older toolkits, so it is resolved with dlsym and its prototype is
// restated below (CANN ops-nn docs/aclnnApplyAdamWV2.md). It updates param, m
// and v in place with bias correction from a one-element device `step`
// (amsgrad and maximize off).
// Fallback (other SoCs, CANN without the op): a composition of aclnn
// elementwise kernels, m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
// p = p (1 - lr wd) - lr / bc1 * m / (sqrt(v / bc2) + eps).
// Both first turn grad into f32 (the dtype of param, m, v) times grad_scale.
#include <dlfcn.h>

#include <cmath>

#include "aclnnop/aclnn_div.h"
#include "aclnnop/aclnn_sqrt.h"
#include "backends/ascend/backend.h"
#include "backends/ascend/kernels.h"
#include "backends/ascend/runtime.h"

namespace lf::ascend {

using k::dev;

namespace {

using AdamWV2Phase1 = aclnnStatus (*)(aclTensor* varRef, aclTensor* mRef, aclTensor* vRef,
                                      aclTensor* maxGradNormOptionalRef, const aclTensor* grad,
                                      const aclTensor* step, float lr, float beta1, float beta2,
                                      float weightDecay, float eps, bool amsgrad, bool maximize,
                                      uint64_t* workspaceSize, aclOpExecutor** executor);

struct FusedAdamW {
  AdamWV2Phase1 phase1 = nullptr;
  Phase2 phase2 = nullptr;
};

// aclnnApplyAdamWV2(GetWorkspaceSize), or nullptrs on CANN without it.
const FusedAdamW& fused_adamw() {
  static const FusedAdamW f = [] {
    FusedAdamW r;
    r.phase1 = reinterpret_cast<AdamWV2Phase1>(dlsym(RTLD_DEFAULT, "aclnnApplyAdamWV2GetWorkspaceSize"));
    r.phase2 = reinterpret_cast<Phase2>(dlsym(RTLD_DEFAULT, "aclnnApplyAdamWV2"));
    return r;
  }();
  return f;
}

void composed_adamw(Tensor& param, const Tensor& g, Tensor& m, Tensor& v, const ops::AdamWParams& p) {
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

}  // namespace

void AscendBackend::adamw(Tensor& param, const Tensor& grad, Tensor& m, Tensor& v,
                          const ops::AdamWParams& p) {
  Tensor g = k::f32(grad);
  if (p.grad_scale != 1.0f) {
    Tensor scaled = k::like(param, param.shape(), DType::f32);
    k::muls(g, p.grad_scale, scaled);
    g = scaled;
  }
  const FusedAdamW& fused = fused_adamw();
  if (!fused.phase1 || !fused.phase2 || !runtime().bf16_supported()) {
    composed_adamw(param, g, m, v, p);
    return;
  }
  Tensor step = Tensor::from_ints({p.step}, {1}, DType::i64, param.device());
  AclTensor tp(param), tm(m), tv(v), tg(g), ts(step);
  launch(dev(param), "aclnnApplyAdamWV2",
         [&](uint64_t* ws, aclOpExecutor** ex) {
           return fused.phase1(tp.get(), tm.get(), tv.get(), nullptr, tg.get(), ts.get(), p.lr,
                               p.beta1, p.beta2, p.weight_decay, p.eps, false, false, ws, ex);
         },
         fused.phase2);
}

}  // namespace lf::ascend
