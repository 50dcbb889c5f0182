// Each differentiable function's gradients against finite differences (f32).
#include <gtest/gtest.h>

#include "grad_check.h"

using namespace lf;
using namespace lf::ag;
using namespace lf::ag::gradcheck;

namespace {

std::mt19937 g_rng(1234);

Tensor rnd(const Shape& s, float scale = 1.0f) { return random_tensor(s, g_rng, scale); }

}  // namespace

TEST(AutogradFunctions, LinearWithBias) {
  expect_grads_match_fd([](const std::vector<Var>& in) { return linear(in[0], in[1], in[2]); },
                        {rnd({2, 3, 5}), rnd({4, 5}), rnd({4})});
}

TEST(AutogradFunctions, MatmulBatchedAllTransposes) {
  for (bool ta : {false, true}) {
    for (bool tb : {false, true}) {
      SCOPED_TRACE(::testing::Message() << "trans_a " << ta << " trans_b " << tb);
      Shape a = ta ? Shape{2, 4, 3} : Shape{2, 3, 4};
      Shape b = tb ? Shape{2, 5, 4} : Shape{2, 4, 5};
      expect_grads_match_fd(
          [=](const std::vector<Var>& in) { return matmul(in[0], in[1], ta, tb); },
          {rnd(a), rnd(b)});
    }
  }
}

TEST(AutogradFunctions, MatmulSharedMatrixSumsOverBatch) {
  for (bool ta : {false, true}) {
    SCOPED_TRACE(::testing::Message() << "trans_a " << ta);
    Shape a = ta ? Shape{3, 4, 2} : Shape{3, 2, 4};
    expect_grads_match_fd([=](const std::vector<Var>& in) { return matmul(in[0], in[1], ta); },
                          {rnd(a), rnd({4, 5})});
  }
}

TEST(AutogradFunctions, ElementwiseWithReusedOperand) {
  // `a` feeds three ops: its gradient is the sum of three contributions.
  expect_grads_match_fd(
      [](const std::vector<Var>& in) {
        Var s = add(in[0], in[1], 2.0f, -0.5f);
        return add(mul(s, scale(in[0], 3.0f)), in[0]);
      },
      {rnd({3, 4}), rnd({3, 4})});
}

TEST(AutogradFunctions, RmsNorm) {
  expect_grads_match_fd([](const std::vector<Var>& in) { return rms_norm(in[0], in[1], 1e-5f); },
                        {rnd({2, 3, 8}), rnd({8})});
}

TEST(AutogradFunctions, RopeHalfAndInterleaved) {
  Tensor positions = Tensor::from_ints({0, 1, 2, 5, 3, 4, 0, 1}, {2, 4});
  for (bool interleaved : {false, true}) {
    SCOPED_TRACE(::testing::Message() << "interleaved " << interleaved);
    expect_grads_match_fd(
        [&](const std::vector<Var>& in) {
          ops::RopeParams p;
          p.theta = 100.0f;
          p.interleaved = interleaved;
          return rope(in[0], positions, p);
        },
        {rnd({2, 4, 3, 6})});
  }
}

TEST(AutogradFunctions, RopeKeepsItsOwnFrequencies) {
  Tensor positions = Tensor::from_ints({0, 3, 1, 7}, {1, 4});
  expect_grads_match_fd(
      [&](const std::vector<Var>& in) {
        // The caller's frequency array dies before backward runs.
        std::vector<float> inv_freq{1.0f, 0.3f};
        ops::RopeParams p;
        p.rotary_dim = 4;
        p.inv_freq = inv_freq.data();
        return rope(in[0], positions, p);
      },
      {rnd({1, 4, 2, 6})});
}

TEST(AutogradFunctions, SwigluAndActivations) {
  expect_grads_match_fd([](const std::vector<Var>& in) { return swiglu(in[0], in[1]); },
                        {rnd({3, 7}), rnd({3, 7})});
  for (ops::Activation kind :
       {ops::Activation::silu, ops::Activation::gelu_tanh, ops::Activation::gelu}) {
    expect_grads_match_fd([=](const std::vector<Var>& in) { return activation(kind, in[0]); },
                          {rnd({4, 5})});
  }
}

