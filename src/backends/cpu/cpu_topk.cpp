// Top-k per row for sampling; ties keep the lower token id first so results
// are reproducible. Sampling asks for few (1 when greedy, top_k = 50 by
// default): those are kept in one pass over the row without any vocabulary-sized
// buffer, since a decode step calls this once per sequence and fresh 128 KB
// buffers cost page faults on every token.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "backends/cpu/cpu_backend.h"
#include "backends/cpu/cpu_convert.h"
#include "backends/cpu/cpu_parallel.h"
#include "backends/cpu/cpu_vec.h"

namespace lf::cpu {

namespace {

constexpr int64_t kSmallK = 64;    // beyond it, a partial sort of the whole row
// Row values converted to f32 and checked at once. Smaller chunks are skipped
// more often once k values are kept (bench_ops BM_TopK, one row of 32000:
// chunks of 1024 / 256 / 128 / 64 took 8 / 8 / 9 / 14 us at k = 1 and
// 105 / 77 / 64 / 50 us at k = 50).
constexpr int64_t kRowChunk = 128;

// True when (va, ia) ranks before (vb, ib): larger value, then lower id; NaN
// (a broken model's logits) ranks after every number, so it is never chosen
// over one and the order stays strict.
bool before(float va, int32_t ia, float vb, int32_t ib) {
  if (std::isnan(va) || std::isnan(vb)) return std::isnan(va) == std::isnan(vb) ? ia < ib : std::isnan(vb);
  return va > vb || (va == vb && ia < ib);
}

// One pass, keeping the best k in order in (val, id). Ids arrive ascending, so
// a newcomer equal to a kept value ranks after it.
void small_topk(const void* row, DType dt, int64_t V, int64_t k, float* val, int32_t* id) {
  int64_t n = 0;
  float buf[kRowChunk];
  for (int64_t c0 = 0; c0 < V; c0 += kRowChunk) {
    const int64_t len = std::min(kRowChunk, V - c0);
    load_f32(static_cast<const char*>(row) + c0 * static_cast<int64_t>(dtype_size(dt)), dt, len, buf);
    if (n == k && !std::isnan(val[k - 1])) {
      // Most chunks hold nothing above the last kept value (an equal one
      // comes later, so ranks after it): one vector pass skips them.
      const float m = hmax(reduce_lanes(len, splat(-INFINITY), [&](int64_t j, int64_t w) {
        return vload(buf + j, w, -INFINITY);
      }, [](vf a, vf b) { return a > b ? a : b; }));  // NaNs never pass
      if (!(m > val[k - 1])) continue;
    }
    for (int64_t j = 0; j < len; ++j) {
      const float v = buf[j];
      const auto t = static_cast<int32_t>(c0 + j);
      if (n == k && !before(v, t, val[k - 1], id[k - 1])) continue;
      int64_t pos = n < k ? n++ : k - 1;
      for (; pos > 0 && before(v, t, val[pos - 1], id[pos - 1]); --pos) {
        val[pos] = val[pos - 1];
        id[pos] = id[pos - 1];
      }
      val[pos] = v;
      id[pos] = t;
    }
  }
}

void sorted_topk(const void* row, DType dt, int64_t V, int64_t k, float* val, int32_t* id) {
  std::vector<float> r(static_cast<size_t>(V));
  load_f32(row, dt, V, r.data());
  std::vector<int32_t> idx(static_cast<size_t>(V));
  std::iota(idx.begin(), idx.end(), 0);
  std::partial_sort(idx.begin(), idx.begin() + k, idx.end(),
                    [&](int32_t x, int32_t y) { return before(r[x], x, r[y], y); });
  for (int64_t i = 0; i < k; ++i) {
    val[i] = r[idx[i]];
    id[i] = idx[i];
  }
}

}  // namespace

void CpuBackend::topk(const Tensor& logits, int64_t k, Tensor& values, Tensor& indices) {
  const int64_t B = logits.size(0), V = logits.size(1);
  float* vo = values.data<float>();
  int32_t* io = indices.data<int32_t>();
#pragma omp parallel for schedule(static) if (B * V >= kParallelMin && B > 1)
  for (int64_t b = 0; b < B; ++b) {
    const void* row = elem_ptr(logits, b * V);
    if (k <= kSmallK)
      small_topk(row, logits.dtype(), V, k, vo + b * k, io + b * k);
    else
      sorted_topk(row, logits.dtype(), V, k, vo + b * k, io + b * k);
  }
}

}  // namespace lf::cpu
