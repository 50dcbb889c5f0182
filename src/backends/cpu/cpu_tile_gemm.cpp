#include "backends/cpu/cpu_tile_gemm.h"

#include <cstring>

namespace lf::cpu {
namespace {

// The widest float vector the target has (compile-time), so the code below is
// plain C++ on every architecture; two of them form a block's row.
// kRows rows of two vectors stay in registers: 8 where the target has 32
// vector registers (AVX-512, NEON), 4 where it has 16.
#if defined(__AVX512F__)
constexpr int kLanes = 16, kRows = 8;
#elif defined(__AVX__)
constexpr int kLanes = 8, kRows = 4;
#elif defined(__aarch64__)
constexpr int kLanes = 4, kRows = 8;
#else
constexpr int kLanes = 4, kRows = 4;  // SSE2
#endif
constexpr int kCols = 2 * kLanes;
typedef float vec __attribute__((vector_size(kLanes * sizeof(float))));

inline vec load(const float* p) {
  vec v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline void store(float* p, vec v) { std::memcpy(p, &v, sizeof v); }

// R rows x kCols columns of C kept in registers across the whole K loop.
template <int R>
void block(const float* A, int64_t lda, const float* B, int64_t ldb, float* C, int64_t ldc,
           int64_t K, bool accumulate) {
  vec c[R][2];
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r) {
    c[r][0] = accumulate ? load(C + r * ldc) : vec{};
    c[r][1] = accumulate ? load(C + r * ldc + kLanes) : vec{};
  }
  for (int64_t k = 0; k < K; ++k) {
    const vec b0 = load(B + k * ldb), b1 = load(B + k * ldb + kLanes);
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
      const float a = A[r * lda + k];
      c[r][0] += a * b0;
      c[r][1] += a * b1;
    }
  }
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r) {
    store(C + r * ldc, c[r][0]);
    store(C + r * ldc + kLanes, c[r][1]);
  }
}

}  // namespace

void tile_gemm(const float* A, int64_t lda, const float* B, int64_t ldb, float* C, int64_t ldc,
               int64_t M, int64_t N, int64_t K, bool accumulate) {
  const int64_t Nb = N / kCols * kCols;
  for (int64_t n = 0; n < Nb; n += kCols) {
    int64_t i = 0;
    for (; i + kRows <= M; i += kRows)
      block<kRows>(A + i * lda, lda, B + n, ldb, C + i * ldc + n, ldc, K, accumulate);
    for (; i < M; ++i) block<1>(A + i * lda, lda, B + n, ldb, C + i * ldc + n, ldc, K, accumulate);
  }
  if (Nb == N) return;
  // Leftover columns (small head dims): plain loops.
  for (int64_t i = 0; i < M; ++i) {
    float* ci = C + i * ldc;
    for (int64_t n = Nb; n < N; ++n) ci[n] = accumulate ? ci[n] : 0.0f;
    for (int64_t k = 0; k < K; ++k) {
      const float a = A[i * lda + k];
      const float* bk = B + k * ldb;
      for (int64_t n = Nb; n < N; ++n) ci[n] += a * bk[n];
    }
  }
}

}  // namespace lf::cpu