TEST(AutogradFunctions, CausalGroupedQueryAttention) {
  expect_grads_match_fd(
      [](const std::vector<Var>& in) { return attention(in[0], in[1], in[2], {}); },
      {rnd({2, 5, 4, 3}), rnd({2, 5, 2, 3}), rnd({2, 5, 2, 3})});
}

TEST(AutogradFunctions, EmbeddingAccumulatesRepeatedIds) {
  Tensor ids = Tensor::from_ints({3, 1, 3, 0, 3}, {5});
  auto params = expect_grads_match_fd(
      [&](const std::vector<Var>& in) { return embedding(ids, in[0]); }, {rnd({6, 4})});
  // Rows never looked up get exactly zero.
  std::vector<float> g = params[0].grad().to_floats();
  for (int64_t c = 0; c < 4; ++c) EXPECT_EQ(g[static_cast<size_t>(5 * 4 + c)], 0.0f);
}

TEST(AutogradFunctions, LinearCrossEntropyChunkedWithIgnoredLabels) {
  Tensor labels = Tensor::from_ints({2, -100, 6, 0, 6}, {5});
  expect_grads_match_fd(
      [&](const std::vector<Var>& in) { return linear_cross_entropy(in[0], in[1], labels, 3); },
      {rnd({5, 4}), rnd({7, 4})});
}

TEST(AutogradFunctions, ViewsRouteGradientsBack) {
  expect_grads_match_fd(
      [](const std::vector<Var>& in) {
        Var t = reshape(transpose(in[0], 0, 2), {4, 6});  // a copy: transposed isn't contiguous
        // Overlapping slices: element 1 of the last dim gets both gradients.
        Var left = slice(in[0], 2, 0, 2), right = slice(in[0], 2, 1, 3);
        Var flat = view(add(contiguous(left), contiguous(right)), {2, 6});
        return add(t, view(linear(flat, in[1]), {4, 6}));
      },
      {rnd({2, 3, 4}), rnd({12, 6})});
}

TEST(AutogradFunctions, DropoutReusesItsMask) {
  auto params = expect_grads_match_fd(
      [](const std::vector<Var>& in) {
        set_rng_state(99);  // the same mask in every evaluation of f
        return dropout(in[0], 0.5f);
      },
      {rnd({8, 16})});
  // The mask really drops: about half the gradient is exactly zero.
  int zeros = 0;
  for (float g : params[0].grad().to_floats()) zeros += g == 0.0f;
  EXPECT_GT(zeros, 128 / 4);
  EXPECT_LT(zeros, 3 * 128 / 4);
}

TEST(AutogradFunctions, CastSendsF32GradientToMasterWeight) {
  Tensor x = rnd({3, 8}), w = rnd({4, 8});
  Var w32 = Var::parameter(w.clone()), ref = Var::parameter(w.clone());
  Var x16(x.to(DType::bf16));
  Tensor seed = rnd({3, 4});
  Var y = cast(linear(x16, cast(w32, DType::bf16)), DType::f32);
  EXPECT_EQ(y.dtype(), DType::f32);
  backward(y, seed);
  backward(linear(Var(x16.value().to(DType::f32)), ref), seed);
  ASSERT_TRUE(w32.grad().defined());
  EXPECT_EQ(w32.grad().dtype(), DType::f32);
  EXPECT_LT(max_abs_diff(w32.grad(), ref.grad()), 0.05f);
}

TEST(AutogradFunctions, TiedEmbeddingAndHeadSumBothGradients) {
  Tensor ids = Tensor::from_ints({2, 0, 5, 2}, {4});
  Tensor labels = Tensor::from_ints({0, 5, 2, -100}, {4});
  expect_grads_match_fd(
      [&](const std::vector<Var>& in) {
        return linear_cross_entropy(embedding(ids, in[0]), in[0], labels, 4);
      },
      {rnd({6, 3})});
}
