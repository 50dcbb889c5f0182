// Top-k per row for sampling; ties keep the lower token id first so results
// are reproducible.
#include <algorithm>
#include <numeric>
#include <vector>

#include "backends/cpu/cpu_backend.h"
#include "backends/cpu/cpu_convert.h"
#include "backends/cpu/cpu_parallel.h"

namespace lf::cpu {

void CpuBackend::topk(const Tensor& logits, int64_t k, Tensor& values, Tensor& indices) {
  const int64_t B = logits.size(0), V = logits.size(1);
  float* vo = values.data<float>();
  int32_t* io = indices.data<int32_t>();
#pragma omp parallel for schedule(static) if (B * V >= kParallelMin && B > 1)
  for (int64_t b = 0; b < B; ++b) {
    std::vector<float> row(V);
    load_f32(elem_ptr(logits, b * V), logits.dtype(), V, row.data());
    std::vector<int32_t> idx(V);
    std::iota(idx.begin(), idx.end(), 0);
    std::partial_sort(idx.begin(), idx.begin() + k, idx.end(), [&](int32_t x, int32_t y) {
      return row[x] > row[y] || (row[x] == row[y] && x < y);
    });
    for (int64_t i = 0; i < k; ++i) {
      vo[b * k + i] = row[idx[i]];
      io[b * k + i] = idx[i];
    }
  }
}

}  // namespace lf::cpu
