// UnreadOutput: a checkpoint's re-run records the body's last ops without
// computing their values, and the gradients are those of the plain graph.
#include <gtest/gtest.h>

#include <optional>

#include "counting_backend.h"
#include "grad_check.h"

using namespace lf;
using namespace lf::ag;
using namespace lf::ag::gradcheck;

namespace {

struct Weights {
  Var w1, w2, a, b;
};

Weights weights(uint64_t seed) {
  std::mt19937 rng(static_cast<std::mt19937::result_type>(seed));
  return {Var::parameter(random_tensor({6, 5}, rng)), Var::parameter(random_tensor({5, 6}, rng)),
          Var::parameter(random_tensor({2, 6}, rng)), Var::parameter(random_tensor({5, 2}, rng))};
}

// A layer shaped like the decoder's: x + proj(f(x)); `mark` puts the last
// product (plain or LoRA) and the residual add in an UnreadOutput scope.
Var layer(const Var& x, const Weights& w, bool lora, bool mark) {
  Var h = mul(linear(x, w.w1), linear(x, w.w1));
  std::optional<UnreadOutput> output_only;
  if (mark) output_only.emplace();
  Var m = lora ? lora_linear(h, w.w2, Var(), w.a, w.b, 0.5f, 0.0f) : linear(h, w.w2);
  return add(x, m);
}

// Products a checkpointed layer's backward (re-run included) runs.
int backward_products(bool lora, bool mark, const Tensor& x0, const Tensor& dy, Weights& w, Var& x) {
  x = Var::parameter(x0.clone());
  CountingBackend counting;
  Var y = checkpoint([&, lora, mark](const std::vector<Var>& in) { return layer(in[0], w, lora, mark); }, {x});
  counting.reset();
  backward(y, dy);
  return counting.matmuls;
}

}  // namespace

TEST(AutogradUnreadOutput, ReRunSkipsTheLastProductAndKeepsTheGradients) {
  for (bool lora : {false, true}) {
    SCOPED_TRACE(lora ? "lora" : "plain");
    std::mt19937 rng(3);
    const Tensor x0 = random_tensor({4, 5}, rng), dy = random_tensor({4, 5}, rng);
    Weights plain = weights(7), ckpt = weights(7), unmarked = weights(7);
    Var xp = Var::parameter(x0.clone()), xc, xu;
    backward(layer(xp, plain, lora, true), dy);
    const int skipping = backward_products(lora, true, x0, dy, ckpt, xc);
    const int full = backward_products(lora, false, x0, dy, unmarked, xu);
    // Skipped: w2's product and, with LoRA, the adapter's up product into it.
    EXPECT_EQ(full - skipping, lora ? 2 : 1);

    for (auto [p, c] : {std::pair{xp, xc}, {plain.w1, ckpt.w1}, {plain.w2, ckpt.w2}}) {
      const std::vector<float> gp = p.grad().to_floats(), gc = c.grad().to_floats();
      ASSERT_EQ(gp.size(), gc.size());
      for (size_t i = 0; i < gp.size(); ++i) EXPECT_FLOAT_EQ(gp[i], gc[i]) << i;
    }
  }
}

TEST(AutogradUnreadOutput, OnlyInsideAReRun) {
  bool during_forward = true, during_rerun = false, nested_first_run = true;
  Var p = Var::parameter(Tensor::from_vector({1.0f, 2.0f}, {2}));
  Var y = checkpoint(
      [&](const std::vector<Var>& in) {
        UnreadOutput output_only;
        const bool now = output_unread();
        if (grad_mode() == GradMode::track) during_forward = now;
        else during_rerun = now;
        // A nested checkpoint's first run must compute its values even here.
        return checkpoint(
            [&](const std::vector<Var>& inner) {
              if (grad_mode() == GradMode::track) nested_first_run = output_unread();
              return mul(inner[0], p);
            },
            {in[0]});
      },
      {Var::parameter(Tensor::from_vector({3.0f, 4.0f}, {2}))});
  {
    UnreadOutput outside;
    EXPECT_FALSE(output_unread());
  }
  backward(y, Tensor::from_vector({1.0f, 1.0f}, {2}));
  EXPECT_FALSE(during_forward);
  EXPECT_TRUE(during_rerun);
  EXPECT_FALSE(nested_first_run);
  EXPECT_EQ(p.grad().to_floats(), (std::vector<float>{3.0f, 4.0f}));
}
