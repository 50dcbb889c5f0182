// bf16 gemv blocks on vdpbf16ps: each instruction multiplies 32 bf16 pairs and
// adds them into 16 f32 sums, with no widening of the operands. Compiled for
// AVX-512 BF16 by function attributes whatever -march says, and chosen at run
// time from cpu_features(), so a portable build still uses it where the CPU
// has it. Every CPU with avx512_bf16 also has avx512bw (the masked 16-bit loads
// of the tail).
#include "backends/cpu/cpu_gemv.h"
#include "backends/cpu/cpu_gemv_block.h"
#include "core/host_runtime.h"

#if defined(__x86_64__)
#include <immintrin.h>

#include <utility>
#endif

namespace lf::cpu {

#if defined(__x86_64__)
namespace {

#define LF_AVX512_BF16 __attribute__((target("avx512f,avx512bw,avx512bf16")))

// Sum of the 16 lanes by halving shuffles. The all-lanes masked forms: GCC
// 12's unmasked shuffles (and _mm512_reduce_add_ps) trip -Wuninitialized
// inside its own header.
LF_AVX512_BF16 inline float hsum(__m512 v) {
  const __mmask16 all = 0xffff;
  v = _mm512_add_ps(v, _mm512_maskz_shuffle_f32x4(all, v, v, _MM_SHUFFLE(1, 0, 3, 2)));
  v = _mm512_add_ps(v, _mm512_maskz_shuffle_f32x4(all, v, v, _MM_SHUFFLE(2, 3, 0, 1)));
  v = _mm512_add_ps(v, _mm512_maskz_permute_ps(all, v, _MM_SHUFFLE(1, 0, 3, 2)));
  v = _mm512_add_ps(v, _mm512_maskz_permute_ps(all, v, _MM_SHUFFLE(2, 3, 0, 1)));
  return _mm512_cvtss_f32(v);
}

LF_AVX512_BF16 inline __m512 dot(__m512 acc, __m512i x, __m512i w) {
  return _mm512_dpbf16_ps(acc, (__m512bh)x, (__m512bh)w);
}

template <int R>
LF_AVX512_BF16 void block(const uint16_t* a, int64_t lda, const uint16_t* b, int64_t K, float* out) {
  constexpr int U = gemv_unroll(R);
  __m512 acc[R][U];
  for (int r = 0; r < R; ++r)
    for (int u = 0; u < U; ++u) acc[r][u] = _mm512_setzero_ps();
  int64_t k = 0;
  for (; k + 32 * U <= K; k += 32 * U)
    for (int u = 0; u < U; ++u) {
      _mm_prefetch(static_cast<const char*>(gemv_prefetch_target(b + k + 32 * u)), _MM_HINT_T0);
      const __m512i w = _mm512_loadu_si512(b + k + 32 * u);
      for (int r = 0; r < R; ++r)
        acc[r][u] = dot(acc[r][u], _mm512_loadu_si512(a + r * lda + k + 32 * u), w);
    }
  for (; k < K; k += 32) {
    // Zero-filled lanes of both operands add nothing (and read nothing).
    const __mmask32 m = K - k >= 32 ? ~__mmask32{0} : _cvtu32_mask32((1u << (K - k)) - 1u);
    const __m512i w = _mm512_maskz_loadu_epi16(m, b + k);
    for (int r = 0; r < R; ++r) acc[r][0] = dot(acc[r][0], _mm512_maskz_loadu_epi16(m, a + r * lda + k), w);
  }
  for (int r = 0; r < R; ++r) {
    for (int u = 1; u < U; ++u) acc[r][0] = _mm512_add_ps(acc[r][0], acc[r][u]);
    out[r] = hsum(acc[r][0]);
  }
}

// One row of a against two weight rows far apart: two read streams per
// thread outrun one (a batch-1 decode product is nothing but the weight
// stream), where adjacent rows did not (cpu_gemv_block.h).
LF_AVX512_BF16 void two_rows(const uint16_t* a, const uint16_t* b0, const uint16_t* b1, int64_t K,
                             float* out0, float* out1) {
  __m512 c0[2], c1[2];
  c0[0] = c0[1] = c1[0] = c1[1] = _mm512_setzero_ps();
  int64_t k = 0;
  for (; k + 64 <= K; k += 64)
    for (int u = 0; u < 2; ++u) {  // u: one 64-byte line of each stream
      _mm_prefetch(static_cast<const char*>(gemv_prefetch_target(b0 + k + 32 * u)), _MM_HINT_T0);
      _mm_prefetch(static_cast<const char*>(gemv_prefetch_target(b1 + k + 32 * u)), _MM_HINT_T0);
      const __m512i x = _mm512_loadu_si512(a + k + 32 * u);
      c0[u] = dot(c0[u], x, _mm512_loadu_si512(b0 + k + 32 * u));
      c1[u] = dot(c1[u], x, _mm512_loadu_si512(b1 + k + 32 * u));
    }
  for (; k < K; k += 32) {
    const __mmask32 m = K - k >= 32 ? ~__mmask32{0} : _cvtu32_mask32((1u << (K - k)) - 1u);
    const __m512i x = _mm512_maskz_loadu_epi16(m, a + k);
    c0[0] = dot(c0[0], x, _mm512_maskz_loadu_epi16(m, b0 + k));
    c1[0] = dot(c1[0], x, _mm512_maskz_loadu_epi16(m, b1 + k));
  }
  *out0 = hsum(_mm512_add_ps(c0[0], c0[1]));
  *out1 = hsum(_mm512_add_ps(c1[0], c1[1]));
}

template <int... R>
GemvBlock<uint16_t> pick(int64_t rows, std::integer_sequence<int, R...>) {
  GemvBlock<uint16_t> f = nullptr;
  ((rows == R + 1 ? (f = &block<R + 1>) : f), ...);
  return f;
}

}  // namespace

static bool usable() {
  static const bool yes = cpu_features().avx512f && cpu_features().avx512_bf16;
  return yes;
}

GemvTwoRows<uint16_t> gemv_two_rows_avx512_bf16() { return usable() ? &two_rows : nullptr; }

GemvBlock<uint16_t> gemv_block_avx512_bf16(int64_t rows) {
  return usable() ? pick(rows, std::make_integer_sequence<int, kGemvBlockRows>()) : nullptr;
}
#else
GemvTwoRows<uint16_t> gemv_two_rows_avx512_bf16() { return nullptr; }
GemvBlock<uint16_t> gemv_block_avx512_bf16(int64_t) { return nullptr; }
#endif

}  // namespace lf::cpu
