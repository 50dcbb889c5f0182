// The CPU LoRA-shape matmul kernels (backends/cpu/cpu_skinny.h) against the
// plain reference: each small dimension (N, K; M is declined) with partners at
// odd sizes around the vector width and the four-token step, all transposes,
// strided and offset operands, alpha/beta, f32 and bf16 outputs. Each case
// also checks whether the kernel took it, so a fallback to oneDNN cannot hide
// a regression of the kernel itself.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "backends/cpu/cpu_skinny.h"
#include "backends/cpu/cpu_skinny_kernels.h"
#include "ops/ops.h"
#include "reference.h"
#include "util.h"

namespace lf::test {
namespace {

struct Check {
  bool ta = false, tb = false;
  float alpha = 1.0f, beta = 0.0f;
  DType c_dtype = DType::f32;
};

// op(x) as [rows, cols]: an [rows, cols] matrix, or the transposed view of a
// [cols, rows] one when trans (so the same values, the other layout).
Tensor operand(int64_t rows, int64_t cols, bool trans, DType dt, uint64_t seed) {
  return make(randn(rows * cols, seed, 1.0f, dt), trans ? Shape{cols, rows} : Shape{rows, cols}, dt);
}

void check(const Tensor& a, const Tensor& b, const Check& k, bool expect_skinny, uint64_t seed) {
  const int64_t M = k.ta ? a.size(1) : a.size(0), K = k.ta ? a.size(0) : a.size(1);
  const int64_t N = k.tb ? b.size(0) : b.size(1);
  const Vec c0 = randn(static_cast<size_t>(M * N), seed, 1.0f, k.c_dtype);
  Tensor c = make(c0, {M, N}, k.c_dtype);
  const bool used = cpu::skinny(a, b, c, k.ta, k.tb, k.alpha, k.beta);
  EXPECT_EQ(used, expect_skinny);
  if (!used) ops::matmul_(c, a, b, k.ta, k.tb, k.alpha, k.beta);
  const DVec want = ref::matmul(ops::contiguous(a).to_floats(), ops::contiguous(b).to_floats(), 1,
                                M, K, N, k.ta, k.tb, true, k.alpha, k.beta, c0);
  const bool f32 = a.dtype() == DType::f32 && k.c_dtype == DType::f32;
  EXPECT_TRUE(all_close(c.to_floats(), want, f32 ? Tol{2e-5, 2e-4} : Tol{5e-2, 2e-2}));
}

std::string name(DType dt, int64_t M, int64_t K, int64_t N, bool ta, bool tb) {
  return std::string(dtype_name(dt)) + " M=" + std::to_string(M) + " K=" + std::to_string(K) +
         " N=" + std::to_string(N) + " ta=" + std::to_string(ta) + " tb=" + std::to_string(tb);
}

// Every (M, K, N) with one small dimension, every transpose pair: taken for
// small K, and for small N wherever op(a)'s rows or columns are unit-stride
// (small M is left to oneDNN), right either way.
TEST(Skinny, EachSmallDimensionAndTranspose) {
  uint64_t seed = 1;
  const int64_t small[] = {1, 8, 13, cpu::kSkinnyMax};
  const int64_t big[] = {17, 67, 770};
  for (DType dt : {DType::bf16, DType::f32})
    for (int which = 0; which < 3; ++which)
      for (int64_t s : small)
        for (int64_t g : big)
          for (bool ta : {false, true})
            for (bool tb : {false, true}) {
              const int64_t M = which == 2 ? s : 35, K = which == 1 ? s : g, N = which == 0 ? s : 37;
              SCOPED_TRACE(name(dt, M, K, N, ta, tb));
              Tensor a = operand(M, K, ta, dt, ++seed), b = operand(K, N, tb, dt, ++seed);
              const bool taken = K <= cpu::kSkinnyMax || N <= cpu::kSkinnyMax;
              check(a, b, {.ta = ta, .tb = tb, .alpha = 0.5f, .beta = 1.0f}, taken, ++seed);
              check(a, b, {.ta = ta, .tb = tb, .c_dtype = dt}, taken, ++seed);
            }
}

// The products of lora_linear at rank 8, with the token count off the
// four-row step and the features off the vector width.
TEST(Skinny, LoraProducts) {
  uint64_t seed = 100;
  const int64_t T = 203, in = 97, out = 130, r = 8;
  for (DType dt : {DType::bf16, DType::f32}) {
    SCOPED_TRACE(dtype_name(dt));
    Tensor x = operand(T, in, false, dt, ++seed), A = operand(r, in, false, dt, ++seed);
    Tensor B = operand(out, r, false, dt, ++seed), dy = operand(T, out, false, dt, ++seed);
    Tensor u = operand(T, r, false, dt, ++seed);
    check(x, A, {.tb = true, .c_dtype = dt}, true, ++seed);                       // u = x A^T
    check(u, B, {.tb = true, .alpha = 2.0f, .beta = 1.0f, .c_dtype = dt}, true, ++seed);  // y += s u B^T
    check(dy, B, {.c_dtype = dt}, true, ++seed);                                   // du = dy B
    check(u, A, {.alpha = 2.0f, .beta = 1.0f, .c_dtype = dt}, true, ++seed);      // dx += s du A
    check(u, x, {.ta = true, .alpha = 2.0f, .beta = 1.0f}, false, ++seed);         // dA += s du^T x
    check(dy, u, {.ta = true, .alpha = 2.0f, .beta = 1.0f}, true, ++seed);         // dB += s dy^T u
  }
}

TEST(Skinny, StridedAndOffsetOperands) {
  uint64_t seed = 200;
  const int64_t T = 70, F = 45, r = 5;
  for (DType dt : {DType::bf16, DType::f32}) {
    SCOPED_TRACE(dtype_name(dt));
    // Windows of larger matrices: offset starts and row strides past the width.
    Tensor x = make(randn((T + 3) * (F + 7), ++seed, 1.0f, dt), {T + 3, F + 7}, dt)
                   .slice(0, 2, T + 2)
                   .slice(1, 3, F + 3);
    Tensor w = make(randn((r + 2) * (F + 4), ++seed, 1.0f, dt), {r + 2, F + 4}, dt)
                   .slice(0, 1, r + 1)
                   .slice(1, 2, F + 2);
    Tensor u = make(randn(T * (r + 3), ++seed, 1.0f, dt), {T, r + 3}, dt).slice(1, 1, r + 1);
    check(x, w, {.tb = true}, true, ++seed);
    check(u, w, {.alpha = 0.5f, .beta = 1.0f}, true, ++seed);
    check(u, x, {.ta = true, .beta = -1.0f}, false, ++seed);
    check(x, u, {.ta = true, .alpha = 3.0f}, true, ++seed);
  }
}

TEST(Skinny, LeavesOtherShapesToOneDnn) {
  for (DType dt : {DType::bf16, DType::f32}) {
    Tensor a = operand(33, 40, false, dt, 1), b = operand(40, 17, false, dt, 2);
    check(a, b, {}, false, 3);  // nothing small
    Tensor a3 = make(randn(2 * 33 * 8, 4, 1.0f, dt), {2, 33, 8}, dt);
    Tensor b3 = make(randn(2 * 8 * 40, 5, 1.0f, dt), {2, 8, 40}, dt);
    Tensor c = Tensor::empty({2, 33, 40}, DType::f32);
    EXPECT_FALSE(cpu::skinny(a3, b3, c, false, false, 1.0f, 0.0f));  // batched
    // A batch of one is a single matrix.
    Tensor a1 = make(randn(33 * 8, 6, 1.0f, dt), {1, 33, 8}, dt), c1 = Tensor::empty({1, 33, 40}, DType::f32);
    EXPECT_TRUE(cpu::skinny(a1, b3.slice(0, 0, 1), c1, false, false, 1.0f, 0.0f));
  }
}

TEST(Skinny, ZeroBetaIgnoresGarbageInC) {
  for (DType dt : {DType::bf16, DType::f32})
    for (auto [M, K, N, ta] : {std::tuple<int64_t, int64_t, int64_t, bool>{40, 8, 50, false},
                               {40, 50, 8, false},
                               {40, 50, 8, true}}) {
      Tensor a = operand(M, K, ta, dt, 1), b = operand(K, N, false, dt, 2);
      Tensor c = ops::full({M, N}, std::numeric_limits<float>::quiet_NaN(), DType::f32, Device::cpu());
      ASSERT_TRUE(cpu::skinny(a, b, c, ta, false, 1.0f, 0.0f));
      for (float v : c.to_floats()) EXPECT_FALSE(std::isnan(v));
    }
}

// The portable small-K loop on bf16 operands, which AVX-512 BF16 CPUs never
// reach through dispatch.
TEST(Skinny, PortableSmallKOnBf16) {
  const int64_t M = 6, K = 5, N = 37, ldp = (N + cpu::kLanes - 1) / cpu::kLanes * cpu::kLanes;
  const Vec av = randn(M * K, 1, 1.0f, DType::bf16), bv = randn(K * N, 2, 1.0f, DType::bf16);
  const Vec c0 = randn(M * N, 3);
  Tensor a = make(av, {M, K}, DType::bf16);
  std::vector<float> bp(static_cast<size_t>(K * ldp), 0.0f);
  for (int64_t k = 0; k < K; ++k)
    for (int64_t n = 0; n < N; ++n)
      bp[static_cast<size_t>(k * ldp + n)] = 0.5f * bv[static_cast<size_t>(k * N + n)];
  std::vector<float> c(c0.begin(), c0.end());
  const cpu::skinny_kernels::View<uint16_t> va{a.data<uint16_t>(), K, 1};
  cpu::skinny_kernels::expand_rows<4>(va, 0, bp.data(), ldp, c.data(), N, K, 1.0f);
  for (int64_t m = 4; m < M; ++m)
    cpu::skinny_kernels::expand_rows<1>(va, m, bp.data(), ldp, c.data(), N, K, 1.0f);
  const DVec want = ref::matmul(av, bv, 1, M, K, N, false, false, true, 0.5f, 1.0f, c0);
  EXPECT_TRUE(all_close(Vec(c.begin(), c.end()), want, {1e-4, 1e-5}));
}

}  // namespace
}  // namespace lf::test
