// lora_linear, the fused LoRA projection: its gradients against finite
// differences, and its value and gradients against the unfused composition
// (linear + linear(linear(dropout(x), a), b) scaled and added) in f32 and bf16.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "autograd/random.h"
#include "grad_check.h"

namespace lf::ag {
namespace {

using gradcheck::expect_grads_match_fd;
using gradcheck::max_abs_diff;
using gradcheck::random_tensor;

TEST(LoraLinear, GradientsMatchFiniteDifferences) {
  std::mt19937 rng(3);
  // x [2, 5, 6] -> out 4 with rank 3; every input (x, w, bias, a, b) trained.
  std::vector<Tensor> in = {random_tensor({2, 5, 6}, rng), random_tensor({4, 6}, rng),
                            random_tensor({4}, rng), random_tensor({3, 6}, rng),
                            random_tensor({4, 3}, rng)};
  expect_grads_match_fd(
      [](const std::vector<Var>& v) { return lora_linear(v[0], v[1], v[2], v[3], v[4], 1.5f); },
      in);
}

TEST(LoraLinear, DropoutGradientsMatchFiniteDifferences) {
  std::mt19937 rng(4);
  std::vector<Tensor> in = {random_tensor({7, 6}, rng), random_tensor({5, 6}, rng),
                            random_tensor({2, 6}, rng), random_tensor({5, 2}, rng)};
  // The same seed for every evaluation: finite differences need one fixed mask.
  expect_grads_match_fd(
      [](const std::vector<Var>& v) {
        set_rng_state(99);
        return lora_linear(v[0], v[1], Var(), v[2], v[3], 2.0f, 0.3f);
      },
      in);
}

struct Result {
  Tensor y, dx, da, db;
};

// y and the gradients of <y, r> for x, a and b; w is frozen in `dtype` (as in
// LoRA training), a and b are f32 masters, x is in `dtype`.
Result run(bool fused, DType dtype, float dropout) {
  std::mt19937 rng(11);
  const float s = 2.0f;
  Var x = Var::parameter(random_tensor({3, 16, 48}, rng).to(dtype));
  Var w(random_tensor({40, 48}, rng, 0.2f).to(dtype));
  Var a = Var::parameter(random_tensor({8, 48}, rng, 0.2f));
  Var b = Var::parameter(random_tensor({40, 8}, rng, 0.2f));
  Tensor r = random_tensor({3, 16, 40}, rng).to(dtype);
  set_rng_state(5);
  Var y;
  if (fused) {
    y = lora_linear(x, w, Var(), a, b, s, dropout);
  } else {
    Var h = dropout > 0 ? ag::dropout(x, dropout) : x;
    Var up = linear(linear(h, cast(a, dtype)), cast(b, dtype));
    y = add(linear(x, w), up, 1.0f, s);
  }
  backward(y, r);
  return {y.value(), x.grad(), a.grad(), b.grad()};
}

float max_abs(const Tensor& t) {
  float m = 0;
  for (float v : t.to_floats()) m = std::max(m, std::abs(v));
  return m;
}

void expect_fused_matches_unfused(DType dtype, float dropout, float rel) {
  Result f = run(true, dtype, dropout), u = run(false, dtype, dropout);
  ASSERT_TRUE(f.dx.defined() && f.da.defined() && f.db.defined());
  EXPECT_EQ(f.y.dtype(), dtype);
  EXPECT_EQ(f.da.dtype(), DType::f32);
  EXPECT_EQ(f.db.dtype(), DType::f32);
  EXPECT_LE(max_abs_diff(f.y, u.y), rel * max_abs(u.y));
  EXPECT_LE(max_abs_diff(f.dx, u.dx), rel * max_abs(u.dx));
  EXPECT_LE(max_abs_diff(f.da, u.da), rel * max_abs(u.da));
  EXPECT_LE(max_abs_diff(f.db, u.db), rel * max_abs(u.db));
}

TEST(LoraLinear, MatchesUnfusedCompositionF32) { expect_fused_matches_unfused(DType::f32, 0.0f, 1e-5f); }

TEST(LoraLinear, MatchesUnfusedCompositionF32WithDropout) {
  expect_fused_matches_unfused(DType::f32, 0.25f, 1e-5f);
}

// bf16 rounds at different points (the fused op never materialises the
// adapter's term in bf16), so the two agree to bf16's precision, not bitwise.
TEST(LoraLinear, MatchesUnfusedCompositionBf16) {
  expect_fused_matches_unfused(DType::bf16, 0.0f, 2e-2f);
  expect_fused_matches_unfused(DType::bf16, 0.25f, 2e-2f);
}

// A loaded (constant) adapter: only x gets a gradient, dy (W + s B A).
TEST(LoraLinear, ConstantAdapterPassesDxThroughBothPaths) {
  std::mt19937 rng(2);
  const float s = 0.5f;
  Var x = Var::parameter(random_tensor({4, 6}, rng));
  Tensor w = random_tensor({5, 6}, rng), a = random_tensor({2, 6}, rng), b = random_tensor({5, 2}, rng);
  Tensor dy = random_tensor({4, 5}, rng);
  backward(lora_linear(x, Var(w), Var(), Var(a), Var(b), s), dy);
  Tensor merged = ops::add(w, ops::matmul(b, a), 1.0f, s);
  EXPECT_LE(max_abs_diff(x.grad(), ops::matmul(dy, merged)), 1e-5f);
}

}  // namespace
}  // namespace lf::ag
