// Fused AdamW step and the global gradient norm.
#include <cmath>

#include "ops/ops.h"
#include "ops/ops_check.h"

namespace lf::ops {
using detail::Arg;

void adamw_step(Tensor& param_f32, const Tensor& grad, Tensor& m, Tensor& v, const AdamWParams& p) {
  const char* op = "adamw_step";
  Device d = detail::common_device(op, {{"param", param_f32}, {"grad", grad}, {"m", m}, {"v", v}});
  detail::require_float(op, {"grad", grad});
  for (const Arg& a : {Arg{"param", param_f32}, Arg{"m", m}, Arg{"v", v}}) {
    detail::require_defined(op, a);
    LF_CHECK(a.t.dtype() == DType::f32 && a.t.is_contiguous(), op, ": ", a.name,
             " must be contiguous float32 (master weights and optimiser state), got ", a.t.describe());
    detail::require_shape(op, a, grad.shape());
  }
  LF_CHECK(p.step >= 1, op, ": step must start at 1, got ", p.step);
  if (grad.numel()) backend_for(d).adamw(param_f32, grad.contiguous(), m, v, p);
}

float global_grad_norm(const std::vector<Tensor>& grads) {
  Tensor acc;
  for (size_t i = 0; i < grads.size(); ++i) {
    const Tensor& g = grads[i];
    if (!g.defined()) continue;
    detail::require_float("global_grad_norm", {"grad", g});
    if (!acc.defined()) acc = zeros({1}, DType::f32, g.device());
    const std::string name = "grads[" + std::to_string(i) + "]";
    detail::common_device("global_grad_norm", {{"grads[0]", acc}, {name.c_str(), g}});
    if (g.numel()) backend_for(g.device()).sum_squares(g.contiguous(), acc);
  }
  return acc.defined() ? std::sqrt(acc.item()) : 0.0f;
}

}  // namespace lf::ops
