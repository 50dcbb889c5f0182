// The bf16 tile GEMM and its operand packing. The AVX-512 BF16 code is built
// for every x86-64 target through function attributes and picked at run time;
// the scalar loops are the reference for other CPUs (attention only takes the
// bf16 path where has_bf16_dot() holds).
#include <cstring>

#include "backends/cpu/cpu_convert.h"
#include "backends/cpu/cpu_tile_gemm.h"
#include "core/host_runtime.h"

#if defined(__x86_64__)
#include <immintrin.h>
#define LF_BF16_TARGET __attribute__((target("avx512bf16,avx512f,avx512bw,avx512vl")))
#endif

namespace lf::cpu {
namespace {

#if defined(__x86_64__)

// Lanes of a 16-lane vector that columns [n, n + 16) of an N-wide row fill.
LF_BF16_TARGET inline __mmask16 lanes_from(int64_t n, int64_t N) {
  const int64_t w = N - n;
  return w >= 16 ? __mmask16(0xffff) : w <= 0 ? __mmask16(0) : __mmask16((1u << w) - 1);
}

// R rows x 32 columns of C kept in registers across the whole K loop; the
// masks cut the columns at N (masked loads do not fault past the row's end).
template <int R>
LF_BF16_TARGET void block(const uint16_t* A, int64_t lda, const uint32_t* Bp, int64_t ldb, float* C,
                          int64_t ldc, int64_t K, bool accumulate, __mmask16 m0, __mmask16 m1) {
  __m512 c0[R], c1[R];
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r) {
    c0[r] = accumulate ? _mm512_maskz_loadu_ps(m0, C + r * ldc) : _mm512_setzero_ps();
    c1[r] = accumulate ? _mm512_maskz_loadu_ps(m1, C + r * ldc + 16) : _mm512_setzero_ps();
  }
  const int64_t pairs = K / 2;
  for (int64_t kp = 0; kp < pairs; ++kp) {
    const __m512bh b0 = (__m512bh)_mm512_maskz_loadu_epi32(m0, Bp + kp * ldb);
    const __m512bh b1 = (__m512bh)_mm512_maskz_loadu_epi32(m1, Bp + kp * ldb + 16);
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
      int32_t a;
      std::memcpy(&a, A + r * lda + 2 * kp, sizeof a);
      const __m512bh av = (__m512bh)_mm512_set1_epi32(a);
      c0[r] = _mm512_dpbf16_ps(c0[r], av, b0);
      c1[r] = _mm512_dpbf16_ps(c1[r], av, b1);
    }
  }
  if (K % 2) {
    // The last A element alone (its pair partner may be past the row's end).
    const __m512bh b0 = (__m512bh)_mm512_maskz_loadu_epi32(m0, Bp + pairs * ldb);
    const __m512bh b1 = (__m512bh)_mm512_maskz_loadu_epi32(m1, Bp + pairs * ldb + 16);
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
      const __m512bh av = (__m512bh)_mm512_set1_epi32(A[r * lda + K - 1]);
      c0[r] = _mm512_dpbf16_ps(c0[r], av, b0);
      c1[r] = _mm512_dpbf16_ps(c1[r], av, b1);
    }
  }
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r) {
    _mm512_mask_storeu_ps(C + r * ldc, m0, c0[r]);
    _mm512_mask_storeu_ps(C + r * ldc + 16, m1, c1[r]);
  }
}

template <int R>
LF_BF16_TARGET void rows(const uint16_t* A, int64_t lda, const uint32_t* Bp, int64_t ldb, float* C,
                         int64_t ldc, int64_t N, int64_t K, bool accumulate) {
  for (int64_t n = 0; n < N; n += 32)
    block<R>(A, lda, Bp + n, ldb, C + n, ldc, K, accumulate, lanes_from(n, N),
             lanes_from(n + 16, N));
}

// Blocks of 8 rows (16 accumulators, the rest of the 32 registers for B and
// the broadcast), then one block of the 1-7 rows left.
LF_BF16_TARGET void gemm_avx512(const uint16_t* A, int64_t lda, const uint32_t* Bp, int64_t ldb,
                                float* C, int64_t ldc, int64_t M, int64_t N, int64_t K,
                                bool accumulate) {
  int64_t i = 0;
  for (; i + 8 <= M; i += 8) rows<8>(A + i * lda, lda, Bp, ldb, C + i * ldc, ldc, N, K, accumulate);
  A += i * lda;
  C += i * ldc;
  switch (M - i) {
    case 7: return rows<7>(A, lda, Bp, ldb, C, ldc, N, K, accumulate);
    case 6: return rows<6>(A, lda, Bp, ldb, C, ldc, N, K, accumulate);
    case 5: return rows<5>(A, lda, Bp, ldb, C, ldc, N, K, accumulate);
    case 4: return rows<4>(A, lda, Bp, ldb, C, ldc, N, K, accumulate);
    case 3: return rows<3>(A, lda, Bp, ldb, C, ldc, N, K, accumulate);
    case 2: return rows<2>(A, lda, Bp, ldb, C, ldc, N, K, accumulate);
    case 1: return rows<1>(A, lda, Bp, ldb, C, ldc, N, K, accumulate);
    default: return;
  }
}

