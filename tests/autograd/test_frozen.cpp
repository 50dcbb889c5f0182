// Frozen weights (constants) get no gradient and cost no gradient work.
#include <gtest/gtest.h>

#include "counting_backend.h"
#include "tiny_decoder.h"

using namespace lf;
using namespace lf::ag;
using namespace lf::ag::gradcheck;

namespace {

constexpr TinyWeight kLinears[] = {kWq, kWk, kWv, kWo, kGate, kUp, kDown};

// Weights as parameters, except those listed, which stay constants.
std::vector<Var> weights_freezing(const std::vector<Tensor>& weights,
                                  std::initializer_list<TinyWeight> frozen) {
  std::vector<Var> w;
  for (const Tensor& t : weights) w.push_back(Var::parameter(t.clone()));
  for (TinyWeight f : frozen) w[f] = Var(weights[f]);
  return w;
}

}  // namespace

TEST(AutogradFrozen, LinearSkipsTheWeightProduct) {
  std::mt19937 rng(1);
  Tensor x = random_tensor({6, 4}, rng), w = random_tensor({3, 4}, rng);
  CountingBackend counting;
  auto backward_matmuls = [&](Var xv, Var wv) {
    Var y = linear(xv, wv);
    counting.reset();
    backward(y, random_tensor({6, 3}, rng));
    return counting.matmuls;
  };
  EXPECT_EQ(backward_matmuls(Var::parameter(x.clone()), Var::parameter(w.clone())), 2);
  EXPECT_EQ(backward_matmuls(Var::parameter(x.clone()), Var(w)), 1);  // dx only
  EXPECT_EQ(backward_matmuls(Var(x), Var::parameter(w.clone())), 1);  // dw only
}

TEST(AutogradFrozen, LoraAdapterOnFrozenBase) {
  std::mt19937 rng(3);
  Var base(random_tensor({6, 5}, rng));          // frozen W [out, in]
  auto lora = [&](const std::vector<Var>& in) {  // x, A [r, in], B [out, r]
    Var delta = linear(linear(in[0], in[1]), in[2]);
    return add(linear(in[0], base), scale(delta, 2.0f));
  };
  auto params = expect_grads_match_fd(
      lora, {random_tensor({4, 5}, rng), random_tensor({2, 5}, rng), random_tensor({6, 2}, rng)});
  EXPECT_FALSE(base.requires_grad());
  // Backward products: base dx; A: dx, dA; B: dx, dB.
  CountingBackend counting;
  Var y = lora(params);
  counting.reset();
  backward(y, random_tensor({4, 6}, rng));
  EXPECT_EQ(counting.matmuls, 5);
}

TEST(AutogradFrozen, FrozenDecoderWeightsCostNoGradientWork) {
  std::vector<Tensor> weights = TinyDecoder::random_weights(11);
  TinyDecoder model;
  CountingBackend counting;
  auto run = [&](const std::vector<Var>& w) {
    Var loss = model.loss(w);
    counting.reset();
    backward(loss);
  };

  run(weights_freezing(weights, {}));
  int all_trainable = counting.matmuls;
  EXPECT_EQ(counting.embedding_backwards, 1);
  EXPECT_EQ(counting.norm_weight_grads, 2 * TinyDecoder::kLayers);

  // LoRA-style base: every linear weight of the layers frozen, one product
  // (the weight gradient) saved per linear per layer.
  std::vector<Var> w = weights_freezing(weights, {kWq, kWk, kWv, kWo, kGate, kUp, kDown});
  run(w);
  EXPECT_EQ(counting.matmuls, all_trainable - 7 * TinyDecoder::kLayers);
  for (TinyWeight f : kLinears) EXPECT_FALSE(w[f].requires_grad());
  EXPECT_TRUE(w[kNorm1].grad().defined());
  int frozen_linears = counting.matmuls;

  // Also frozen: embedding and norms. The layers then compute constants (no
  // op of theirs is recorded): only the lm_head's gradient work is left.
  run(weights_freezing(weights, {kWq, kWk, kWv, kWo, kGate, kUp, kDown, kEmbed, kNorm1, kNorm2}));
  EXPECT_EQ(counting.embedding_backwards, 0);
  EXPECT_EQ(counting.norm_weight_grads, 0);
  EXPECT_LT(counting.matmuls, frozen_linears);
  std::vector<Var> head_frozen =
      weights_freezing(weights, {kWq, kWk, kWv, kWo, kGate, kUp, kDown, kEmbed, kNorm1, kNorm2});
  head_frozen[kLmHead] = Var(weights[kLmHead]);
  // Nothing left to train: the loss does not even require grad.
  EXPECT_FALSE(model.loss(head_frozen).requires_grad());
}

TEST(AutogradFrozen, FrozenLmHeadSkipsItsWeightGradient) {
  std::mt19937 rng(2);
  Tensor h = random_tensor({5, 4}, rng), head = random_tensor({9, 4}, rng);
  Tensor labels = Tensor::from_ints({1, 8, -100, 0, 3}, {5});
  CountingBackend counting;
  auto backward_matmuls = [&](Var hv, Var wv) {
    Var loss = linear_cross_entropy(hv, wv, labels, 3);
    counting.reset();
    backward(loss);
    return counting.matmuls;
  };
  int trainable = backward_matmuls(Var::parameter(h.clone()), Var::parameter(head.clone()));
  int frozen = backward_matmuls(Var::parameter(h.clone()), Var(head));
  EXPECT_LT(frozen, trainable);
}
