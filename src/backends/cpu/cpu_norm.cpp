// RMSNorm forward and backward, one row per iteration, f32 statistics. Each
// row is read twice, the second time from L1 (a 4096-wide bf16 row is 8 KiB):
// once for its statistics, once to write the output.
#include <algorithm>
#include <cmath>
#include <vector>

#include "backends/cpu/cpu_backend.h"
#include "backends/cpu/cpu_dispatch.h"
#include "backends/cpu/cpu_parallel.h"
#include "backends/cpu/cpu_vec.h"

namespace lf::cpu {
namespace {

template <typename T>
void rms_norm_rows(const T* x, const float* w, float eps, int64_t N, int64_t H, T* y,
                   float* rstd) {
#pragma omp parallel for schedule(static) if (N * H >= kParallelMin)
  for (int64_t n = 0; n < N; ++n) {
    const T* xr = x + n * H;
    T* yr = y + n * H;
    const float ss = sum_lanes(H, [&](int64_t i, int64_t c) {
      const vf v = vload(xr + i, c, 0.0f);
      return v * v;
    });
    const float r = 1.0f / std::sqrt(ss / static_cast<float>(H) + eps);
    rstd[n] = r;
    for_lanes(H, [&](int64_t i, int64_t c) {
      vstore(yr + i, vload(xr + i, c, 0.0f) * r * vload(w + i, c, 0.0f), c);
    });
  }
}

// dw is a column sum over rows, so it lives in memory (per thread); rows go in
// blocks of kRowBlock so that each dw load and store serves several rows.
constexpr int64_t kRowBlock = 4;

template <typename T>
void rms_norm_backward_rows(const T* dy, const T* x, const float* w, const float* rstd,
                            int64_t N, int64_t H, T* dx, float* dw) {
  const int64_t blocks = (N + kRowBlock - 1) / kRowBlock;
#pragma omp parallel if (N * H >= kParallelMin)
  {
    std::vector<float> dwp(dw ? H : 0, 0.0f);  // this thread's share of dw
#pragma omp for schedule(static)
    for (int64_t b = 0; b < blocks; ++b) {
      const int64_t n0 = b * kRowBlock, rows = std::min(kRowBlock, N - n0);
      // dx = r * (w*dy - x * k) with k = r^2 * mean(w*dy*x)
      float k[kRowBlock];
      for (int64_t j = 0; j < rows; ++j) {
        const T* gr = dy + (n0 + j) * H;
        const T* xr = x + (n0 + j) * H;
        const float r = rstd[n0 + j];
        k[j] = r * r / static_cast<float>(H) * sum_lanes(H, [&](int64_t i, int64_t c) {
                 return vload(gr + i, c, 0.0f) * vload(xr + i, c, 0.0f) * vload(w + i, c, 0.0f);
               });
      }
      for_lanes(H, [&](int64_t i, int64_t c) {
        const vf wv = vload(w + i, c, 0.0f);
        vf dwv = dw ? vload(dwp.data() + i, c, 0.0f) : vf{};
        for (int64_t j = 0; j < rows; ++j) {
          const int64_t off = (n0 + j) * H + i;
          const float r = rstd[n0 + j];
          const vf g = vload(dy + off, c, 0.0f), xv = vload(x + off, c, 0.0f);
          vstore(dx + off, r * (wv * g - xv * k[j]), c);
          dwv += g * xv * r;
        }
        if (dw) vstore(dwp.data() + i, dwv, c);
      });
    }
    if (dw) {
#pragma omp critical
      for (int64_t i = 0; i < H; ++i) dw[i] += dwp[i];
    }
  }
}

}  // namespace

void CpuBackend::rms_norm(const Tensor& x, const Tensor& w, float eps, Tensor& y, Tensor& rstd) {
  const int64_t H = w.numel(), N = H ? x.numel() / H : 0;
  const DType k = kernel_dtype({&x, &y});
  Tensor wf = contiguous_f32(w), xs = kernel_input(x, k), ys = kernel_output(y, k);
  visit_dtype(k, [&](auto tag) {
    using T = decltype(tag);
    rms_norm_rows(elems<T>(xs), wf.data<float>(), eps, N, H, mutable_elems<T>(ys), rstd.data<float>());
  });
  finish_output(ys, y);
}

void CpuBackend::rms_norm_backward(const Tensor& dy, const Tensor& x, const Tensor& w,
                                   const Tensor& rstd, Tensor& dx, Tensor& dw) {
  const int64_t H = w.numel(), N = H ? x.numel() / H : 0;
  const DType k = kernel_dtype({&dy, &x, &dx});
  Tensor wf = contiguous_f32(w), gs = kernel_input(dy, k), xs = kernel_input(x, k),
         dxs = kernel_output(dx, k);
  float* dwp = dw.defined() ? dw.data<float>() : nullptr;
  visit_dtype(k, [&](auto tag) {
    using T = decltype(tag);
    rms_norm_backward_rows(elems<T>(gs), elems<T>(xs), wf.data<float>(), rstd.data<float>(), N, H,
                           mutable_elems<T>(dxs), dwp);
  });
  finish_output(dxs, dx);
}

}  // namespace lf::cpu
