// Skinny matmul driver: picks the kernel by which dimension is small, packs
// the small operand, and splits the big one across OpenMP threads in
// contiguous stretches (rows of c for small N or K; column ranges of the big
// operand for the sums over tokens, so no thread needs another's partial sums).
// Taken only where it beat oneDNN inside bench_train: small K, small N, and
// small N of a sum over tokens (dy^T u), not small M of one (du^T x).
#include "backends/cpu/cpu_skinny.h"

#include <omp.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "backends/cpu/cpu_parallel.h"
#include "backends/cpu/cpu_skinny_avx512.h"
#include "backends/cpu/cpu_skinny_kernels.h"

namespace lf::cpu {
namespace {

using skinny_kernels::View;

// Columns of big per block of a token sum: its [S, W] f32 sums stay in L1.
constexpr int64_t kReduceCols = 512;

// Leading dims, if any, all of size 1: a single matrix.
bool one_matrix(const Tensor& x) { return x.dim() >= 2 && x.numel() == x.size(-2) * x.size(-1); }

template <typename T>
View<T> view(const Tensor& x, bool trans) {
  const int64_t s0 = x.stride(-2), s1 = x.stride(-1);
  return {static_cast<const T*>(x.raw_data()), trans ? s1 : s0, trans ? s0 : s1};
}

template <typename T>
GemvBlock<T> block_for(int64_t rows) {
  if constexpr (sizeof(T) == 2) {
    if (GemvBlock<uint16_t> f = gemv_block_avx512_bf16(rows)) return f;
  }
  return gemv_block_portable(rows, T{});
}

// Small N, op(a) rows unit-stride.
template <typename T, typename C>
void narrow_output(const View<T>& a, const View<T>& b, C* c, int64_t M, int64_t K, int64_t N,
                   float alpha, float beta) {
  std::vector<T> bt(static_cast<size_t>(N * K));
  for (int64_t n = 0; n < N; ++n)
    for (int64_t k = 0; k < K; ++k) bt[static_cast<size_t>(n * K + k)] = b.p[k * b.si + n * b.sj];
  GemvBlock<T> blocks[kGemvBlockRows];
  for (int64_t r = 0; r < kGemvBlockRows; ++r) blocks[r] = block_for<T>(r + 1);
#pragma omp parallel for schedule(static) if (M * K >= kParallelMin)
  for (int64_t m = 0; m < M; ++m)
    skinny_kernels::dot_rows(a, m, bt.data(), blocks, c, N, K, alpha, beta);
}

// Small K, bf16 on vdpbf16ps: a and op(b) packed in (k, k + 1) pairs.
template <typename C>
void thin_inner_bf16(SkinnyExpandBf16<C> kernel, const View<uint16_t>& a, const View<uint16_t>& b,
                     C* c, int64_t M, int64_t K, int64_t N, float alpha, float beta) {
  const int64_t kp = (K + 1) / 2, ldp = (N + 15) / 16 * 16;
  std::vector<uint32_t> ap(static_cast<size_t>(M * kp), 0);
  std::vector<uint16_t> bp(static_cast<size_t>(kp * ldp * 2), 0);
  for (int64_t m = 0; m < M; ++m)
    for (int64_t k = 0; k < K; ++k) {
      const uint32_t v = a.p[m * a.si + k * a.sj];
      ap[static_cast<size_t>(m * kp + k / 2)] |= v << (16 * (k % 2));
    }
  for (int64_t k = 0; k < K; ++k)
    for (int64_t n = 0; n < N; ++n)
      bp[static_cast<size_t>(((k / 2) * ldp + n) * 2 + k % 2)] = b.p[k * b.si + n * b.sj];
  constexpr int64_t R = 16;
  const int64_t tiles = (M + R - 1) / R;
#pragma omp parallel for schedule(static) if (M * N >= kParallelMin)
  for (int64_t i = 0; i < tiles; ++i)
    kernel(ap.data() + i * R * kp, kp, bp.data(), ldp, c + i * R * N, N, std::min(R, M - i * R),
           alpha, beta);
}

// Small K.
template <typename T, typename C>
void thin_inner(const View<T>& a, const View<T>& b, C* c, int64_t M, int64_t K, int64_t N,
                float alpha, float beta) {
  if constexpr (sizeof(T) == 2) {
    if (SkinnyExpandBf16<C> kernel = skinny_expand_avx512_bf16(static_cast<C*>(nullptr))) {
      thin_inner_bf16(kernel, a, b, c, M, K, N, alpha, beta);
      return;
    }
  }
  const int64_t ldp = (N + kLanes - 1) / kLanes * kLanes;
  std::vector<float> bp(static_cast<size_t>(K * ldp), 0.0f);
  for (int64_t k = 0; k < K; ++k)
    for (int64_t n = 0; n < N; ++n) bp[static_cast<size_t>(k * ldp + n)] = alpha * b.at(k, n);
  constexpr int64_t R = 4;
  const int64_t tiles = (M + R - 1) / R;
#pragma omp parallel for schedule(static) if (M * N >= kParallelMin)
  for (int64_t i = 0; i < tiles; ++i) {
    if (i * R + R <= M) {
      skinny_kernels::expand_rows<R>(a, i * R, bp.data(), ldp, c, N, K, beta);
    } else {
      for (int64_t m = i * R; m < M; ++m)
        skinny_kernels::expand_rows<1>(a, m, bp.data(), ldp, c, N, K, beta);
    }
  }
}

template <typename T>
using ReduceBlock = void (*)(const T*, int64_t, int64_t, const float*, int64_t, int64_t, float*,
                             int64_t);

template <typename T, int... S>
ReduceBlock<T> pick_reduce(int64_t s, std::integer_sequence<int, S...>) {
  ReduceBlock<T> f = nullptr;
  ((s == S + 1 ? (f = &skinny_kernels::reduce_block<S + 1, T>) : f), ...);
  return f;
}
template <typename T>
ReduceBlock<T> reduce_for(int64_t s) {
  return pick_reduce<T>(s, std::make_integer_sequence<int, kSkinnyMax>());
}

// Long K: c[l, s] = alpha * sum_t big[t, l] * sp[t, s] + beta * c[l, s].
template <typename T, typename C>
void token_sum(const T* big, int64_t ld, int64_t tokens, const std::vector<float>& sp, int64_t S,
               int64_t L, C* c, float alpha, float beta) {
  const int64_t threads = omp_get_max_threads();
  const int64_t per = threads * kReduceCols;
  const int64_t want = threads * ((L + per - 1) / per);
  const int64_t W = ((L + want - 1) / want + kLanes - 1) / kLanes * kLanes;
  const int64_t blocks = (L + W - 1) / W;
  const int64_t ldw = (W + 2 * kLanes - 1) / (2 * kLanes) * (2 * kLanes);  // whole column pairs
#pragma omp parallel for schedule(static) if (tokens * L >= kParallelMin)
  for (int64_t i = 0; i < blocks; ++i) {
    thread_local std::vector<float> acc;
    acc.resize(static_cast<size_t>(S * ldw));
    const int64_t l0 = i * W, w = std::min(W, L - l0);
    reduce_for<T>(S)(big, ld, tokens, sp.data(), l0, w, acc.data(), ldw);
    for (int64_t s = 0; s < S; ++s)
      for (int64_t j = 0; j < w; ++j)
        skinny_kernels::store(alpha * acc[static_cast<size_t>(s * ldw + j)], beta,
                              c + (l0 + j) * S + s);
  }
}

template <typename T, typename C>
bool run(const View<T>& a, const View<T>& b, C* c, int64_t M, int64_t K, int64_t N, float alpha,
         float beta) {
  if (K <= kSkinnyMax) {
    thin_inner(a, b, c, M, K, N, alpha, beta);
    return true;
  }
  if (N <= kSkinnyMax && a.sj == 1) {
    narrow_output(a, b, c, M, K, N, alpha, beta);
    return true;
  }
  // c^T = op(b)^T op(a)^T, a sum over the K tokens: op(b) packed [K, N] in
  // f32, op(a)^T read along its unit-stride rows. (With small M instead, du^T x
  // in the backward of a LoRA layer, oneDNN was faster on x, cold in memory.)
  if (N > kSkinnyMax || a.si != 1) return false;
  std::vector<float> sp(static_cast<size_t>(K * N));
  for (int64_t t = 0; t < K; ++t)
    for (int64_t n = 0; n < N; ++n) sp[static_cast<size_t>(t * N + n)] = b.at(t, n);
  token_sum(a.p, a.sj, K, sp, N, M, c, alpha, beta);
  return true;
}

template <typename T>
bool typed(const Tensor& a, const Tensor& b, Tensor& c, bool trans_a, bool trans_b, int64_t M,
           int64_t K, int64_t N, float alpha, float beta) {
  const View<T> va = view<T>(a, trans_a), vb = view<T>(b, trans_b);
  if (c.dtype() == DType::f32)
    return run(va, vb, static_cast<float*>(c.raw_data()), M, K, N, alpha, beta);
  return run(va, vb, static_cast<T*>(c.raw_data()), M, K, N, alpha, beta);
}

}  // namespace

bool skinny(const Tensor& a, const Tensor& b, Tensor& c, bool trans_a, bool trans_b, float alpha,
            float beta) {
  const DType t = a.dtype();
  if (b.dtype() != t || (t != DType::bf16 && t != DType::f32)) return false;
  if ((c.dtype() != DType::f32 && c.dtype() != t) || !c.is_contiguous()) return false;
  if (!one_matrix(a) || !one_matrix(b) || !one_matrix(c)) return false;
  const int64_t M = trans_a ? a.size(-1) : a.size(-2), K = trans_a ? a.size(-2) : a.size(-1);
  const int64_t N = trans_b ? b.size(-2) : b.size(-1);
  if (M == 0 || N == 0 || K == 0 || std::min({M, N, K}) > kSkinnyMax) return false;
  if (t == DType::bf16) return typed<uint16_t>(a, b, c, trans_a, trans_b, M, K, N, alpha, beta);
  return typed<float>(a, b, c, trans_a, trans_b, M, K, N, alpha, beta);
}

}  // namespace lf::cpu
