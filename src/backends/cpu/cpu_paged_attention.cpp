// Paged attention on the CPU: reads keys and values in place from the block
// pools through the block table (no gather), one work item per (row, query
// head, query). Scores are kept in an O(kv_len) per-thread buffer; softmax and
// the weighted sum are in f32.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "backends/cpu/cpu_backend.h"
#include "backends/cpu/cpu_convert.h"
#include "backends/cpu/cpu_parallel.h"

namespace lf::cpu {
namespace {

// Row readers: f32 and bf16 rows are read in place (the conversion inlines
// into the dot product and the weighted sum); other dtypes go through an f32
// copy of the row.
struct F32Rows {
  float at(const char* row, int64_t d) const { return reinterpret_cast<const float*>(row)[d]; }
  const char* row(const char* p, int64_t) { return p; }
};
struct Bf16Rows {
  float at(const char* row, int64_t d) const {
    return bf16_to_f32(reinterpret_cast<const uint16_t*>(row)[d]);
  }
  const char* row(const char* p, int64_t) { return p; }
};
struct ConvertedRows {
  DType dtype;
  std::vector<float> buf;
  float at(const char* row, int64_t d) const { return reinterpret_cast<const float*>(row)[d]; }
  const char* row(const char* p, int64_t D) {
    buf.resize(static_cast<size_t>(D));
    load_f32(p, dtype, D, buf.data());
    return reinterpret_cast<const char*>(buf.data());
  }
};

struct Geometry {
  int64_t B, Tq, Hq, D, bs, Hkv, group, max_blocks;
  float scale;
  const int32_t* table;
  const int32_t* lens;
};

// One query row (b, h, i) against its keys [0, kv_len - Tq + i].
template <typename Rows>
void attend_one(const Geometry& g, const Tensor& q, const Tensor& k_pool, const Tensor& v_pool,
                Tensor& out, int64_t item, Rows rows) {
  const int64_t b = item / (g.Hq * g.Tq), h = item / g.Tq % g.Hq, i = item % g.Tq, D = g.D;
  const int64_t hk = h / g.group, last = g.lens[b] - g.Tq + i;
  thread_local std::vector<float> qf, acc, scores;
  qf.resize(static_cast<size_t>(D));
  acc.assign(static_cast<size_t>(D), 0.0f);
  scores.resize(static_cast<size_t>(last + 1));
  load_f32(elem_ptr(q, ((b * g.Tq + i) * g.Hq + h) * D), q.dtype(), D, qf.data());
  auto offset = [&](int64_t j) {
    const int64_t blk = g.table[b * g.max_blocks + j / g.bs];
    return ((blk * g.bs + j % g.bs) * g.Hkv + hk) * D;
  };
  float mx = -INFINITY;
  for (int64_t j = 0; j <= last; ++j) {
    const char* kr = rows.row(elem_ptr(k_pool, offset(j)), D);
    float s = 0.0f;
#pragma omp simd reduction(+ : s)
    for (int64_t d = 0; d < D; ++d) s += qf[d] * rows.at(kr, d);
    scores[j] = s * g.scale;
    mx = std::max(mx, scores[j]);
  }
  float sum = 0.0f;
  for (int64_t j = 0; j <= last; ++j) {
    const float p = std::exp(scores[j] - mx);
    sum += p;
    const char* vr = rows.row(elem_ptr(v_pool, offset(j)), D);
#pragma omp simd
    for (int64_t d = 0; d < D; ++d) acc[d] += p * rows.at(vr, d);
  }
  const float inv = 1.0f / sum;
  for (int64_t d = 0; d < D; ++d) acc[d] *= inv;
  store_f32(acc.data(), D, out.dtype(), elem_ptr(out, ((b * g.Tq + i) * g.Hq + h) * D));
}

}  // namespace

void CpuBackend::paged_attention(const Tensor& q, const Tensor& k_pool, const Tensor& v_pool,
                                 const Tensor& block_tables, const Tensor& kv_lens, float scale,
                                 Tensor& out) {
  Geometry g;
  g.B = q.size(0);
  g.Tq = q.size(1);
  g.Hq = q.size(2);
  g.D = q.size(3);
  g.bs = k_pool.size(1);
  g.Hkv = k_pool.size(2);
  g.group = g.Hq / g.Hkv;
  g.max_blocks = block_tables.size(1);
  g.scale = scale != 0.0f ? scale : 1.0f / std::sqrt(static_cast<float>(g.D));
  g.table = block_tables.data<int32_t>();
  g.lens = kv_lens.data<int32_t>();
  const int64_t items = g.B * g.Hq * g.Tq;
  int64_t work = 0;
  for (int64_t b = 0; b < g.B; ++b) work += g.lens[b];
  work *= g.Hq * g.Tq * g.D;
  const DType kt = k_pool.dtype();

#pragma omp parallel for schedule(dynamic, 1) if (work >= kParallelMin)
  for (int64_t item = 0; item < items; ++item) {
    if (kt == DType::f32) {
      attend_one(g, q, k_pool, v_pool, out, item, F32Rows{});
    } else if (kt == DType::bf16) {
      attend_one(g, q, k_pool, v_pool, out, item, Bf16Rows{});
    } else {
      attend_one(g, q, k_pool, v_pool, out, item, ConvertedRows{kt, {}});
    }
  }
}

}  // namespace lf::cpu
