// Attention on f32 tiles: any input dtype, converted to f32 once; the path for
// CPUs without bf16 dot products and for f32 / f16 inputs.
// Forward: one work item per (batch, query head, query block). Backward: one
// work item per (batch, kv head): it owns that head's dK/dV and the dQ of the
// query heads sharing it (GQA), so threads never write the same memory.
// Extra memory, all O(T): f32 copies of K and V, per-thread tiles forward, and
// f32 Q / dO / dQ of one kv head's query group per work item backward.
#include <vector>

#include "backends/cpu/cpu_attention.h"
#include "backends/cpu/cpu_parallel.h"
#include "backends/cpu/cpu_tile_gemm.h"

namespace lf::cpu::attn {
namespace {

// cols[d][jj] = rows[jj][d] for jj < nk: a key/value tile transposed (row
// stride ld in, kBk out).
void transpose_rows(const float* rows, int64_t ld, int64_t nk, int64_t D, float* cols) {
  for (int64_t jj = 0; jj < nk; ++jj)
    for (int64_t d = 0; d < D; ++d) cols[d * kBk + jj] = rows[jj * ld + d];
}

// dst[jj][i] = src[i][jj] for i < nq, jj < nk (src row stride kBk, dst row stride kBq).
void transpose_tile(const float* src, int64_t nq, int64_t nk, float* dst) {
  for (int64_t jj = 0; jj < nk; ++jj)
    for (int64_t i = 0; i < nq; ++i) dst[jj * kBq + i] = src[i * kBk + jj];
}

}  // namespace

void forward_f32(const Geometry& g, const Tensor& q, const Tensor& k, const Tensor& v, Tensor& out,
                 Tensor& lse) {
  const int64_t D = g.D, qblocks = (g.Tq + kBq - 1) / kBq, ld = g.Hkv * D;
  // K and V in f32 once (O(T) memory), so tiles are read in place, not reconverted.
  const Tensor k32 = contiguous_f32(k), v32 = contiguous_f32(v);
  float* lse_p = lse.data<float>();
#pragma omp parallel if (q.numel() * g.Tk >= kParallelMin)
  {
    std::vector<float> qf(kBq * D), kt(D * kBk), s(kBq * kBk), acc(kBq * D), m(kBq), l(kBq);
#pragma omp for schedule(dynamic)
    for (int64_t unit = 0; unit < g.B * g.Hq * qblocks; ++unit) {
      const int64_t b = unit / (g.Hq * qblocks), h = unit / qblocks % g.Hq;
      const int64_t i0 = unit % qblocks * kBq, nq = std::min(kBq, g.Tq - i0), hk = h / g.group;
      for (int64_t i = 0; i < nq; ++i) {
        load_f32(elem_ptr(q, g.row(b, i0 + i, g.Tq, h, g.Hq)), q.dtype(), D, &qf[i * D]);
        for (int64_t d = 0; d < D; ++d) qf[i * D + d] *= g.scale;
      }
      std::fill(acc.begin(), acc.end(), 0.0f);
      std::fill(m.begin(), m.end(), kNegInf);
      std::fill(l.begin(), l.end(), 0.0f);
      const int64_t j_end = g.last_key(b, i0 + nq - 1) + 1;
      for (int64_t j0 = 0; j0 < j_end; j0 += kBk) {
        const int64_t nk = std::min(kBk, j_end - j0);
        const int64_t tile = g.row(b, j0, g.Tk, hk, g.Hkv);
        transpose_rows(k32.data<float>() + tile, ld, nk, D, kt.data());
        // Columns of s past nk come from stale kt columns and are never read.
        tile_gemm(qf.data(), D, kt.data(), kBk, s.data(), kBk, nq, kBk, D, false);
        for (int64_t i = 0; i < nq; ++i) {
          float* si = &s[i * kBk];
          const float corr = online_softmax_row(g, b, i0 + i, j0, nk, 1.0f, si, si, m[i], l[i]);
          if (corr == 1.0f) continue;
          float* ai = &acc[i * D];
#pragma omp simd
          for (int64_t d = 0; d < D; ++d) ai[d] *= corr;
        }
        tile_gemm(s.data(), kBk, v32.data<float>() + tile, ld, acc.data(), D, nq, D, nk, true);
      }
      for (int64_t i = 0; i < nq; ++i) {
        // A query that sees no key (padding) gets a zero output and lse = -inf.
        const float inv = l[i] > 0.0f ? 1.0f / l[i] : 0.0f;
        for (int64_t d = 0; d < D; ++d) acc[i * D + d] *= inv;
        store_f32(&acc[i * D], D, out.dtype(), elem_ptr(out, g.row(b, i0 + i, g.Tq, h, g.Hq)));
        lse_p[(b * g.Hq + h) * g.Tq + i0 + i] = l[i] > 0.0f ? m[i] + std::log(l[i]) : kNegInf;
      }
    }
  }
}

void backward_f32(const Geometry& g, const Tensor& dout, const Tensor& q, const Tensor& k,
                  const Tensor& v, const Tensor& out, const Tensor& lse, Tensor& dq, Tensor& dk,
                  Tensor& dv) {
  const int64_t D = g.D, G = g.group, Tq = g.Tq, ld = g.Hkv * D;
  const Tensor k32 = contiguous_f32(k), v32 = contiguous_f32(v);
  const float* lse_p = lse.data<float>();
#pragma omp parallel if (q.numel() * g.Tk >= kParallelMin)
  {
    std::vector<float> qf(G * Tq * D), dof(G * Tq * D), dqa(G * Tq * D), delta(G * Tq);
    std::vector<float> kt(D * kBk), vt(D * kBk), dka(kBk * D), dva(kBk * D), pm(kBq * kBk),
        dp(kBq * kBk), pt(kBk * kBq), dst(kBk * kBq), orow(D);
#pragma omp for schedule(dynamic)
    for (int64_t unit = 0; unit < g.B * g.Hkv; ++unit) {
      const int64_t b = unit / g.Hkv, hk = unit % g.Hkv;
      for (int64_t gi = 0; gi < G; ++gi) {
        const int64_t h = hk * G + gi;
        for (int64_t i = 0; i < Tq; ++i) {
          float* qi = &qf[(gi * Tq + i) * D];
          float* di = &dof[(gi * Tq + i) * D];
          const int64_t off = g.row(b, i, Tq, h, g.Hq);
          load_f32(elem_ptr(q, off), q.dtype(), D, qi);
          load_f32(elem_ptr(dout, off), dout.dtype(), D, di);
          load_f32(elem_ptr(out, off), out.dtype(), D, orow.data());
          // delta_i = rowsum(dO * O): the softmax-backward correction term.
          float dsum = 0.0f;
#pragma omp simd reduction(+ : dsum)
          for (int64_t d = 0; d < D; ++d) dsum += di[d] * orow[d];
          delta[gi * Tq + i] = dsum;
        }
      }
      std::fill(dqa.begin(), dqa.end(), 0.0f);
      const int64_t kl = g.kv_len(b);
      for (int64_t j0 = 0; j0 < g.Tk; j0 += kBk) {
        const int64_t nk = std::min(kBk, g.Tk - j0);
        std::fill(dka.begin(), dka.end(), 0.0f);
        std::fill(dva.begin(), dva.end(), 0.0f);
        if (j0 < kl) {
          const float* kf = k32.data<float>() + g.row(b, j0, g.Tk, hk, g.Hkv);
          transpose_rows(kf, ld, nk, D, kt.data());
          transpose_rows(v32.data<float>() + g.row(b, j0, g.Tk, hk, g.Hkv), ld, nk, D, vt.data());
          for (int64_t gi = 0; gi < G; ++gi) {
            const int64_t h = hk * G + gi;
            for (int64_t i0 = 0; i0 < Tq; i0 += kBq) {
              const int64_t nq = std::min(kBq, Tq - i0);
              if (g.last_key(b, i0 + nq - 1) < j0) continue;
              const float* qb = &qf[(gi * Tq + i0) * D];
              const float* db = &dof[(gi * Tq + i0) * D];
              tile_gemm(qb, D, kt.data(), kBk, pm.data(), kBk, nq, kBk, D, false);
              tile_gemm(db, D, vt.data(), kBk, dp.data(), kBk, nq, kBk, D, false);
              for (int64_t i = 0; i < nq; ++i)
                backward_row(g, b, i0 + i, j0, nk, lse_p[(b * g.Hq + h) * Tq + i0 + i],
                             delta[gi * Tq + i0 + i], &pm[i * kBk], &dp[i * kBk]);
              // dV += P^T dO, dK += dS^T Q, dQ += dS K.
              transpose_tile(pm.data(), nq, nk, pt.data());
              transpose_tile(dp.data(), nq, nk, dst.data());
              tile_gemm(pt.data(), kBq, db, D, dva.data(), D, nk, D, nq, true);
              tile_gemm(dst.data(), kBq, qb, D, dka.data(), D, nk, D, nq, true);
              tile_gemm(dp.data(), kBk, kf, ld, &dqa[(gi * Tq + i0) * D], D, nq, D, nk, true);
            }
          }
        }
        for (int64_t jj = 0; jj < nk; ++jj) {
          const int64_t off = g.row(b, j0 + jj, g.Tk, hk, g.Hkv);
          store_f32(&dka[jj * D], D, dk.dtype(), elem_ptr(dk, off));
          store_f32(&dva[jj * D], D, dv.dtype(), elem_ptr(dv, off));
        }
      }
      for (int64_t gi = 0; gi < G; ++gi)
        for (int64_t i = 0; i < Tq; ++i)
          store_f32(&dqa[(gi * Tq + i) * D], D, dq.dtype(),
                    elem_ptr(dq, g.row(b, i, Tq, hk * G + gi, g.Hq)));
    }
  }
}

}  // namespace lf::cpu::attn
