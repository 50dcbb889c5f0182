// Simulated aclnnApplyAdamWV2 (reference §3.6; CANN ops-nn
// optim/apply_adam_w_v2/docs/aclnnApplyAdamWV2.md, the maximize / amsgrad terms
// as in docs/aclnnApplyAdamW.md), updating varRef, mRef, vRef in place:
//   g = maximize ? -grad : grad
//   m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2
//   amsgrad: maxGradNorm = max(maxGradNorm, v), used for v below
//   var = var - lr wd var - lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
// with t read from the one-element device tensor `step` (INT64 or FLOAT32).
// Rules: var, m, v, grad (and maxGradNorm) share shape and a float dtype;
// maxGradNorm is required with amsgrad; Atlas A2 / A3 only.
#include "aclnnop/aclnn_apply_adam_w_v2.h"
#include "ops_common.h"

using namespace cann_sim;

extern "C" aclnnStatus aclnnApplyAdamWV2GetWorkspaceSize(
    aclTensor* varRef, aclTensor* mRef, aclTensor* vRef, aclTensor* maxGradNormOptionalRef, const aclTensor* grad,
    const aclTensor* step, float lr, float beta1, float beta2, float weightDecay, float eps, bool amsgrad,
    bool maximize, uint64_t* ws, aclOpExecutor** ex) {
  const char* op = "ApplyAdamWV2";
  SIM_CHECK(op, varRef);
  SIM_CHECK(op, mRef);
  SIM_CHECK(op, vRef);
  SIM_CHECK(op, grad);
  SIM_CHECK(op, step);
  if (amsgrad) SIM_CHECK(op, maxGradNormOptionalRef);
  SIM_REQUIRE(op, soc_is_a2_or_later(), "supported on Atlas A2 / A3 only, not " + soc_name());
  TensorDesc p = desc(varRef), m = desc(mRef), v = desc(vRef), g = desc(grad), t = desc(step);
  for (const TensorDesc* x : {&m, &v, &g})
    SIM_REQUIRE(op, x->dims == p.dims && x->dtype == p.dtype, "mRef, vRef and grad must match varRef");
  SIM_REQUIRE(op, is_float(p.dtype), "varRef must be FLOAT16, BFLOAT16 or FLOAT32");
  SIM_REQUIRE(op, t.numel() == 1 && (t.dtype == ACL_INT64 || t.dtype == ACL_FLOAT),
              "step must be one INT64 or FLOAT32 element");
  TensorDesc mx;
  const bool has_max = maxGradNormOptionalRef != nullptr;
  if (has_max) {
    mx = desc(maxGradNormOptionalRef);
    SIM_REQUIRE(op, mx.dims == p.dims && mx.dtype == p.dtype, "maxGradNormOptionalRef must match varRef");
  }
  return make_executor(op, 0, [=] {
    auto vp = read(p), vm = read(m), vv = read(v), vg = read(g);
    std::vector<double> vmax = has_max ? read(mx) : std::vector<double>();
    const double n = read(t)[0];
    const double bc1 = 1.0 - std::pow(static_cast<double>(beta1), n);
    const double bc2 = 1.0 - std::pow(static_cast<double>(beta2), n);
    for (size_t i = 0; i < vp.size(); ++i) {
      const double gi = maximize ? -vg[i] : vg[i];
      vm[i] = beta1 * vm[i] + (1.0 - beta1) * gi;
      vv[i] = beta2 * vv[i] + (1.0 - beta2) * gi * gi;
      double second = vv[i];
      if (amsgrad) second = vmax[i] = std::max(vmax[i], vv[i]);
      vp[i] = vp[i] - lr * weightDecay * vp[i] - lr * (vm[i] / bc1) / (std::sqrt(second / bc2) + eps);
    }
    write(p, vp);
    write(m, vm);
    write(v, vv);
    if (amsgrad) write(mx, vmax);
  }, ws, ex);
}

SIM_PHASE2(ApplyAdamWV2)