// Words 2k and 2k + 1 of the result take word k of the low and the high
// 16-word halves of the converted pair. Whole-register permutes and masked
// stores only: GCC 12 warns on every intrinsic that takes a 256-bit half.
LF_BF16_TARGET void pack_avx512(const float* lo, const float* hi, int64_t n, uint32_t* out,
                                uint16_t* lo_rows, uint16_t* hi_rows) {
  alignas(64) static constexpr int16_t kInterleave[32] = {
      0, 16, 1, 17, 2,  18, 3,  19, 4,  20, 5,  21, 6,  22, 7,  23,
      8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31};
  alignas(64) static constexpr int16_t kHigh[32] = {
      16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31,
      16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31};
  const __m512i interleave = _mm512_load_si512(kInterleave), high = _mm512_load_si512(kHigh);
  for (int64_t j = 0; j < n; j += 16) {
    const __mmask16 m = lanes_from(j, n);
    const __m512 l = _mm512_maskz_loadu_ps(m, lo + j);
    const __m512 h = hi ? _mm512_maskz_loadu_ps(m, hi + j) : _mm512_setzero_ps();
    const __m512i both = (__m512i)_mm512_cvtne2ps_pbh(h, l);  // low 16 words from l
    _mm512_mask_storeu_epi32(out + j, m, _mm512_permutexvar_epi16(interleave, both));
    if (lo_rows) _mm512_mask_storeu_epi16(lo_rows + j, m, both);
    if (hi_rows) _mm512_mask_storeu_epi16(hi_rows + j, m, _mm512_permutexvar_epi16(high, both));
  }
}

#endif

void gemm_scalar(const uint16_t* A, int64_t lda, const uint32_t* Bp, int64_t ldb, float* C,
                 int64_t ldc, int64_t M, int64_t N, int64_t K, bool accumulate) {
  for (int64_t i = 0; i < M; ++i)
    for (int64_t n = 0; n < N; ++n) {
      float s = accumulate ? C[i * ldc + n] : 0.0f;
      for (int64_t k = 0; k < K; ++k) {
        const uint32_t w = Bp[k / 2 * ldb + n];
        s += bf16_to_f32(A[i * lda + k]) * bf16_to_f32(static_cast<uint16_t>(k % 2 ? w >> 16 : w));
      }
      C[i * ldc + n] = s;
    }
}

}  // namespace

bool has_bf16_dot() {
#if defined(__x86_64__)
  static const bool has = cpu_features().avx512_bf16 && cpu_features().avx512f;
  return has;
#else
  return false;
#endif
}

void tile_gemm_bf16(const uint16_t* A, int64_t lda, const uint32_t* Bp, int64_t ldb, float* C,
                    int64_t ldc, int64_t M, int64_t N, int64_t K, bool accumulate) {
#if defined(__x86_64__)
  if (has_bf16_dot()) return gemm_avx512(A, lda, Bp, ldb, C, ldc, M, N, K, accumulate);
#endif
  gemm_scalar(A, lda, Bp, ldb, C, ldc, M, N, K, accumulate);
}

void pack_pairs(const float* lo, const float* hi, int64_t n, uint32_t* out, uint16_t* lo_rows,
                uint16_t* hi_rows) {
  if (!hi) hi_rows = nullptr;
#if defined(__x86_64__)
  if (has_bf16_dot()) return pack_avx512(lo, hi, n, out, lo_rows, hi_rows);
#endif
  for (int64_t j = 0; j < n; ++j) {
    const uint16_t l = f32_to_bf16(lo[j]), h = hi ? f32_to_bf16(hi[j]) : uint16_t{0};
    out[j] = l | uint32_t{h} << 16;
    if (lo_rows) lo_rows[j] = l;
    if (hi_rows) hi_rows[j] = h;
  }
}

void pack_pairs(const uint16_t* lo, const uint16_t* hi, int64_t n, uint32_t* out) {
  if (!hi) {
    for (int64_t j = 0; j < n; ++j) out[j] = lo[j];
    return;
  }
  for (int64_t j = 0; j < n; ++j) out[j] = lo[j] | uint32_t{hi[j]} << 16;
}

}  // namespace lf::cpu
