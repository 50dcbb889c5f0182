// Paged attention on the CPU: reads keys and values in place from the block
// pools through the block table (no gather), one work item per (row, query,
// run of kv heads). Scores are kept in an O(kv_len) per-head, per-thread
// buffer; softmax and the weighted sum are in f32.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include <omp.h>

#include "backends/cpu/cpu_backend.h"
#include "backends/cpu/cpu_convert.h"
#include "backends/cpu/cpu_math.h"
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

// One query row (b, i) against its keys [0, kv_len - Tq + i], for the kv heads
// [h0, h1) and their query heads. At decode this runs over the whole context
// for every layer each step, so it walks the cache in address order: a pool
// block holds its positions one after another with every head's row side by
// side, so all heads of one position are read together and a block is one
// contiguous stretch the hardware prefetcher follows (a loop per head strides
// Hkv * D elements between rows and waited on memory at every one).
template <typename Rows>
void attend(const Geometry& g, const Tensor& q, const Tensor& k_pool, const Tensor& v_pool, Tensor& out,
            int64_t b, int64_t i, int64_t h0, int64_t h1, Rows rows) {
  const int64_t D = g.D, nq = (h1 - h0) * g.group, len = g.lens[b] - g.Tq + i + 1;
  thread_local std::vector<float> qf, acc, probs, inv;
  qf.resize(static_cast<size_t>(nq * D));
  acc.assign(static_cast<size_t>(nq * D), 0.0f);
  probs.resize(static_cast<size_t>(nq * len));
  const int64_t q0 = ((b * g.Tq + i) * g.Hq + h0 * g.group) * D;  // query heads of [h0, h1) are adjacent
  load_f32(elem_ptr(q, q0), q.dtype(), nq * D, qf.data());
  const char* kbase = elem_ptr(k_pool, 0);
  const char* vbase = elem_ptr(v_pool, 0);
  const int64_t esize = static_cast<int64_t>(dtype_size(k_pool.dtype()));
  const int64_t row_bytes = D * esize, pos_bytes = g.Hkv * row_bytes;
  // f(j, byte offset of position j's row of head h0) for j in [0, len), in order.
  auto for_positions = [&](auto&& f) {
    for (int64_t j0 = 0; j0 < len; j0 += g.bs) {
      const int64_t blk = g.table[b * g.max_blocks + j0 / g.bs];
      const int64_t first = (blk * g.bs * g.Hkv + h0) * row_bytes;
      const int64_t n = std::min(g.bs, len - j0);
      for (int64_t t = 0; t < n; ++t) f(j0 + t, first + t * pos_bytes);
    }
  };
  // f(query head, its kv head's row) for the heads of [h0, h1) at one position.
  auto for_heads = [&](const char* base, int64_t off, auto&& f) {
    for (int64_t hk = 0; hk < h1 - h0; ++hk) {
      const auto* row = rows.row(base + off + hk * row_bytes, D);
      for (int64_t r = 0; r < g.group; ++r) f(hk * g.group + r, row);
    }
  };
  float* pr = probs.data();
  for_positions([&](int64_t j, int64_t off) {
    for_heads(kbase, off, [&](int64_t h, const auto* kr) {
      const float* qp = qf.data() + h * D;
      pr[h * len + j] = g.scale * sum_lanes(D, [&](int64_t d, int64_t n) {
                          return vload(qp + d, n, 0.0f) * vload(kr + d, n, 0.0f);
                        });
    });
  });
  // Softmax numerators per head, in place; the sums normalise at the end.
  inv.resize(static_cast<size_t>(nq));
  for (int64_t h = 0; h < nq; ++h) {
    float* ph = pr + h * len;
    const float mx = hmax(reduce_lanes(len, splat(-INFINITY), [&](int64_t j, int64_t n) {
      return vload(ph + j, n, -INFINITY);
    }, [](vf a, vf c) { return a > c ? a : c; }));
    vf sum = vf{};
    for_lanes(len, [&](int64_t j, int64_t n) {
      const vf e = exp_approx(vload(ph + j, n, -INFINITY) - mx);
      vstore(ph + j, e, n);
      sum += e;
    });
    inv[static_cast<size_t>(h)] = 1.0f / hsum(sum);
  }
  float* ap = acc.data();
  for_positions([&](int64_t j, int64_t off) {
    for_heads(vbase, off, [&](int64_t h, const auto* vr) {
      const float p = pr[h * len + j];
      float* ah = ap + h * D;
      for_lanes(D, [&](int64_t d, int64_t n) {
        vstore(ah + d, vload(ah + d, n, 0.0f) + p * vload(vr + d, n, 0.0f), n);
      });
    });
  });
  for (int64_t h = 0; h < nq; ++h)
    for (int64_t d = 0; d < D; ++d) acc[static_cast<size_t>(h * D + d)] *= inv[static_cast<size_t>(h)];
  store_f32(acc.data(), nq * D, out.dtype(), elem_ptr(out, q0));
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
  int64_t work = 0;
  for (int64_t b = 0; b < g.B; ++b) work += g.lens[b];
  work *= g.Hq * g.Tq * g.D;
  // Work items are (row, query) pairs, split further into runs of kv heads
  // when there are fewer pairs than twice the threads (batch-1 decode).
  const int64_t pairs = g.B * g.Tq;
  const int64_t threads = omp_get_max_threads();
  const int64_t splits = std::clamp<int64_t>((2 * threads + pairs - 1) / pairs, 1, g.Hkv);
  const int64_t items = pairs * splits;
  const DType kt = k_pool.dtype();

#pragma omp parallel for schedule(dynamic, 1) if (work >= kParallelMin)
  for (int64_t item = 0; item < items; ++item) {
    const int64_t pair = item / splits, s = item % splits;
    const int64_t b = pair / g.Tq, i = pair % g.Tq;
    const int64_t h0 = g.Hkv * s / splits, h1 = g.Hkv * (s + 1) / splits;
    if (kt == DType::f32) {
      attend(g, q, k_pool, v_pool, out, b, i, h0, h1, InPlaceRows<float>{});
    } else if (kt == DType::bf16) {
      attend(g, q, k_pool, v_pool, out, b, i, h0, h1, InPlaceRows<uint16_t>{});
    } else {
      attend(g, q, k_pool, v_pool, out, b, i, h0, h1, ConvertedRows{kt, {}});
    }
  }
}

}  // namespace lf::cpu
