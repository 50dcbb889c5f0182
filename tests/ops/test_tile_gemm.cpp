// The CPU attention kernels' tile GEMM on sizes around its register blocks
// (rows not a multiple of the block, leftover columns, padded row strides).
#include <gtest/gtest.h>

#include "backends/cpu/cpu_tile_gemm.h"
#include "util.h"

namespace lf::test {
namespace {

TEST(CpuTileGemm, MatchesReferenceOnEdgeSizes) {
  uint64_t seed = 1;
  for (int64_t M : {1, 3, 8, 9, 64})
    for (int64_t N : {4, 31, 32, 64, 70})
      for (int64_t K : {1, 5, 64})
        for (bool acc : {false, true}) {
          const int64_t lda = K + 3, ldb = N + 5, ldc = N + 2;
          Vec A = randn(M * lda, ++seed), B = randn(K * ldb, ++seed), C = randn(M * ldc, ++seed);
          DVec want(C.begin(), C.end());
          for (int64_t i = 0; i < M; ++i)
            for (int64_t n = 0; n < N; ++n) {
              double s = acc ? C[i * ldc + n] : 0.0;
              for (int64_t k = 0; k < K; ++k) s += double(A[i * lda + k]) * B[k * ldb + n];
              want[i * ldc + n] = s;
            }
          cpu::tile_gemm(A.data(), lda, B.data(), ldb, C.data(), ldc, M, N, K, acc);
          // Padding columns of C (n >= N) must be left alone.
          EXPECT_TRUE(all_close(C, want, {1e-5, 1e-5})) << M << "x" << N << "x" << K << " acc " << acc;
        }
}

}  // namespace
}  // namespace lf::test
