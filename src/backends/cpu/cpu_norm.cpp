// RMSNorm forward and backward, f32 statistics. Forward goes one row per
// iteration and reads each row twice, the second time from L1 (a 4096-wide
// bf16 row is 8 KiB): once for its statistics, once to write the output.
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

// dx = r * (w*dy - x*k) with k = r^2 * mean(w*dy*x), and dw = sum over rows of
// r*dy*x. Rows go in blocks of kRowBlock. The first sweep over a block forms
// each row's dot and, from the same products, the block's share of dw, so
// this thread's dw row is loaded and stored once per block. The second sweep
// writes dx from the block's dy and x, now in L2 (four 4096-wide bf16 rows of
// dy and of x: 64 KiB), and meanwhile prefetches the next block: the memory reads
// then overlap the arithmetic instead of waiting for the first sweep.
constexpr int64_t kRowBlock = 4;

template <typename T, int64_t R>
void rms_norm_backward_block(const T* dy, const T* x, const float* w, const float* rstd, int64_t H,
                             T* dx, float* dwp, bool prefetch_next) {
  // Two dot accumulators per row, alternating by vector, so that consecutive
  // vectors do not wait on each other's add latency.
  vf dot[2][R] = {};
  float r[R];
  for (int64_t j = 0; j < R; ++j) r[j] = rstd[j];
  auto sweep = [&](int64_t i, int64_t c, int64_t acc) {
    const vf wv = vload(w + i, c, 0.0f);
    vf dwv = dwp ? vload(dwp + i, c, 0.0f) : vf{};
    for (int64_t j = 0; j < R; ++j) {
      const vf p = vload(dy + j * H + i, c, 0.0f) * vload(x + j * H + i, c, 0.0f);
      dot[acc][j] += p * wv;
      dwv += p * r[j];
    }
    if (dwp) vstore(dwp + i, dwv, c);
  };
  int64_t col = 0;
  for (; col + 2 * kLanes <= H; col += 2 * kLanes) {
    sweep(col, kLanes, 0);
    sweep(col + kLanes, kLanes, 1);
  }
  for (; col < H; col += kLanes) sweep(col, std::min(kLanes, H - col), 0);
  float b[R];  // dx = r*w*dy - b*x
  for (int64_t j = 0; j < R; ++j)
    b[j] = r[j] * r[j] * r[j] / static_cast<float>(H) * hsum(dot[0][j] + dot[1][j]);
  for (int64_t j = 0; j < R; ++j) {
    const T* gr = dy + j * H;
    const T* xr = x + j * H;
    T* dr = dx + j * H;
    for_lanes(H, [&](int64_t i, int64_t c) {
      if (prefetch_next) {
        __builtin_prefetch(gr + R * H + i, 0, 2);
        __builtin_prefetch(xr + R * H + i, 0, 2);
      }
      const vf wv = vload(w + i, c, 0.0f);
      vstore(dr + i, vload(gr + i, c, 0.0f) * (wv * r[j]) - vload(xr + i, c, 0.0f) * b[j], c);
    });
  }
}

template <typename T>
void rms_norm_backward_rows(const T* dy, const T* x, const float* w, const float* rstd,
                            int64_t N, int64_t H, T* dx, float* dw) {
  const int64_t blocks = (N + kRowBlock - 1) / kRowBlock;
#pragma omp parallel if (N * H >= kParallelMin)
  {
    std::vector<float> dwp(dw ? H : 0, 0.0f);  // this thread's share of dw
    float* dwt = dw ? dwp.data() : nullptr;
#pragma omp for schedule(static)
    for (int64_t b = 0; b < blocks; ++b) {
      const int64_t n0 = b * kRowBlock, off = n0 * H;
      if (N - n0 >= kRowBlock) {
        rms_norm_backward_block<T, kRowBlock>(dy + off, x + off, w, rstd + n0, H, dx + off, dwt,
                                              N - n0 >= 2 * kRowBlock);
      } else {
        for (int64_t n = n0; n < N; ++n)
          rms_norm_backward_block<T, 1>(dy + n * H, x + n * H, w, rstd + n, H, dx + n * H, dwt, false);
      }
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
