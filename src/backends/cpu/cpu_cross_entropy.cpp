// One vocabulary chunk of cross-entropy: an online log-sum-exp update forward,
// softmax minus one-hot backward. Rows labelled -100 are skipped. The forward
// reads each row twice (max, then the exp sum); the second read hits L2.
#include <algorithm>
#include <limits>

#include "backends/cpu/cpu_backend.h"
#include "backends/cpu/cpu_dispatch.h"
#include "backends/cpu/cpu_math.h"
#include "backends/cpu/cpu_parallel.h"
#include "backends/cpu/cpu_vec.h"

namespace lf::cpu {
namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

template <typename T>
void lse_update_rows(const T* logits, const Tensor& labels, int64_t N, int64_t C, int64_t col0,
                     float* rm, float* rs, float* tl) {
#pragma omp parallel for schedule(static) if (N * C >= kParallelMin)
  for (int64_t n = 0; n < N; ++n) {
    const int64_t label = load_index(labels.raw_data(), labels.dtype(), n);
    if (label == -100) continue;
    const T* row = logits + n * C;
    const float m = hmax(reduce_lanes(
        C, splat(kNegInf), [&](int64_t j, int64_t c) { return vload(row + j, c, kNegInf); },
        [](vf a, vf b) { return a > b ? a : b; }));
    const float new_m = std::max(m, rm[n]);
    if (label >= col0 && label < col0 + C) tl[n] = to_f32(row[label - col0]);
    if (new_m == kNegInf) continue;  // all -inf so far
    const float s = sum_lanes(C, [&](int64_t j, int64_t c) {
      return exp_approx(vload(row + j, c, kNegInf) - new_m);
    });
    rs[n] = rs[n] * fast_exp(rm[n] - new_m) + s;
    rm[n] = new_m;
  }
}

template <typename T>
void softmax_grad_rows(const T* logits, const Tensor& labels, int64_t N, int64_t C, int64_t col0,
                       const float* lse, const float* row_scale, T* dlogits) {
#pragma omp parallel for schedule(static) if (N * C >= kParallelMin)
  for (int64_t n = 0; n < N; ++n) {
    const int64_t label = load_index(labels.raw_data(), labels.dtype(), n);
    const T* row = logits + n * C;
    T* out = dlogits + n * C;
    if (label == -100) {
      for_lanes(C, [&](int64_t j, int64_t c) { vstore(out + j, vf{}, c); });
      continue;
    }
    const float l = lse[n], sc = row_scale[n];
    for_lanes(C, [&](int64_t j, int64_t c) {
      vstore(out + j, sc * exp_approx(vload(row + j, c, 0.0f) - l), c);
    });
    if (label >= col0 && label < col0 + C)
      from_f32(sc * fast_exp(to_f32(row[label - col0]) - l) - sc, out + (label - col0));
  }
}

}  // namespace

void CpuBackend::cross_entropy_chunk(const Tensor& logits, const Tensor& labels, int64_t col0,
                                     Tensor& running_max, Tensor& running_sum,
                                     Tensor& target_logit) {
  const DType k = kernel_dtype({&logits});
  Tensor ls = kernel_input(logits, k);
  visit_dtype(k, [&](auto tag) {
    lse_update_rows(elems<decltype(tag)>(ls), labels, logits.size(0), logits.size(1), col0,
                    running_max.data<float>(), running_sum.data<float>(),
                    target_logit.data<float>());
  });
}

void CpuBackend::cross_entropy_chunk_backward(const Tensor& logits, const Tensor& labels,
                                              int64_t col0, const Tensor& lse,
                                              const Tensor& row_scale, Tensor& dlogits) {
  const DType k = kernel_dtype({&logits, &dlogits});
  Tensor ls = kernel_input(logits, k), ds = kernel_output(dlogits, k);
  visit_dtype(k, [&](auto tag) {
    using T = decltype(tag);
    softmax_grad_rows(elems<T>(ls), labels, logits.size(0), logits.size(1), col0,
                      lse.data<float>(), row_scale.data<float>(), mutable_elems<T>(ds));
  });
  finish_output(ds, dlogits);
}

}  // namespace lf::cpu
