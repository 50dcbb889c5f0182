// The small-K kernel for bf16 on vdpbf16ps: each instruction multiplies 16
// columns of two k-rows of b by one broadcast (k, k + 1) pair of a, halving
// the multiply-adds of the f32 kernel and skipping the widening of b. Compiled
// for AVX-512 BF16 by function attributes and chosen at run time from
// cpu_features(), as cpu_gemv_avx512.cpp.
#include "backends/cpu/cpu_skinny_avx512.h"

#include "core/host_runtime.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace lf::cpu {

#if defined(__x86_64__)
namespace {

#define LF_AVX512_BF16 __attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16")))

LF_AVX512_BF16 inline __m512 load_c(const float* p, __mmask16 m) { return _mm512_maskz_loadu_ps(m, p); }
// The all-lanes masked forms: GCC 12's unmasked widening and shift trip
// -Wmaybe-uninitialized inside its own header.
LF_AVX512_BF16 inline __m512 load_c(const uint16_t* p, __mmask16 m) {
  const __mmask16 all = 0xffff;
  const __m512i w = _mm512_maskz_cvtepu16_epi32(all, _mm256_maskz_loadu_epi16(m, p));
  return _mm512_castsi512_ps(_mm512_maskz_slli_epi32(all, w, 16));
}
LF_AVX512_BF16 inline void store_c(float* p, __m512 v, __mmask16 m) { _mm512_mask_storeu_ps(p, m, v); }
LF_AVX512_BF16 inline void store_c(uint16_t* p, __m512 v, __mmask16 m) {
  _mm256_mask_storeu_epi16(p, m, (__m256i)_mm512_cvtneps_pbh(v));
}

template <int R, typename C>
LF_AVX512_BF16 void rows(const uint32_t* ap, int64_t kp, const uint16_t* bp, int64_t ldp, C* c,
                         int64_t N, float alpha, float beta) {
  for (int64_t j = 0; j < N; j += 16) {
    const __mmask16 m = N - j >= 16 ? __mmask16(0xffff) : __mmask16((1u << (N - j)) - 1u);
    __m512 acc[R];
    for (int r = 0; r < R; ++r) acc[r] = _mm512_setzero_ps();
    for (int64_t p = 0; p < kp; ++p) {
      const __m512i w = _mm512_loadu_si512(bp + 2 * (p * ldp + j));
      for (int r = 0; r < R; ++r)
        acc[r] = _mm512_dpbf16_ps(acc[r], (__m512bh)_mm512_set1_epi32(static_cast<int>(ap[r * kp + p])),
                                  (__m512bh)w);
    }
    for (int r = 0; r < R; ++r) {
      __m512 v = _mm512_mul_ps(acc[r], _mm512_set1_ps(alpha));
      // beta = 0 must not read NaNs of fresh memory.
      if (beta != 0.0f) v = _mm512_fmadd_ps(_mm512_set1_ps(beta), load_c(c + r * N + j, m), v);
      store_c(c + r * N + j, v, m);
    }
  }
}

template <typename C>
LF_AVX512_BF16 void expand(const uint32_t* ap, int64_t kp, const uint16_t* bp, int64_t ldp, C* c,
                           int64_t N, int64_t count, float alpha, float beta) {
  int64_t r = 0;
  for (; r + 4 <= count; r += 4) rows<4>(ap + r * kp, kp, bp, ldp, c + r * N, N, alpha, beta);
  for (; r < count; ++r) rows<1>(ap + r * kp, kp, bp, ldp, c + r * N, N, alpha, beta);
}

bool usable() {
  static const bool ok = cpu_features().avx512f && cpu_features().avx512_bf16;
  return ok;
}

}  // namespace

SkinnyExpandBf16<float> skinny_expand_avx512_bf16(float*) { return usable() ? &expand<float> : nullptr; }
SkinnyExpandBf16<uint16_t> skinny_expand_avx512_bf16(uint16_t*) {
  return usable() ? &expand<uint16_t> : nullptr;
}
#else
SkinnyExpandBf16<float> skinny_expand_avx512_bf16(float*) { return nullptr; }
SkinnyExpandBf16<uint16_t> skinny_expand_avx512_bf16(uint16_t*) { return nullptr; }
#endif

}  // namespace lf::cpu
