// The portable inner loops of cpu_skinny.cpp, one per small dimension, on
// cpu_vec.h's vectors (and cpu_gemv_block.h's blocks) with f32 accumulation.
// The small operand is packed once by the caller and stays in L1/L2; the big
// one is read straight from the tensor along its unit-stride rows.
#pragma once
#include <cstdint>

#include "backends/cpu/cpu_gemv.h"
#include "backends/cpu/cpu_gemv_block.h"
#include "backends/cpu/cpu_skinny.h"
#include "backends/cpu/cpu_vec.h"

namespace lf::cpu::skinny_kernels {

// A 2-D operand as op(x): element (i, j) at p[i * si + j * sj].
template <typename T>
struct View {
  const T* p;
  int64_t si, sj;
  float at(int64_t i, int64_t j) const { return to_f32(p[i * si + j * sj]); }
};

template <typename C>
void store(float v, float beta, C* p) {
  if (beta != 0.0f) v += beta * to_f32(*p);  // beta = 0 must not read NaNs of fresh memory
  from_f32(v, p);
}

// Small N: c[m, :] = alpha * (a row m) . (bt rows) + beta * c[m, :], the rows
// of a unit-stride, bt = op(b)^T packed [N, K]. Each row of a is read once
// against all N rows of bt by gemv blocks (vdpbf16ps where the CPU has it).
template <typename T, typename C>
void dot_rows(const View<T>& a, int64_t m, const T* bt, const GemvBlock<T>* blocks, C* c,
              int64_t N, int64_t K, float alpha, float beta) {
  float out[kGemvBlockRows];
  for (int64_t n0 = 0; n0 < N; n0 += kGemvBlockRows) {
    const int64_t n = N - n0 < kGemvBlockRows ? N - n0 : kGemvBlockRows;
    blocks[n - 1](bt + n0 * K, K, a.p + m * a.si, K, out);
    for (int64_t j = 0; j < n; ++j) store(alpha * out[j], beta, c + m * N + n0 + j);
  }
}

// Small K: R rows of c from m0 on, c[m, :] = sum_k a(m, k) * bp[k, :] + beta *
// c[m, :], bp = alpha * op(b) packed [K, ldp] in f32 (rows padded to whole
// vectors). Each bp vector is loaded once for the R rows.
template <int R, typename T, typename C>
void expand_rows(const View<T>& a, int64_t m0, const float* bp, int64_t ldp, C* c, int64_t N,
                 int64_t K, float beta) {
  float am[R][kSkinnyMax];
  for (int r = 0; r < R; ++r)
    for (int64_t k = 0; k < K; ++k) am[r][k] = a.at(m0 + r, k);
  for_lanes(N, [&](int64_t j, int64_t n) {
    vf acc[R];
    for (int r = 0; r < R; ++r) {
      C* row = c + (m0 + r) * N + j;
      acc[r] = beta != 0.0f ? splat(beta) * vload(row, n, 0.0f) : vf{};
    }
    for (int64_t k = 0; k < K; ++k) {
      const vf w = vload(bp + k * ldp + j);
      for (int r = 0; r < R; ++r) acc[r] += splat(am[r][k]) * w;
    }
    for (int r = 0; r < R; ++r) vstore(c + (m0 + r) * N + j, acc[r], n);
  });
}

// Tokens per tile of a sum over tokens: a tile of big's rows stays in L2
// while the passes over its columns read it.
constexpr int64_t kTokenTile = 32;

// Long K (a sum over tokens): acc[s, j] = sum_t sp[t, s] * big[t, l0 + j] for
// s < S, j < W, with sp packed [T, S] in f32 and big's rows ld apart,
// unit-stride; acc is [S, ldw] f32. Two vectors of columns at a time keep
// their 2 S sums in registers over a tile of tokens. Each pass reads one line
// of every row of the tile, a pattern the hardware prefetchers do not follow,
// so the next tile is prefetched row by row while this one is summed.
template <int S, typename T>
void reduce_block(const T* big, int64_t ld, int64_t tokens, const float* sp, int64_t l0, int64_t W,
                  float* acc, int64_t ldw) {
  for (int64_t i = 0; i < S * ldw; ++i) acc[i] = 0.0f;
  constexpr int64_t kLine = 64 / sizeof(T);
  for (int64_t t0 = 0; t0 < tokens; t0 += kTokenTile) {
    const int64_t t1 = t0 + kTokenTile < tokens ? t0 + kTokenTile : tokens;
    const int64_t p1 = t1 + kTokenTile < tokens ? t1 + kTokenTile : tokens;
    for (int64_t t = t1; t < p1; ++t)
      for (int64_t j = 0; j < W; j += kLine) __builtin_prefetch(big + t * ld + l0 + j);
    for (int64_t j = 0; j < W; j += 2 * kLanes) {
      const int64_t n0 = W - j < kLanes ? W - j : kLanes;
      const int64_t n1 = W - j - n0 < kLanes ? W - j - n0 : kLanes;
      vf s0[S], s1[S];
      for (int s = 0; s < S; ++s) {
        s0[s] = vload(acc + s * ldw + j);
        s1[s] = vload(acc + s * ldw + j + kLanes);
      }
      const T* col = big + l0 + j;
      for (int64_t t = t0; t < t1; ++t) {
        const vf x0 = vload(col + t * ld, n0, 0.0f);
        const vf x1 = n1 > 0 ? vload(col + t * ld + kLanes, n1, 0.0f) : vf{};
        for (int s = 0; s < S; ++s) {
          const vf w = splat(sp[t * S + s]);
          s0[s] += x0 * w;
          s1[s] += x1 * w;
        }
      }
      for (int s = 0; s < S; ++s) {
        vstore(acc + s * ldw + j, s0[s]);
        vstore(acc + s * ldw + j + kLanes, s1[s]);
      }
    }
  }
}

}  // namespace lf::cpu::skinny_kernels
