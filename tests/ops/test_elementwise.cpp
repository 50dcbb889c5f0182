// Casts, copies, fills and dropout: properties the conformance cases do not cover.
#include <gtest/gtest.h>

#include "cases.h"

namespace lf::test {
namespace {

TEST(Elementwise, IntegerCastsAreExact) {
  const std::vector<int64_t> big{123456789, -5, 0, 2147483647};
  Tensor t = make_ints(big, {4}, DType::i64);
  EXPECT_EQ(ops::cast(t, DType::i32).to_ints(), big);
  EXPECT_EQ(ops::cast(ops::cast(t, DType::i32), DType::i64).to_ints(), big);
}

TEST(Elementwise, FloatCastsRoundToNearest) {
  Vec v = randn(37, 1);
  for (DType dt : {DType::bf16, DType::f16}) {
    Vec want = make(v, {37}, dt).to_floats();  // core's reference conversion
    EXPECT_EQ(ops::cast(make(v, {37}, DType::f32), dt).to_floats(), want) << dtype_name(dt);
  }
}

TEST(Elementwise, FillStridedViewLeavesTheRest) {
  Tensor t = ops::full({3, 4}, 1.0f, DType::bf16, Device::cpu());
  Tensor col = t.slice(1, 1, 2);
  ops::fill_(col, -2.5f);
  EXPECT_EQ(t.to_floats(), (Vec{1, -2.5, 1, 1, 1, -2.5, 1, 1, 1, -2.5, 1, 1}));
}

TEST(Elementwise, DropoutMaskIsSeededAndScaled) {
  const int64_t n = 20000;
  Tensor x = ops::full({n}, 2.0f, DType::f32, Device::cpu());
  Vec a = ops::dropout(x, 0.25f, 7).to_floats(), b = ops::dropout(x, 0.25f, 7).to_floats();
  Vec c = ops::dropout(x, 0.25f, 8).to_floats();
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  int64_t kept = 0;
  for (float v : a) {
    ASSERT_TRUE(v == 0.0f || std::abs(v - 2.0f / 0.75f) < 1e-6f) << v;
    kept += v != 0.0f;
  }
  EXPECT_NEAR(static_cast<double>(kept) / n, 0.75, 0.02);
  // Backward = the same op on the gradient with the same seed: same mask.
  Vec g = ops::dropout(ops::full({n}, 1.0f, DType::f32, Device::cpu()), 0.25f, 7).to_floats();
  for (int64_t i = 0; i < n; ++i) ASSERT_EQ(g[i] != 0.0f, a[i] != 0.0f);
  EXPECT_TRUE(ops::dropout(x, 0.0f, 7).same_storage(x));
}

TEST(Elementwise, CopyIntoCacheSlice) {
  // Writing new keys into a slice of a preallocated [T, H] cache.
  Tensor cache = ops::zeros({5, 3}, DType::bf16, Device::cpu());
  Tensor slot = cache.slice(0, 2, 4);
  ops::copy_(slot, make({1, 2, 3, 4, 5, 6}, {2, 3}, DType::f32));
  EXPECT_EQ(cache.to_floats(), (Vec{0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 0, 0, 0}));
}

}  // namespace
}  // namespace lf::test
