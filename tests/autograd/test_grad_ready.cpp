// The gradient-ready hook: each watched leaf is signalled exactly once per
// backward, when its gradient is final — no later node adds to it — including
// leaves used only inside recomputed checkpoint scopes, leaves shared by
// several scopes, and leaves the loss never reaches.
#include <gtest/gtest.h>

#include <optional>

#include "core/error.h"
#include "tiny_decoder.h"

using namespace lf;
using namespace lf::ag;
using namespace lf::ag::gradcheck;

namespace {

// What the hook saw: the order of the signals and each leaf's gradient then.
struct Signals {
  std::vector<size_t> order;
  std::vector<std::optional<Tensor>> at_signal;  // nullopt: no gradient yet
  std::vector<int> count;

  GradReadyHook hook(const std::vector<Var>& leaves) {
    order.clear();
    at_signal.assign(leaves.size(), std::nullopt);
    count.assign(leaves.size(), 0);
    return {leaves, [this, leaves](size_t i) {
              order.push_back(i);
              ++count[i];
              const Tensor& g = leaves[i].grad();
              at_signal[i] = g.defined() ? std::optional<Tensor>(g.clone()) : std::nullopt;
            }};
  }

  // Every leaf signalled once, with the gradient it still has after backward.
  void expect_final(const std::vector<Var>& leaves) const {
    for (size_t i = 0; i < leaves.size(); ++i) {
      SCOPED_TRACE(::testing::Message() << "leaf " << i);
      EXPECT_EQ(count[i], 1);
      ASSERT_EQ(at_signal[i].has_value(), leaves[i].grad().defined());
      if (at_signal[i]) {
        EXPECT_EQ(max_abs_diff(*at_signal[i], leaves[i].grad()), 0.0f);
      }
    }
  }

  size_t position(size_t leaf) const {
    return static_cast<size_t>(std::find(order.begin(), order.end(), leaf) - order.begin());
  }
};

struct Layout {
  const char* name;
  bool checkpointed, nested, frozen_embedding;
};

}  // namespace

TEST(AutogradGradReady, EachLeafOnceWithItsFinalGradient) {
  const Layout layouts[] = {{"plain", false, false, false},
                            {"checkpointed", true, false, false},
                            {"nested", true, true, false},
                            {"checkpointed, frozen embedding", true, false, true}};
  for (const Layout& l : layouts) {
    SCOPED_TRACE(l.name);
    std::vector<Tensor> weights = TinyDecoder::random_weights(11);
    std::vector<Var> w, watched;
    for (size_t i = 0; i < weights.size(); ++i) {
      // A frozen embedding: the first checkpoint's input needs no gradient,
      // so the layer weights are reached only inside the recomputed scopes.
      bool frozen = l.frozen_embedding && i == kEmbed;
      w.push_back(frozen ? Var(weights[i].clone()) : Var::parameter(weights[i].clone()));
      if (!frozen) watched.push_back(w.back());
    }
    Var unused = Var::parameter(ops::full({3}, 1.0f, DType::f32, Device::cpu()));
    watched.push_back(unused);
    TinyDecoder model;
    model.checkpointed = l.checkpointed;
    model.nested = l.nested;

    Signals s;
    backward(model.loss(w), Tensor(), s.hook(watched));
    s.expect_final(watched);
    // The loss never reaches `unused`: signalled last, when the walk ends.
    EXPECT_EQ(s.order.back(), watched.size() - 1);
    EXPECT_FALSE(unused.grad().defined());
    // The layers' weights (inside the scopes, if any) are final before the
    // embedding's rule runs, as soon as the first layer's backward is done.
    if (!l.frozen_embedding) {
      for (size_t i = kNorm1; i <= kDown; ++i) EXPECT_LT(s.position(i), s.position(kEmbed)) << i;
    }

    // The same gradients as a backward without a hook.
    std::vector<Var> plain;
    for (const Var& v : w) plain.push_back(v.is_parameter() ? Var::parameter(v.value().clone()) : v);
    backward(model.loss(plain));
    for (size_t i = 0; i < w.size(); ++i)
      if (w[i].is_parameter()) expect_same_values(w[i].grad(), plain[i].grad());

    // A second backward signals every leaf once more, with the accumulated sums.
    backward(model.loss(w), Tensor(), s.hook(watched));
    s.expect_final(watched);
  }
}

TEST(AutogradGradReady, LateLayersAreSignalledWhileBackwardStillRuns) {
  std::vector<Var> w;
  for (const Tensor& t : TinyDecoder::random_weights(12)) w.push_back(Var::parameter(t.clone()));
  TinyDecoder model;
  model.checkpointed = true;
  bool layers_started = false;
  GradReadyHook hook{{w[kLmHead], w[kWq]}, [&](size_t i) {
                       // lm_head's gradient is final before the layers' backward begins.
                       if (i == 0) layers_started = w[kWq].grad().defined();
                     }};
  backward(model.loss(w), Tensor(), hook);
  EXPECT_FALSE(layers_started);
}

TEST(AutogradGradReady, LeafUsedInsideAndOutsideACheckpointWaitsForAllUses) {
  std::mt19937 rng(13);
  Var p = Var::parameter(random_tensor({4}, rng)), q = Var::parameter(random_tensor({4}, rng));
  Var x(random_tensor({4}, rng));
  // p: once before the scope, once inside it, once after it; q: only inside.
  Var a = mul(x, p);
  Var c = checkpoint([&](const std::vector<Var>& in) { return mul(mul(in[0], q), p); }, {a});
  Var y = mul(c, p);
  std::vector<Var> leaves{p, q};
  Signals s;
  backward(y, random_tensor({4}, rng), s.hook(leaves));
  s.expect_final(leaves);
  // q is final when the scope has run; p only after the first mul's rule.
  EXPECT_LT(s.position(1), s.position(0));
}

TEST(AutogradGradReady, WatchesParametersOnlyAndEachOnce) {
  std::mt19937 rng(14);
  Var p = Var::parameter(random_tensor({4}, rng));
  EXPECT_THROW(backward(scale(p, 2.0f), Tensor(), GradReadyHook{{p, p}, nullptr}), Error);
  Var y = scale(p, 2.0f);
  EXPECT_THROW(backward(y, Tensor(), GradReadyHook{{y}, nullptr}), Error);
}
