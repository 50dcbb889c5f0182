// Small GEMMs for cache-resident tiles (the attention kernels' products): too
// small and too frequent for a library call to pay. An f32 one written with
// GCC/Clang vector extensions (AVX-512, AVX2 or NEON as the target has), and a
// bf16 one for CPUs with AVX-512 BF16, where a dot-product instruction does
// twice the multiply-adds of an f32 FMA.
#pragma once
#include <cstdint>

namespace lf::cpu {

// C[M][N] = (accumulate ? C : 0) + A[M][K] @ B[K][N]; row strides lda, ldb, ldc.
void tile_gemm(const float* A, int64_t lda, const float* B, int64_t ldb, float* C, int64_t ldc,
               int64_t M, int64_t N, int64_t K, bool accumulate);

// Whether tile_gemm_bf16 runs on vdpbf16ps here (checked at run time, so a
// portable build uses it too); elsewhere it is a slow scalar loop.
bool has_bf16_dot();

// The same product with bf16 operands and f32 accumulation. A is row-major
// bf16 (the K index contiguous). B comes in pairs along K, the layout the dot
// product reads: element (k, n) is half k % 2 (low half first) of the 32-bit
// word Bp[k / 2 * ldb + n]. For odd K the high halves of B's last pair row
// must be zero (A is read only up to K).
void tile_gemm_bf16(const uint16_t* A, int64_t lda, const uint32_t* Bp, int64_t ldb, float* C,
                    int64_t ldc, int64_t M, int64_t N, int64_t K, bool accumulate);

// out[n] = bf16(lo[n]) | bf16(hi[n]) << 16: two rows of a B operand paired,
// rounded to nearest even; hi null pairs with zeros. The rounded rows
// themselves also go to lo_rows / hi_rows where given (an A operand of the
// same values, for one conversion instead of two).
void pack_pairs(const float* lo, const float* hi, int64_t n, uint32_t* out,
                uint16_t* lo_rows = nullptr, uint16_t* hi_rows = nullptr);
// The same for rows already in bf16.
void pack_pairs(const uint16_t* lo, const uint16_t* hi, int64_t n, uint32_t* out);

}  // namespace lf::cpu
