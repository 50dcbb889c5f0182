// A small f32 GEMM for cache-resident tiles (the attention kernels' products).
// Too small and too frequent for a library call to pay; written with GCC/Clang
// vector extensions, which lower to AVX-512, AVX2 or NEON as the target has.
#pragma once
#include <cstdint>

namespace lf::cpu {

// C[M][N] = (accumulate ? C : 0) + A[M][K] @ B[K][N]; row strides lda, ldb, ldc.
void tile_gemm(const float* A, int64_t lda, const float* B, int64_t ldb, float* C, int64_t ldc,
               int64_t M, int64_t N, int64_t K, bool accumulate);

}  // namespace lf::cpu
