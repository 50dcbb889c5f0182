// The tape's bookkeeping: what is recorded, what is kept, what is freed.
#include <gtest/gtest.h>

#include "core/allocator.h"
#include "core/error.h"
#include "tiny_decoder.h"

using namespace lf;
using namespace lf::ag;
using namespace lf::ag::gradcheck;

namespace {

size_t allocated() { return allocator_for(Device::cpu()).stats().allocated; }

std::vector<Var> parameters(const std::vector<Tensor>& weights) {
  std::vector<Var> w;
  for (const Tensor& t : weights) w.push_back(Var::parameter(t.clone()));
  return w;
}

}  // namespace

TEST(AutogradTape, NoGradRecordsNothing) {
  std::vector<Var> w = parameters(TinyDecoder::random_weights(1));
  TinyDecoder model;
  size_t before = allocated();
  {
    NoGradGuard no_grad;
    EXPECT_EQ(grad_mode(), GradMode::off);
    Var loss = model.loss(w);
    EXPECT_FALSE(loss.requires_grad());
    // Only the loss value is alive: no activation was kept for a backward.
    EXPECT_EQ(allocated() - before, CachingAllocator::round_size(loss.value().nbytes()));
    EXPECT_THROW(backward(loss), Error);
  }
  EXPECT_EQ(grad_mode(), GradMode::record);
  EXPECT_TRUE(model.loss(w).requires_grad());
}

TEST(AutogradTape, ConstantsRecordNothing) {
  std::mt19937 rng(1);
  Var x(random_tensor({3, 4}, rng)), w(random_tensor({5, 4}, rng));
  Var y = linear(x, w);
  EXPECT_FALSE(y.requires_grad());
  EXPECT_EQ(y.node(), nullptr);
}

TEST(AutogradTape, GradientsAccumulateAcrossBackwardsUntilCleared) {
  std::vector<Var> w = parameters(TinyDecoder::random_weights(2));
  TinyDecoder model;
  backward(model.loss(w));
  Tensor once = w[kWq].grad().clone();
  backward(model.loss(w));
  expect_same_values(w[kWq].grad(), ops::scale(once, 2.0f));
  w[kWq].clear_grad();
  EXPECT_FALSE(w[kWq].grad().defined());
}

TEST(AutogradTape, SecondBackwardThroughAGraphIsAnError) {
  std::vector<Var> w = parameters(TinyDecoder::random_weights(3));
  TinyDecoder model;
  Var loss = model.loss(w);
  backward(loss);
  try {
    backward(loss);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("a second time"), std::string::npos) << e.what();
  }
}

TEST(AutogradTape, BackwardReturnsEveryActivationToTheAllocator) {
  for (bool checkpointed : {false, true}) {
    SCOPED_TRACE(::testing::Message() << "checkpointed " << checkpointed);
    std::vector<Var> w = parameters(TinyDecoder::random_weights(4));
    TinyDecoder model;
    model.checkpointed = checkpointed;
    backward(model.loss(w));  // the first backward allocates the gradients
    size_t baseline = allocated();
    {
      Var loss = model.loss(w);
      EXPECT_GT(allocated(), baseline + CachingAllocator::round_size(loss.value().nbytes()));
      backward(loss);
    }
    EXPECT_EQ(allocated(), baseline);
  }
}

TEST(AutogradTape, CheckpointKeepsOnlyItsInputs) {
  std::vector<Var> w = parameters(TinyDecoder::random_weights(5));
  TinyDecoder plain, ckpt;
  ckpt.checkpointed = true;
  size_t baseline = allocated();
  Var a = plain.loss(w);
  size_t plain_bytes = allocated() - baseline;
  Var b = ckpt.loss(w);
  size_t ckpt_bytes = allocated() - baseline - plain_bytes;
  // Two layer inputs and the embedding/loss tensors instead of every activation.
  EXPECT_LT(ckpt_bytes * 3, plain_bytes);
}

TEST(AutogradTape, ActivationsAreFreedAsSoonAsBackwardConsumesThem) {
  std::mt19937 rng(6);
  Var w0 = Var::parameter(random_tensor({64, 64}, rng, 0.1f));
  Var w = Var::parameter(random_tensor({64, 64}, rng, 0.1f));
  Var x(random_tensor({256, 64}, rng));
  size_t at_probe = 0;
  // The first op of the graph; its rule runs last and reads the allocator then.
  auto probe = [&](const Var& in) {
    return record("probe", in.value(), {in}, [&](const Tensor& dout, Grads& g) {
      at_probe = allocated();
      g.add(0, dout);
    });
  };
  Var h = probe(linear(x, w0));
  for (int i = 0; i < 8; ++i) h = activation(ops::Activation::silu, linear(h, w));
  size_t after_forward = allocated();
  backward(h);
  size_t activation_bytes = CachingAllocator::round_size(256 * 64 * 4);
  // By then the 16 activations saved after the probe are gone; what is left is
  // the probe's input, the output value held by `h`, and a few gradients.
  EXPECT_LT(at_probe + 10 * activation_bytes, after_forward);
}

TEST(AutogradTape, CheckpointRejectsCapturedRecordedValues) {
  std::vector<Var> w = parameters(TinyDecoder::random_weights(7));
  std::mt19937 rng(7);
  Var outer = scale(w[kNorm1], 2.0f);  // recorded outside the checkpoint
  Var y = checkpoint([&](const std::vector<Var>& in) { return mul(in[0], outer); }, {w[kNorm2]});
  try {
    backward(y, random_tensor(y.shape(), rng));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("checkpoint's inputs"), std::string::npos) << e.what();
  }
}
