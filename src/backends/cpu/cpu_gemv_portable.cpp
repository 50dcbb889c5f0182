// Portable gemv blocks on cpu_vec.h's vectors: bf16 widened by a shift, f32
// loaded as is, multiply-adds that the compiler fuses where the target has FMA.
// Any x86-64 or aarch64 build runs these; AVX-512 BF16 CPUs use
// cpu_gemv_avx512.cpp for bf16 instead.
#include <utility>

#include "backends/cpu/cpu_gemv.h"
#include "backends/cpu/cpu_gemv_block.h"
#include "backends/cpu/cpu_vec.h"

namespace lf::cpu {
namespace {

template <typename T, int R>
void block(const T* a, int64_t lda, const T* b, int64_t K, float* out) {
  constexpr int U = gemv_unroll(R);
  vf acc[R][U] = {};
  int64_t k = 0;
  for (; k + U * kLanes <= K; k += U * kLanes)
    for (int u = 0; u < U; ++u) {
      __builtin_prefetch(gemv_prefetch_target(b + k + u * kLanes));
      const vf w = vload(b + k + u * kLanes);
      for (int r = 0; r < R; ++r) acc[r][u] += vload(a + r * lda + k + u * kLanes) * w;
    }
  for (; k < K; k += kLanes) {
    const int64_t n = K - k < kLanes ? K - k : kLanes;
    const vf w = vload(b + k, n, 0.0f);
    for (int r = 0; r < R; ++r) acc[r][0] += vload(a + r * lda + k, n, 0.0f) * w;
  }
  for (int r = 0; r < R; ++r) {
    for (int u = 1; u < U; ++u) acc[r][0] += acc[r][u];
    out[r] = hsum(acc[r][0]);
  }
}

template <typename T>
void two_rows(const T* a, const T* b0, const T* b1, int64_t K, float* out0, float* out1) {
  vf c0[2] = {}, c1[2] = {};
  int64_t k = 0;
  for (; k + 2 * kLanes <= K; k += 2 * kLanes)
    for (int u = 0; u < 2; ++u) {
      __builtin_prefetch(gemv_prefetch_target(b0 + k + u * kLanes));
      __builtin_prefetch(gemv_prefetch_target(b1 + k + u * kLanes));
      const vf x = vload(a + k + u * kLanes);
      c0[u] += x * vload(b0 + k + u * kLanes);
      c1[u] += x * vload(b1 + k + u * kLanes);
    }
  for (; k < K; k += kLanes) {
    const int64_t n = K - k < kLanes ? K - k : kLanes;
    const vf x = vload(a + k, n, 0.0f);
    c0[0] += x * vload(b0 + k, n, 0.0f);
    c1[0] += x * vload(b1 + k, n, 0.0f);
  }
  *out0 = hsum(c0[0] + c0[1]);
  *out1 = hsum(c1[0] + c1[1]);
}

template <typename T, int... R>
GemvBlock<T> pick(int64_t rows, std::integer_sequence<int, R...>) {
  GemvBlock<T> f = nullptr;
  ((rows == R + 1 ? (f = &block<T, R + 1>) : f), ...);
  return f;
}

}  // namespace

GemvBlock<float> gemv_block_portable(int64_t rows, float) {
  return pick<float>(rows, std::make_integer_sequence<int, kGemvBlockRows>());
}
GemvBlock<uint16_t> gemv_block_portable(int64_t rows, uint16_t) {
  return pick<uint16_t>(rows, std::make_integer_sequence<int, kGemvBlockRows>());
}
GemvTwoRows<float> gemv_two_rows_portable(float) { return &two_rows<float>; }
GemvTwoRows<uint16_t> gemv_two_rows_portable(uint16_t) { return &two_rows<uint16_t>; }

}  // namespace lf::cpu
