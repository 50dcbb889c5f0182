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
#include "backends/cpu/cpu_vec.h"

namespace lf::cpu {
namespace {

// Row readers: f32 and bf16 rows are read in place as T, straight into
// cpu_vec.h's vectors; other dtypes go through an f32 copy of the row.
template <typename E>
struct InPlaceRows {
  using T = E;
  const T* row(const char* p, int64_t) const { return reinterpret_cast<const T*>(p); }
};
struct ConvertedRows {
  using T = float;
  DType dtype;
  std::vector<float> buf;
  const float* row(const char* p, int64_t D) {
    buf.resize(static_cast<size_t>(D));
    load_f32(p, dtype, D, buf.data());
    return buf.data();
  }
};

struct Geometry {
  int64_t B, Tq, Hq, D, bs, Hkv, group, max_blocks;
  float scale;
  const int32_t* table;
  const int32_t* lens;
};

// One query row (b, h, i) against its keys [0, kv_len - Tq + i]. At decode
// this runs over the whole context for every head of every layer each step,
// so the dot products and the weighted sum run on whole vectors (a scalar loop
// over head_dim cost about a tenth of a 100M model's step).
constexpr int64_t kPrefetch = 8;

template <typename Rows>
void attend_one(const Geometry& g, const Tensor& q, const Tensor& k_pool, const Tensor& v_pool,
                Tensor& out, int64_t item, Rows rows) {
  using T = typename Rows::T;
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
  const float* qp = qf.data();
  float* ap = acc.data();
  // The cache rows of one head lie Hkv * D elements apart and were written
  // steps ago, so they come from memory at its latency: fetch the keys and
  // values kPrefetch positions ahead (the values for the second loop, which
  // then finds them in L1/L2).
  const char* kbase = elem_ptr(k_pool, 0);
  const char* vbase = elem_ptr(v_pool, 0);
  const int64_t esize = static_cast<int64_t>(dtype_size(k_pool.dtype()));
  const int64_t row_bytes = D * esize;
  float mx = -INFINITY;
  for (int64_t j = 0; j <= last; ++j) {
    if (j + kPrefetch <= last) {
      const int64_t ahead = offset(j + kPrefetch) * esize;
      for (int64_t c = 0; c < row_bytes; c += 64) {
        __builtin_prefetch(kbase + ahead + c, 0, 3);
        __builtin_prefetch(vbase + ahead + c, 0, 3);
      }
    }
    const T* kr = rows.row(kbase + offset(j) * esize, D);
    scores[j] = g.scale * sum_lanes(D, [&](int64_t d, int64_t n) {
                  return vload(qp + d, n, 0.0f) * vload(kr + d, n, 0.0f);
                });
    mx = std::max(mx, scores[j]);
  }
  float sum = 0.0f;
  for (int64_t j = 0; j <= last; ++j) {
    const float p = std::exp(scores[j] - mx);
    sum += p;
    const T* vr = rows.row(vbase + offset(j) * esize, D);
    for_lanes(D, [&](int64_t d, int64_t n) {
      vstore(ap + d, vload(ap + d, n, 0.0f) + p * vload(vr + d, n, 0.0f), n);
    });
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
      attend_one(g, q, k_pool, v_pool, out, item, InPlaceRows<float>{});
    } else if (kt == DType::bf16) {
      attend_one(g, q, k_pool, v_pool, out, item, InPlaceRows<uint16_t>{});
    } else {
      attend_one(g, q, k_pool, v_pool, out, item, ConvertedRows{kt, {}});
    }
  }
}

}  // namespace lf::cpu
