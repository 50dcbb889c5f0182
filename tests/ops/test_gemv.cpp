// The CPU skinny-matmul kernel (backends/cpu/cpu_gemv.h) against the plain
// reference: rows up to and past its threshold, odd inner and outer sizes
// around its vector width and column blocks, both transposes, strided and
// offset operands, alpha/beta, batches, bf16 and f32. Each case also checks
// whether the kernel took it, so a fallback to oneDNN cannot hide a
// regression of the kernel itself.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "backends/cpu/cpu_gemv.h"
#include "backends/cpu/cpu_gemv_block.h"
#include "backends/cpu/cpu_parallel.h"
#include "ops/ops.h"
#include "reference.h"
#include "util.h"

namespace lf::test {
namespace {

struct Check {
  bool ta = false, tb = true;
  float alpha = 1.0f, beta = 0.0f;
  DType c_dtype = DType::f32;
};

// c = alpha op(a) op(b) + beta c through cpu::gemv when it takes the operands
// (else ops::matmul_, the oneDNN path), against ref::matmul on the same values.
void check(const Tensor& a, const Tensor& b, const Check& k, bool expect_gemv, uint64_t seed) {
  const int64_t M = k.ta ? a.size(-1) : a.size(-2), K = k.ta ? a.size(-2) : a.size(-1);
  const int64_t N = k.tb ? b.size(-2) : b.size(-1);
  Shape out(a.shape().begin(), a.shape().end() - 2);
  out.push_back(M);
  out.push_back(N);
  const int64_t batch = shape_numel(out) / (M * N);
  const Vec c0 = randn(static_cast<size_t>(batch * M * N), seed, 1.0f, k.c_dtype);
  Tensor c = make(c0, out, k.c_dtype);
  const bool used = cpu::gemv(a, b, c, k.ta, k.tb, k.alpha, k.beta);
  EXPECT_EQ(used, expect_gemv);
  if (!used) ops::matmul_(c, a, b, k.ta, k.tb, k.alpha, k.beta);
  const DVec want = ref::matmul(ops::contiguous(a).to_floats(), ops::contiguous(b).to_floats(), batch,
                                M, K, N, k.ta, k.tb, b.dim() == 2, k.alpha, k.beta, c0);
  const bool f32 = a.dtype() == DType::f32 && k.c_dtype == DType::f32;
  EXPECT_TRUE(all_close(c.to_floats(), want, f32 ? Tol{2e-5, 2e-4} : Tol{5e-2, 2e-2}));
}

std::string name(DType dt, int64_t M, int64_t K, int64_t N) {
  return std::string(dtype_name(dt)) + " M=" + std::to_string(M) + " K=" + std::to_string(K) +
         " N=" + std::to_string(N);
}

TEST(Gemv, RowsAroundTheThreshold) {
  uint64_t seed = 1;
  for (DType dt : {DType::bf16, DType::f32})
    for (int64_t M = 1; M <= cpu::kGemvMaxRows + 2; ++M)
      for (auto [K, N] : {std::pair<int64_t, int64_t>{1, 1}, {3, 17}, {17, 3}, {769, 35}, {64, 769}}) {
        SCOPED_TRACE(name(dt, M, K, N));
        Tensor a = make(randn(M * K, ++seed, 1.0f, dt), {M, K}, dt);
        Tensor b = make(randn(N * K, ++seed, 1.0f, dt), {N, K}, dt);
        check(a, b, {.c_dtype = dt}, M <= cpu::kGemvMaxRows, ++seed);
      }
}

TEST(Gemv, BothTransposes) {
  uint64_t seed = 100;
  const int64_t K = 17, N = 33;
  for (DType dt : {DType::bf16, DType::f32})
    for (int64_t M : {1, 3, 8})
      for (bool ta : {false, true})
        for (bool tb : {false, true}) {
          SCOPED_TRACE(name(dt, M, K, N) + " ta=" + std::to_string(ta) + " tb=" + std::to_string(tb));
          Tensor a = make(randn(M * K, ++seed, 1.0f, dt), ta ? Shape{K, M} : Shape{M, K}, dt);
          // op(b) = [K, N] with unit stride along K either way: b itself when
          // tb, else the transposed view of an [N, K] matrix.
          Tensor rows = make(randn(N * K, ++seed, 1.0f, dt), {N, K}, dt);
          Tensor b = tb ? rows : rows.transpose(0, 1);
          check(a, b, {.ta = ta, .tb = tb}, true, ++seed);
          // A plain [K, N] b reads N-strided columns: left to oneDNN.
          if (!tb) check(a, ops::contiguous(b), {.ta = ta, .tb = false}, false, ++seed);
        }
}

TEST(Gemv, StridedAndOffsetOperands) {
  uint64_t seed = 200;
  const int64_t K = 769, N = 17;
  for (DType dt : {DType::bf16, DType::f32})
    for (int64_t M : {1, 5}) {
      SCOPED_TRACE(name(dt, M, K, N));
      // a: an [M, K] window of an [M + 2, K + 5] matrix (offset, row stride K + 5);
      // b: rows 3.. and columns 1.. of an [N + 3, K + 4] matrix.
      Tensor a = make(randn((M + 2) * (K + 5), ++seed, 1.0f, dt), {M + 2, K + 5}, dt)
                     .slice(0, 1, M + 1)
                     .slice(1, 2, K + 2);
      Tensor b = make(randn((N + 3) * (K + 4), ++seed, 1.0f, dt), {N + 3, K + 4}, dt)
                     .slice(0, 3, N + 3)
                     .slice(1, 1, K + 1);
      check(a, b, {}, true, ++seed);
      // a read with a non-unit stride along K (its transpose's view).
      Tensor at = ops::contiguous(a).transpose(0, 1);
      check(at, b, {.ta = true}, true, ++seed);
    }
}

TEST(Gemv, AlphaAndBeta) {
  uint64_t seed = 300;
  const int64_t K = 129, N = 70;
  for (DType dt : {DType::bf16, DType::f32})
    for (int64_t M : {1, 2, 7}) {
      SCOPED_TRACE(name(dt, M, K, N));
      Tensor a = make(randn(M * K, ++seed, 1.0f, dt), {M, K}, dt);
      Tensor b = make(randn(N * K, ++seed, 1.0f, dt), {N, K}, dt);
      check(a, b, {.alpha = 0.5f, .beta = 1.0f}, true, ++seed);
      check(a, b, {.alpha = 2.0f, .beta = -0.5f, .c_dtype = dt}, true, ++seed);
    }
}

TEST(Gemv, ZeroBetaIgnoresGarbageInC) {
  for (DType dt : {DType::bf16, DType::f32}) {
    Tensor a = make(randn(3 * 40, 1, 1.0f, dt), {3, 40}, dt), b = make(randn(9 * 40, 2, 1.0f, dt), {9, 40}, dt);
    Tensor c = ops::full({3, 9}, std::numeric_limits<float>::quiet_NaN(), DType::f32, Device::cpu());
    ASSERT_TRUE(cpu::gemv(a, b, c, false, true, 1.0f, 0.0f));
    for (float v : c.to_floats()) EXPECT_FALSE(std::isnan(v));
  }
}

TEST(Gemv, BatchedOperands) {
  uint64_t seed = 400;
  const int64_t K = 40, N = 21;
  for (DType dt : {DType::bf16, DType::f32}) {
    SCOPED_TRACE(dtype_name(dt));
    Tensor w = make(randn(N * K, ++seed, 1.0f, dt), {N, K}, dt);
    // A shared b: every row of every batch entry in one pass, while they fit.
    Tensor a2 = make(randn(3 * 2 * K, ++seed, 1.0f, dt), {3, 2, K}, dt);
    check(a2, w, {}, true, ++seed);
    Tensor a18 = make(randn(3 * 6 * K, ++seed, 1.0f, dt), {3, 6, K}, dt);
    check(a18, w, {}, false, ++seed);
    // Batch dims that do not collapse to one stride: [3, 2, 1, K] from a [2, 3, 1, K] transpose.
    Tensor a4 = make(randn(2 * 3 * K, ++seed, 1.0f, dt), {2, 3, 1, K}, dt).transpose(0, 1);
    check(a4, w, {}, true, ++seed);
    // One b per batch entry: taken when each product is big enough to run
    // parallel on its own, else left to oneDNN, which spreads the batch.
    Tensor wb = make(randn(3 * N * K, ++seed, 1.0f, dt), {3, N, K}, dt);
    check(a18, wb, {}, false, ++seed);
    const int64_t big = cpu::kParallelMin / K + 1;
    Tensor wbig = make(randn(3 * big * K, ++seed, 1.0f, dt), {3, big, K}, dt);
    check(a18, wbig, {}, true, ++seed);
  }
}

// Both bf16 blocks, whichever one this CPU would pick: the portable one must
// stay right on AVX-512 BF16 machines too, where dispatch never reaches it.
TEST(Gemv, EveryBlockMatchesTheReference) {
  uint64_t seed = 600;
  for (int64_t rows = 1; rows <= cpu::kGemvBlockRows; ++rows)
    for (int64_t K : {1, 31, 33, 130, 769}) {
      SCOPED_TRACE("rows=" + std::to_string(rows) + " K=" + std::to_string(K));
      const Vec a = randn(rows * K, ++seed, 1.0f, DType::bf16), b = randn(K, ++seed, 1.0f, DType::bf16);
      Tensor ta = make(a, {rows, K}, DType::bf16), tb = make(b, {K}, DType::bf16);
      const DVec want = ref::matmul(a, b, 1, rows, K, 1, false, true, false);
      std::vector<cpu::GemvBlock<uint16_t>> blocks{cpu::gemv_block_portable(rows, uint16_t{})};
      if (auto f = cpu::gemv_block_avx512_bf16(rows)) blocks.push_back(f);
      for (auto block : blocks) {
        float out[cpu::kGemvBlockRows];
        block(ta.data<uint16_t>(), K, tb.data<uint16_t>(), K, out);
        EXPECT_TRUE(all_close(Vec(out, out + rows), want, {1e-4, 1e-5}));
      }
      float out[cpu::kGemvBlockRows];
      const Tensor fa = make(a, {rows, K}, DType::f32), fb = make(b, {K}, DType::f32);
      cpu::gemv_block_portable(rows, float{})(fa.data<float>(), K, fb.data<float>(), K, out);
      EXPECT_TRUE(all_close(Vec(out, out + rows), want, {1e-4, 1e-5}));
    }
}

// The two-row kernels of batch 1 (two weight rows far apart per call), every
// version this build has, bf16 and f32, across the vector width and its tails.
TEST(Gemv, TwoRowKernelsMatchTheReference) {
  uint64_t seed = 700;
  for (int64_t K : {1, 31, 33, 64, 130, 769}) {
    SCOPED_TRACE("K=" + std::to_string(K));
    const Vec x = randn(K, ++seed, 1.0f, DType::bf16), w = randn(3 * K, ++seed, 1.0f, DType::bf16);
    // Rows 0 and 2 of w: apart, as the driver passes them.
    const DVec want = ref::matmul(x, w, 1, 1, K, 3, false, true, false);
    Tensor tx = make(x, {K}, DType::bf16), tw = make(w, {3, K}, DType::bf16);
    std::vector<cpu::GemvTwoRows<uint16_t>> kernels{cpu::gemv_two_rows_portable(uint16_t{})};
    if (auto f = cpu::gemv_two_rows_avx512_bf16()) kernels.push_back(f);
    for (auto two : kernels) {
      float o0 = 0, o1 = 0;
      two(tx.data<uint16_t>(), tw.data<uint16_t>(), tw.data<uint16_t>() + 2 * K, K, &o0, &o1);
      EXPECT_TRUE(all_close({o0, o1}, {want[0], want[2]}, {1e-4, 1e-5}));
    }
    const Tensor fx = make(x, {K}, DType::f32), fw = make(w, {3, K}, DType::f32);
    float o0 = 0, o1 = 0;
    cpu::gemv_two_rows_portable(float{})(fx.data<float>(), fw.data<float>(), fw.data<float>() + 2 * K, K, &o0, &o1);
    EXPECT_TRUE(all_close({o0, o1}, {want[0], want[2]}, {1e-4, 1e-5}));
  }
}

TEST(Gemv, DecodeShapesThroughMatmul) {
  // What ops::linear sends at batch 1: x [1, K] against w [out, in], run parallel.
  uint64_t seed = 500;
  for (DType dt : {DType::bf16, DType::f32})
    for (auto [K, N] : {std::pair<int64_t, int64_t>{768, 2048}, {2048, 768}}) {
      SCOPED_TRACE(name(dt, 1, K, N));
      const Vec x = randn(K, ++seed, 1.0f, dt), w = randn(N * K, ++seed, 1.0f, dt);
      Tensor y = ops::linear(make(x, {1, K}, dt), make(w, {N, K}, dt));
      EXPECT_TRUE(all_close(y.to_floats(), ref::matmul(x, w, 1, 1, K, N, false, true, false),
                            dt == DType::f32 ? Tol{2e-5, 2e-4} : Tol{5e-2, 2e-2}));
    }
}

}  // namespace
}  // namespace lf::test
