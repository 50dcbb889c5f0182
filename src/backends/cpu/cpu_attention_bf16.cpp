// Attention on bf16 tiles (bf16 inputs, CPUs with AVX-512 BF16): every tile
// product is tile_gemm_bf16 with f32 accumulation. Q, K, V and dO enter the
// products as they are; P and dS, computed in f32, are rounded to bf16 for
// them (as flash attention does on GPUs).
// The products are arranged so that no tile is transposed per step: the key
// and value tiles are packed once, and the backward accumulates dK^T and dV^T
// (from Q^T and dO^T, transposed once per work item) so that P and dS enter
// as B operands, which only pairs neighbouring rows.
// Extra memory, all O(T): packed K and V forward; per work item backward,
// Q^T and dO^T in bf16 and the f32 dQ of one kv head's query group.
#include <cstring>
#include <vector>

#include "backends/cpu/cpu_attention.h"
#include "backends/cpu/cpu_parallel.h"
#include "backends/cpu/cpu_tile_gemm.h"

namespace lf::cpu::attn {
namespace {

// Words of a tile packed for Q K^T (pairs along D, keys as columns) and for a
// product over keys (pairs of key rows, D columns).
int64_t key_tile_words(int64_t D) { return (D + 1) / 2 * kBk; }
int64_t row_pair_words(int64_t D) { return kBk / 2 * D; }

// Q K^T's B operand from nk key rows (row stride ld): word dp of row jj at
// out[dp * kBk + jj], the high half zero past an odd D. Written row by row of
// the output, whose stores would otherwise each touch another cache line.
void pack_key_tile(const uint16_t* rows, int64_t ld, int64_t nk, int64_t D, uint32_t* out) {
  for (int64_t dp = 0; dp < D / 2; ++dp)
    for (int64_t jj = 0; jj < nk; ++jj)
      std::memcpy(&out[dp * kBk + jj], rows + jj * ld + 2 * dp, 4);
  if (D % 2)
    for (int64_t jj = 0; jj < nk; ++jj) out[D / 2 * kBk + jj] = rows[jj * ld + D - 1];
}

// The B operand of a product over keys (P V, dS K): rows jj and jj + 1 paired
// at out[jj / 2 * D], the last one with zeros when nk is odd.
void pack_row_pairs(const uint16_t* rows, int64_t ld, int64_t nk, int64_t D, uint32_t* out) {
  for (int64_t jj = 0; jj < nk; jj += 2)
    pack_pairs(rows + jj * ld, jj + 1 < nk ? rows + (jj + 1) * ld : nullptr, D, out + jj / 2 * D);
}

// cols[d * ldc + i] = rows[i * ld + d] for i < n: Q^T and dO^T, the A operands
// of dK^T and dV^T. In blocks of 32 rows, so each output line is filled while
// it is in L1 (column by column over all rows, every store missed it).
void transpose_bf16(const uint16_t* rows, int64_t ld, int64_t n, int64_t D, uint16_t* cols,
                    int64_t ldc) {
  for (int64_t i0 = 0; i0 < n; i0 += 32) {
    const int64_t ni = std::min<int64_t>(32, n - i0);
    for (int64_t d = 0; d < D; ++d)
      for (int64_t i = 0; i < ni; ++i) cols[d * ldc + i0 + i] = rows[(i0 + i) * ld + d];
  }
}

// rows[jj * D + d] = cols[d * kBk + jj] for jj < nk: dK^T or dV^T back in key
// rows, in 16 x 16 blocks (gathering one column at a time over all D rows
// showed as a quarter of the backward's own time in the profile).
void untranspose(const float* cols, int64_t nk, int64_t D, float* rows) {
  for (int64_t j0 = 0; j0 < nk; j0 += 16)
    for (int64_t d0 = 0; d0 < D; d0 += 16)
      for (int64_t d = d0; d < std::min(d0 + 16, D); ++d)
        for (int64_t jj = j0; jj < std::min(j0 + 16, nk); ++jj)
          rows[jj * D + d] = cols[d * kBk + jj];
}

const uint16_t* bf16_data(const Tensor& t) { return static_cast<const uint16_t*>(t.raw_data()); }

}  // namespace

void forward_bf16(const Geometry& g, const Tensor& q, const Tensor& k, const Tensor& v, Tensor& out,
                  Tensor& lse) {
  const int64_t D = g.D, qblocks = (g.Tq + kBq - 1) / kBq, ntiles = (g.Tk + kBk - 1) / kBk;
  const int64_t ld = g.Hkv * D, lq = g.Hq * D, kw = key_tile_words(D), vw = row_pair_words(D);
  const bool parallel = q.numel() * g.Tk >= kParallelMin;
  // Every key and value tile packed once: O(T), the size of K and V in bf16.
  std::vector<uint32_t> kt(g.B * g.Hkv * ntiles * kw), vp(g.B * g.Hkv * ntiles * vw);
#pragma omp parallel for schedule(static) if (parallel)
  for (int64_t t = 0; t < g.B * g.Hkv * ntiles; ++t) {
    const int64_t b = t / (g.Hkv * ntiles), hk = t / ntiles % g.Hkv, j0 = t % ntiles * kBk;
    const int64_t nk = std::min(kBk, g.Tk - j0), off = g.row(b, j0, g.Tk, hk, g.Hkv);
    pack_key_tile(bf16_data(k) + off, ld, nk, D, &kt[t * kw]);
    pack_row_pairs(bf16_data(v) + off, ld, nk, D, &vp[t * vw]);
  }
  float* lse_p = lse.data<float>();
#pragma omp parallel if (parallel)
  {
    std::vector<float> s(kBq * kBk), acc(kBq * D), m(kBq), l(kBq);
    std::vector<uint16_t> pb(kBq * kBk);
#pragma omp for schedule(dynamic)
    for (int64_t unit = 0; unit < g.B * g.Hq * qblocks; ++unit) {
      // Each head's last query block first: under a causal mask it sees the
      // most keys, so the small items are left to even out the threads.
      const int64_t b = unit / (g.Hq * qblocks), h = unit / qblocks % g.Hq;
      const int64_t i0 = (qblocks - 1 - unit % qblocks) * kBq, nq = std::min(kBq, g.Tq - i0);
      const int64_t hk = h / g.group;
      const uint16_t* qrows = bf16_data(q) + g.row(b, i0, g.Tq, h, g.Hq);
      std::fill(acc.begin(), acc.end(), 0.0f);
      std::fill(m.begin(), m.end(), kNegInf);
      std::fill(l.begin(), l.end(), 0.0f);
      const int64_t j_end = g.last_key(b, i0 + nq - 1) + 1;
      for (int64_t j0 = 0; j0 < j_end; j0 += kBk) {
        const int64_t nk = std::min(kBk, j_end - j0), t = (b * g.Hkv + hk) * ntiles + j0 / kBk;
        tile_gemm_bf16(qrows, lq, &kt[t * kw], kBk, s.data(), kBk, nq, nk, D, false);
        for (int64_t i = 0; i < nq; ++i) {
          float* si = &s[i * kBk];
          const float corr =
              online_softmax_row(g, b, i0 + i, j0, nk, g.scale, si, &pb[i * kBk], m[i], l[i]);
          if (corr == 1.0f) continue;
          float* ai = &acc[i * D];
#pragma omp simd
          for (int64_t d = 0; d < D; ++d) ai[d] *= corr;
        }
        tile_gemm_bf16(pb.data(), kBk, &vp[t * vw], D, acc.data(), D, nq, D, nk, true);
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

void backward_bf16(const Geometry& g, const Tensor& dout, const Tensor& q, const Tensor& k,
                   const Tensor& v, const Tensor& out, const Tensor& lse, Tensor& dq, Tensor& dk,
                   Tensor& dv) {
  const int64_t D = g.D, G = g.group, Tq = g.Tq, ld = g.Hkv * D, lq = g.Hq * D;
  const int64_t Tq2 = Tq + Tq % 2;  // row stride of Q^T and dO^T
  const float* lse_p = lse.data<float>();
#pragma omp parallel if (q.numel() * g.Tk >= kParallelMin)
  {
    std::vector<uint16_t> qt(G * D * Tq2), dot(G * D * Tq2), dsb(kBq * kBk);
    std::vector<float> dqa(G * Tq * D), delta(G * Tq), s(kBq * kBk), dp(kBq * kBk);
    std::vector<float> dkt(D * kBk), dvt(D * kBk), dkr(kBk * D), dvr(kBk * D), orow(D), drow(D);
    std::vector<uint32_t> kt(key_tile_words(D)), vt(key_tile_words(D)), kp(row_pair_words(D));
    std::vector<uint32_t> pp(kBq / 2 * kBk), dsp(kBq / 2 * kBk);
#pragma omp for schedule(dynamic)
    for (int64_t unit = 0; unit < g.B * g.Hkv; ++unit) {
      const int64_t b = unit / g.Hkv, hk = unit % g.Hkv;
      for (int64_t gi = 0; gi < G; ++gi) {
        const int64_t h = hk * G + gi, first = g.row(b, 0, Tq, h, g.Hq);
        for (int64_t i = 0; i < Tq; ++i) {
          // delta_i = rowsum(dO * O): the softmax-backward correction term.
          load_f32(elem_ptr(dout, first + i * lq), dout.dtype(), D, drow.data());
          load_f32(elem_ptr(out, first + i * lq), out.dtype(), D, orow.data());
          float dsum = 0.0f;
#pragma omp simd reduction(+ : dsum)
          for (int64_t d = 0; d < D; ++d) dsum += drow[d] * orow[d];
          delta[gi * Tq + i] = dsum;
        }
        transpose_bf16(bf16_data(q) + first, lq, Tq, D, &qt[gi * D * Tq2], Tq2);
        transpose_bf16(bf16_data(dout) + first, lq, Tq, D, &dot[gi * D * Tq2], Tq2);
      }
      std::fill(dqa.begin(), dqa.end(), 0.0f);
      const int64_t kl = g.kv_len(b);
      for (int64_t j0 = 0; j0 < g.Tk; j0 += kBk) {
        const int64_t nk = std::min(kBk, g.Tk - j0), off = g.row(b, j0, g.Tk, hk, g.Hkv);
        std::fill(dkt.begin(), dkt.end(), 0.0f);
        std::fill(dvt.begin(), dvt.end(), 0.0f);
        if (j0 < kl) {
          pack_key_tile(bf16_data(k) + off, ld, nk, D, kt.data());
          pack_key_tile(bf16_data(v) + off, ld, nk, D, vt.data());
          pack_row_pairs(bf16_data(k) + off, ld, nk, D, kp.data());
          for (int64_t gi = 0; gi < G; ++gi) {
            const int64_t h = hk * G + gi;
            for (int64_t i0 = 0; i0 < Tq; i0 += kBq) {
              const int64_t nq = std::min(kBq, Tq - i0), rows = g.row(b, i0, Tq, h, g.Hq);
              if (g.last_key(b, i0 + nq - 1) < j0) continue;
              tile_gemm_bf16(bf16_data(q) + rows, lq, kt.data(), kBk, s.data(), kBk, nq, nk, D,
                             false);
              tile_gemm_bf16(bf16_data(dout) + rows, lq, vt.data(), kBk, dp.data(), kBk, nq, nk, D,
                             false);
              for (int64_t i = 0; i < nq; ++i)
                backward_row(g, b, i0 + i, j0, nk, lse_p[(b * g.Hq + h) * Tq + i0 + i],
                             delta[gi * Tq + i0 + i], &s[i * kBk], &dp[i * kBk]);
              // P and dS paired across query rows; dS also as bf16 rows.
              for (int64_t i = 0; i < nq; i += 2) {
                const int64_t i1 = std::min(i + 1, nq - 1);
                const float* p1 = i1 > i ? &s[i1 * kBk] : nullptr;
                const float* ds1 = i1 > i ? &dp[i1 * kBk] : nullptr;
                pack_pairs(&s[i * kBk], p1, nk, &pp[i / 2 * kBk]);
                pack_pairs(&dp[i * kBk], ds1, nk, &dsp[i / 2 * kBk], &dsb[i * kBk], &dsb[i1 * kBk]);
              }
              // dV^T += dO^T P, dK^T += Q^T dS, dQ += dS K.
              const int64_t col = gi * D * Tq2 + i0;
              tile_gemm_bf16(&dot[col], Tq2, pp.data(), kBk, dvt.data(), kBk, D, nk, nq, true);
              tile_gemm_bf16(&qt[col], Tq2, dsp.data(), kBk, dkt.data(), kBk, D, nk, nq, true);
              tile_gemm_bf16(dsb.data(), kBk, kp.data(), D, &dqa[(gi * Tq + i0) * D], D, nq, D, nk,
                             true);
            }
          }
        }
        untranspose(dkt.data(), nk, D, dkr.data());
        untranspose(dvt.data(), nk, D, dvr.data());
        for (int64_t jj = 0; jj < nk; ++jj) {
          store_f32(&dkr[jj * D], D, dk.dtype(), elem_ptr(dk, off + jj * ld));
          store_f32(&dvr[jj * D], D, dv.dtype(), elem_ptr(dv, off + jj * ld));
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
