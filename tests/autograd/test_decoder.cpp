// Gradients through a whole decoder-shaped graph, with and without
// checkpointed layers.
#include <gtest/gtest.h>

#include "tiny_decoder.h"

using namespace lf;
using namespace lf::ag;
using namespace lf::ag::gradcheck;

namespace {

// Gradients of every weight after one backward of the tiny decoder's loss.
std::vector<Tensor> decoder_grads(const TinyDecoder& model, const std::vector<Var>& w) {
  set_rng_state(42);
  backward(model.loss(w));
  std::vector<Tensor> grads;
  for (const Var& v : w) grads.push_back(v.is_parameter() ? v.grad() : Tensor());
  return grads;
}

std::vector<Var> parameters(const std::vector<Tensor>& weights) {
  std::vector<Var> w;
  for (const Tensor& t : weights) w.push_back(Var::parameter(t.clone()));
  return w;
}

}  // namespace

TEST(AutogradDecoder, GradientsMatchFiniteDifferences) {
  TinyDecoder model;
  expect_grads_match_fd([&](const std::vector<Var>& w) { return model.loss(w); },
                        TinyDecoder::random_weights(3),
                        {.eps = 1e-2, .atol = 1e-3, .rtol = 3e-2, .samples = 6});
}

TEST(AutogradDecoder, CheckpointedGradientsMatchFiniteDifferences) {
  TinyDecoder model;
  model.checkpointed = true;
  expect_grads_match_fd([&](const std::vector<Var>& w) { return model.loss(w); },
                        TinyDecoder::random_weights(3),
                        {.eps = 1e-2, .atol = 1e-3, .rtol = 3e-2, .samples = 6});
}

TEST(AutogradDecoder, CheckpointingGivesIdenticalGradientsWithDropout) {
  std::vector<Tensor> weights = TinyDecoder::random_weights(5);
  TinyDecoder plain, ckpt;
  plain.dropout = ckpt.dropout = 0.3f;
  ckpt.checkpointed = true;
  std::vector<Tensor> a = decoder_grads(plain, parameters(weights));
  std::vector<Tensor> b = decoder_grads(ckpt, parameters(weights));
  for (size_t i = 0; i < a.size(); ++i) {
    ASSERT_TRUE(a[i].defined() && b[i].defined()) << "weight " << i;
    // Same ops in the same order, dropout masks included.
    SCOPED_TRACE(::testing::Message() << "weight " << i);
    expect_same_values(a[i], b[i]);
  }
}

TEST(AutogradDecoder, CheckpointsNest) {
  std::vector<Tensor> weights = TinyDecoder::random_weights(7);
  TinyDecoder plain, nested;
  plain.dropout = nested.dropout = 0.3f;
  nested.checkpointed = nested.nested = true;
  std::vector<Tensor> a = decoder_grads(plain, parameters(weights));
  std::vector<Tensor> b = decoder_grads(nested, parameters(weights));
  for (size_t i = 0; i < a.size(); ++i) {
    SCOPED_TRACE(::testing::Message() << "weight " << i);
    expect_same_values(a[i], b[i]);
  }
}

TEST(AutogradDecoder, CheckpointWithConstantInputStillTrainsItsParameters) {
  // A frozen embedding feeds the first checkpoint a hidden state that needs
  // no gradient; the layer's parameters inside must still receive theirs.
  std::vector<Tensor> weights = TinyDecoder::random_weights(9);
  TinyDecoder plain, ckpt;
  ckpt.checkpointed = true;
  auto frozen_embedding = [&] {
    std::vector<Var> w = parameters(weights);
    w[kEmbed] = Var(weights[kEmbed]);
    return w;
  };
  std::vector<Tensor> a = decoder_grads(plain, frozen_embedding());
  std::vector<Tensor> b = decoder_grads(ckpt, frozen_embedding());
  EXPECT_FALSE(a[kEmbed].defined());
  for (size_t i = 0; i < a.size(); ++i) {
    if (i == kEmbed) continue;
    ASSERT_TRUE(b[i].defined()) << "weight " << i;
    SCOPED_TRACE(::testing::Message() << "weight " << i);
    expect_same_values(a[i], b[i]);
  }
}

TEST(AutogradDecoder, Bf16ComputeGivesF32GradientsCloseToF32Training) {
  std::vector<Tensor> weights = TinyDecoder::random_weights(13);
  TinyDecoder f32, bf16;
  bf16.compute = DType::bf16;
  bf16.checkpointed = true;
  std::vector<Tensor> ref = decoder_grads(f32, parameters(weights));
  std::vector<Tensor> mixed = decoder_grads(bf16, parameters(weights));
  for (size_t i = 0; i < ref.size(); ++i) {
    SCOPED_TRACE(::testing::Message() << "weight " << i);
    ASSERT_TRUE(mixed[i].defined());
    EXPECT_EQ(mixed[i].dtype(), DType::f32);
    // bf16 keeps 8 significant bits; measured errors are 0.5-1.1% of the largest gradient.
    float scale = 0;
    for (float v : ref[i].to_floats()) scale = std::max(scale, std::abs(v));
    EXPECT_LE(max_abs_diff(ref[i], mixed[i]), 0.03f * scale);
  }
}
