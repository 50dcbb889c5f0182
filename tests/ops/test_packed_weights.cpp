// Frozen weights on the CPU (ops::freeze_weight, backends/cpu/cpu_packed_weights.h):
// products with the packed copy match the reference from kPackedMinRows rows
// up, with alpha/beta and either output dtype; anything that is not that very
// tensor — a copy, a row view, a transposed use, a new tensor where a frozen
// one died — runs on the plain path.
#include <gtest/gtest.h>

#include "backends/cpu/cpu_dnnl.h"
#include "backends/cpu/cpu_packed_weights.h"
#include "ops/ops.h"
#include "reference.h"
#include "util.h"

namespace lf::test {
namespace {

constexpr int64_t K = 70, N = 37;

bool packs(DType dt) { return dt == DType::f32 || cpu::native_bf16(); }

// alpha * a @ w^T + beta * c0 through cpu::packed_matmul; whether it took the
// product, and whether the result matches the reference when it did.
bool packed(const Tensor& a, const Tensor& w, float alpha, float beta, DType c_dtype, uint64_t seed) {
  const int64_t M = a.numel() / K;
  const Vec c0 = randn(static_cast<size_t>(M * N), seed, 1.0f, c_dtype);
  Tensor c = make(c0, {M, N}, c_dtype);
  if (!cpu::packed_matmul(a, w, c, false, true, alpha, beta)) return false;
  const DVec want = ref::matmul(a.to_floats(), w.to_floats(), 1, M, K, N, false, true, false, alpha, beta, c0);
  const bool f32 = a.dtype() == DType::f32 && c_dtype == DType::f32;
  EXPECT_TRUE(all_close(c.to_floats(), want, f32 ? Tol{2e-5, 2e-4} : Tol{5e-2, 2e-2}));
  return true;
}

TEST(PackedWeights, FrozenWeightProductsFromTheRowThreshold) {
  uint64_t seed = 1;
  for (DType dt : {DType::bf16, DType::f32}) {
    SCOPED_TRACE(dtype_name(dt));
    Tensor w = make(randn(N * K, ++seed, 1.0f, dt), {N, K}, dt);
    ops::freeze_weight(w);
    for (int64_t M : {1, 3, 7, 8, 9, 16, 33})
      for (DType c_dtype : {DType::f32, dt}) {
        SCOPED_TRACE("M=" + std::to_string(M));
        Tensor a = make(randn(M * K, ++seed, 1.0f, dt), {M, K}, dt);
        EXPECT_EQ(packed(a, w, 1.0f, 0.0f, c_dtype, ++seed), packs(dt) && M >= cpu::kPackedMinRows);
        if (packs(dt) && M >= cpu::kPackedMinRows) {
          EXPECT_TRUE(packed(a, w, 0.5f, 1.0f, c_dtype, ++seed));
        }
      }
    // Leading dims fold into the rows.
    Tensor a3 = make(randn(2 * 4 * K, ++seed, 1.0f, dt), {2, 4, K}, dt);
    EXPECT_EQ(packed(a3, w, 1.0f, 0.0f, DType::f32, ++seed), packs(dt));
    // Through ops::matmul, as the model calls it.
    Tensor a8 = make(randn(8 * K, ++seed, 1.0f, dt), {8, K}, dt);
    const DVec want = ref::matmul(a8.to_floats(), w.to_floats(), 1, 8, K, N, false, true, false);
    EXPECT_TRUE(all_close(ops::matmul(a8, w, false, true).to_floats(), want, tol_for(dt)));
  }
}

TEST(PackedWeights, OnlyThatVeryTensor) {
  const DType dt = DType::f32;
  Tensor w = make(randn(N * K, 50, 1.0f, dt), {N, K}, dt);
  ops::freeze_weight(w);
  Tensor a = make(randn(8 * K, 51, 1.0f, dt), {8, K}, dt);
  ASSERT_TRUE(packed(a, w, 1.0f, 0.0f, dt, 52));
  EXPECT_FALSE(packed(a, w.clone(), 1.0f, 0.0f, dt, 53));
  EXPECT_FALSE(packed(a, w.slice(0, 0, 20), 1.0f, 0.0f, dt, 54));  // a row view at the same address
  Tensor wt = make(randn(K * N, 55, 1.0f, dt), {K, N}, dt);
  Tensor c = Tensor::empty({8, N}, dt);
  ops::freeze_weight(wt);
  EXPECT_FALSE(cpu::packed_matmul(a, wt, c, false, false, 1.0f, 0.0f));  // b used as [K, N]: not x @ w^T

  // A tensor allocated where a frozen one died (the caching allocator hands
  // the same block back) is a different weight.
  const void* address = nullptr;
  {
    Tensor gone = make(randn(N * K, 56, 1.0f, dt), {N, K}, dt);
    ops::freeze_weight(gone);
    address = gone.raw_data();
  }
  Tensor fresh = make(randn(N * K, 57, 1.0f, dt), {N, K}, dt);
  ASSERT_EQ(fresh.raw_data(), address) << "the allocator did not reuse the block: this case tests nothing";
  EXPECT_FALSE(packed(a, fresh, 1.0f, 0.0f, dt, 58));
  const DVec want = ref::matmul(a.to_floats(), fresh.to_floats(), 1, 8, K, N, false, true, false);
  EXPECT_TRUE(all_close(ops::matmul(a, fresh, false, true).to_floats(), want, tol_for(dt)));
}

}  // namespace
}  // namespace lf::test
