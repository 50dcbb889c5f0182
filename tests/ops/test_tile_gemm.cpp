// The CPU attention kernels' tile GEMMs on sizes around their register blocks
// (rows not a multiple of the block, leftover columns, odd K, padded row
// strides), and the bf16 pair packing they read.
#include <gtest/gtest.h>

#include <cstring>
#include <limits>

#include "backends/cpu/cpu_convert.h"
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
          EXPECT_TRUE(all_close(C, want, {1e-5, 1e-5}))
              << M << "x" << N << "x" << K << " acc " << acc;
        }
}

std::vector<uint16_t> to_bits(const Vec& v) {
  std::vector<uint16_t> out(v.size());
  for (size_t i = 0; i < v.size(); ++i) out[i] = cpu::f32_to_bf16(v[i]);
  return out;
}

// Runs on vdpbf16ps where the CPU has it, else on the scalar reference loop.
TEST(CpuTileGemm, Bf16MatchesReferenceOnEdgeSizes) {
  uint64_t seed = 100;
  for (int64_t M : {1, 3, 7, 8, 9, 64})
    for (int64_t N : {1, 15, 16, 17, 32, 33, 64, 70})
      for (int64_t K : {1, 2, 5, 63, 64})
        for (bool acc : {false, true}) {
          const int64_t lda = K + 3, ldb = N + 5, ldc = N + 2, pairs = (K + 1) / 2;
          // Inputs are bf16 values, so the reference sees exactly what the kernel does.
          Vec A = randn(M * lda, ++seed, 1.0f, DType::bf16),
              B = randn(K * N, ++seed, 1.0f, DType::bf16);
          Vec C = randn(M * ldc, ++seed);
          std::vector<uint16_t> a = to_bits(A), b = to_bits(B);
          // A's padding past K is NaN: the kernel must not read it.
          for (int64_t i = 0; i < M; ++i)
            for (int64_t k = K; k < lda; ++k) a[i * lda + k] = 0x7fc0;
          std::vector<uint32_t> bp(pairs * ldb, 0x7fc07fc0u);  // NaN where nothing is packed
          for (int64_t k = 0; k < K; k += 2)
            cpu::pack_pairs(&b[k * N], k + 1 < K ? &b[(k + 1) * N] : nullptr, N, &bp[k / 2 * ldb]);
          DVec want(C.begin(), C.end());
          for (int64_t i = 0; i < M; ++i)
            for (int64_t n = 0; n < N; ++n) {
              double s = acc ? C[i * ldc + n] : 0.0;
              for (int64_t k = 0; k < K; ++k) s += double(A[i * lda + k]) * B[k * N + n];
              want[i * ldc + n] = s;
            }
          cpu::tile_gemm_bf16(a.data(), lda, bp.data(), ldb, C.data(), ldc, M, N, K, acc);
          // Padding columns of C (n >= N) must be left alone.
          EXPECT_TRUE(all_close(C, want, {1e-4, 1e-5}))
              << M << "x" << N << "x" << K << " acc " << acc << " vdpbf16ps "
              << cpu::has_bf16_dot();
        }
}

TEST(CpuTileGemm, PackPairsRoundsToNearestEven) {
  for (int64_t n : {1, 15, 16, 17, 40})
    for (bool with_hi : {false, true}) {
      Vec lo = randn(n, 7 + n), hi = randn(n, 8 + n);
      lo[0] = 1.0f + 1.0f / 256;  // a tie: rounds down to the even 1.0
      hi[0] = 1.0f + 3.0f / 256;  // a tie: rounds up to the even 1.015625
      lo[n - 1] = -std::numeric_limits<float>::infinity();
      // One past n in every output must be left alone; so must hi_rows without hi.
      std::vector<uint32_t> got(n + 1, 0xdeadbeefu);
      std::vector<uint16_t> lo_rows(n + 1, 0xbeef), hi_rows(n + 1, 0xbeef);
      cpu::pack_pairs(lo.data(), with_hi ? hi.data() : nullptr, n, got.data(), lo_rows.data(),
                      hi_rows.data());
      for (int64_t j = 0; j < n; ++j) {
        const uint16_t l = cpu::f32_to_bf16(lo[j]),
                       h = with_hi ? cpu::f32_to_bf16(hi[j]) : uint16_t{0};
        EXPECT_EQ(got[j], l | uint32_t{h} << 16) << "n " << n << " j " << j << " hi " << with_hi;
        EXPECT_EQ(lo_rows[j], l) << "n " << n << " j " << j;
        EXPECT_EQ(hi_rows[j], with_hi ? h : 0xbeef) << "n " << n << " j " << j;
      }
      EXPECT_EQ(got[n], 0xdeadbeefu) << "wrote past n = " << n;
      EXPECT_EQ(lo_rows[n], 0xbeef) << "wrote past n = " << n;
      EXPECT_EQ(hi_rows[n], 0xbeef) << "wrote past n = " << n;
    }
  EXPECT_EQ(cpu::f32_to_bf16(1.0f + 1.0f / 256), 0x3f80);
  EXPECT_EQ(cpu::f32_to_bf16(1.0f + 3.0f / 256), 0x3f82);
}

TEST(CpuTileGemm, PackPairsOfBf16Rows) {
  const std::vector<uint16_t> lo{1, 2, 3}, hi{0x8000, 5, 0xffff};
  std::vector<uint32_t> got(3);
  cpu::pack_pairs(lo.data(), hi.data(), 3, got.data());
  EXPECT_EQ(got, (std::vector<uint32_t>{0x80000001u, 0x00050002u, 0xffff0003u}));
  cpu::pack_pairs(lo.data(), static_cast<const uint16_t*>(nullptr), 3, got.data());
  EXPECT_EQ(got, (std::vector<uint32_t>{1u, 2u, 3u}));
}

}  // namespace
}  // namespace lf::test
