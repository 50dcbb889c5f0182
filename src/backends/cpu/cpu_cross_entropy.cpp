// One vocabulary chunk of cross-entropy: an online log-sum-exp update forward,
// softmax minus one-hot backward. Rows labelled -100 are skipped.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "backends/cpu/cpu_backend.h"
#include "backends/cpu/cpu_convert.h"
#include "backends/cpu/cpu_math.h"
#include "backends/cpu/cpu_parallel.h"

namespace lf::cpu {

void CpuBackend::cross_entropy_chunk(const Tensor& logits, const Tensor& labels, int64_t col0,
                                     Tensor& running_max, Tensor& running_sum,
                                     Tensor& target_logit) {
  const int64_t N = logits.size(0), C = logits.size(1);
  float* rm = running_max.data<float>();
  float* rs = running_sum.data<float>();
  float* tl = target_logit.data<float>();
#pragma omp parallel if (N * C >= kParallelMin)
  {
    std::vector<float> buf(C);
#pragma omp for schedule(static)
    for (int64_t n = 0; n < N; ++n) {
      const int64_t label = load_index(labels.raw_data(), labels.dtype(), n);
      if (label == -100) continue;
      load_f32(elem_ptr(logits, n * C), logits.dtype(), C, buf.data());
      float m = -std::numeric_limits<float>::infinity();
#pragma omp simd reduction(max : m)
      for (int64_t j = 0; j < C; ++j) m = std::max(m, buf[j]);
      const float new_m = std::max(m, rm[n]);
      if (label >= col0 && label < col0 + C) tl[n] = buf[label - col0];
      if (new_m == -std::numeric_limits<float>::infinity()) continue;  // all -inf so far
      float s = 0.0f;
#pragma omp simd reduction(+ : s)
      for (int64_t j = 0; j < C; ++j) s += fast_exp(buf[j] - new_m);
      rs[n] = rs[n] * fast_exp(rm[n] - new_m) + s;
      rm[n] = new_m;
    }
  }
}

void CpuBackend::cross_entropy_chunk_backward(const Tensor& logits, const Tensor& labels,
                                              int64_t col0, const Tensor& lse,
                                              const Tensor& row_scale, Tensor& dlogits) {
  const int64_t N = logits.size(0), C = logits.size(1);
  const float* lp = lse.data<float>();
  const float* sp = row_scale.data<float>();
#pragma omp parallel if (N * C >= kParallelMin)
  {
    std::vector<float> buf(C);
#pragma omp for schedule(static)
    for (int64_t n = 0; n < N; ++n) {
      const int64_t label = load_index(labels.raw_data(), labels.dtype(), n);
      if (label == -100) {
        std::fill(buf.begin(), buf.end(), 0.0f);
      } else {
        load_f32(elem_ptr(logits, n * C), logits.dtype(), C, buf.data());
        const float l = lp[n], sc = sp[n];
#pragma omp simd
        for (int64_t j = 0; j < C; ++j) buf[j] = sc * fast_exp(buf[j] - l);
        if (label >= col0 && label < col0 + C) buf[label - col0] -= sc;
      }
      store_f32(buf.data(), C, dlogits.dtype(), elem_ptr(dlogits, n * C));
    }
  }
}

}  // namespace lf::cpu
