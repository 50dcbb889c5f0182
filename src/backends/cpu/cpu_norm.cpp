// RMSNorm forward and backward, one row per iteration, f32 statistics.
#include <cmath>
#include <vector>

#include "backends/cpu/cpu_backend.h"
#include "backends/cpu/cpu_convert.h"
#include "backends/cpu/cpu_parallel.h"

namespace lf::cpu {

void CpuBackend::rms_norm(const Tensor& x, const Tensor& w, float eps, Tensor& y, Tensor& rstd) {
  const int64_t H = w.numel(), N = H ? x.numel() / H : 0;
  Tensor wf = contiguous_f32(w);
  const float* wp = wf.data<float>();
  float* rp = rstd.data<float>();
#pragma omp parallel if (N * H >= kParallelMin)
  {
    std::vector<float> buf(H);
#pragma omp for schedule(static)
    for (int64_t n = 0; n < N; ++n) {
      load_f32(elem_ptr(x, n * H), x.dtype(), H, buf.data());
      float ss = 0.0f;
#pragma omp simd reduction(+ : ss)
      for (int64_t i = 0; i < H; ++i) ss += buf[i] * buf[i];
      const float r = 1.0f / std::sqrt(ss / static_cast<float>(H) + eps);
      rp[n] = r;
#pragma omp simd
      for (int64_t i = 0; i < H; ++i) buf[i] = buf[i] * r * wp[i];
      store_f32(buf.data(), H, y.dtype(), elem_ptr(y, n * H));
    }
  }
}

void CpuBackend::rms_norm_backward(const Tensor& dy, const Tensor& x, const Tensor& w,
                                   const Tensor& rstd, Tensor& dx, Tensor& dw) {
  const int64_t H = w.numel(), N = H ? x.numel() / H : 0;
  Tensor wf = contiguous_f32(w);
  const float* wp = wf.data<float>();
  const float* rp = rstd.data<float>();
  const bool want_dw = dw.defined();
#pragma omp parallel if (N * H >= kParallelMin)
  {
    std::vector<float> xb(H), gb(H), dwp(want_dw ? H : 0, 0.0f);
#pragma omp for schedule(static)
    for (int64_t n = 0; n < N; ++n) {
      load_f32(elem_ptr(x, n * H), x.dtype(), H, xb.data());
      load_f32(elem_ptr(dy, n * H), dy.dtype(), H, gb.data());
      const float r = rp[n];
      float dot = 0.0f;
#pragma omp simd reduction(+ : dot)
      for (int64_t i = 0; i < H; ++i) dot += wp[i] * gb[i] * xb[i];
      if (want_dw) {
#pragma omp simd
        for (int64_t i = 0; i < H; ++i) dwp[i] += gb[i] * xb[i] * r;
      }
      // dx = r * (w*dy - x * r^2 * mean(w*dy*x))
      const float c = r * r * dot / static_cast<float>(H);
#pragma omp simd
      for (int64_t i = 0; i < H; ++i) gb[i] = r * (wp[i] * gb[i] - xb[i] * c);
      store_f32(gb.data(), H, dx.dtype(), elem_ptr(dx, n * H));
    }
    if (want_dw) {
      float* d = dw.data<float>();
#pragma omp critical
      for (int64_t i = 0; i < H; ++i) d[i] += dwp[i];
    }
  }
}

}  // namespace lf::cpu
