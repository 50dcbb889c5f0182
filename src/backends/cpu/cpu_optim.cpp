// Fused AdamW (torch.optim.AdamW semantics: decoupled weight decay, bias
// correction) and the sum of squares behind the global gradient norm.
#include <cmath>

#include "backends/cpu/cpu_backend.h"
#include "backends/cpu/cpu_convert.h"
#include "backends/cpu/cpu_parallel.h"

namespace lf::cpu {

void CpuBackend::adamw(Tensor& param, const Tensor& grad, Tensor& m, Tensor& v,
                       const ops::AdamWParams& p) {
  const float bc1 = 1.0f - static_cast<float>(std::pow(p.beta1, static_cast<double>(p.step)));
  const float bc2 = 1.0f - static_cast<float>(std::pow(p.beta2, static_cast<double>(p.step)));
  const float step_size = p.lr / bc1, inv_sqrt_bc2 = 1.0f / std::sqrt(bc2);
  const float decay = 1.0f - p.lr * p.weight_decay;
  float* w = param.data<float>();
  float* mp = m.data<float>();
  float* vp = v.data<float>();
  for_chunks(param.numel(), [&](int64_t i0, int64_t n) {
    float g[kChunk];
    load_f32(elem_ptr(grad, i0), grad.dtype(), n, g);
#pragma omp simd
    for (int64_t i = 0; i < n; ++i) {
      const int64_t k = i0 + i;
      const float gi = g[i] * p.grad_scale;
      mp[k] = p.beta1 * mp[k] + (1.0f - p.beta1) * gi;
      vp[k] = p.beta2 * vp[k] + (1.0f - p.beta2) * gi * gi;
      const float denom = std::sqrt(vp[k]) * inv_sqrt_bc2 + p.eps;
      w[k] = w[k] * decay - step_size * mp[k] / denom;
    }
  });
}

void CpuBackend::sum_squares(const Tensor& x, Tensor& out) {
  const int64_t n_all = x.numel();
  const int64_t chunks = (n_all + kChunk - 1) / kChunk;
  double total = 0.0;
#pragma omp parallel for schedule(static) reduction(+ : total) if (n_all >= kParallelMin)
  for (int64_t c = 0; c < chunks; ++c) {
    const int64_t i0 = c * kChunk, n = std::min(kChunk, n_all - i0);
    float buf[kChunk];
    load_f32(elem_ptr(x, i0), x.dtype(), n, buf);
    float s = 0.0f;
#pragma omp simd reduction(+ : s)
    for (int64_t i = 0; i < n; ++i) s += buf[i] * buf[i];
    total += s;
  }
  out.data<float>()[0] += static_cast<float>(total);
}

}  // namespace lf::cpu
