// Sampling rules: greedy when do_sample is false or temperature is 0; top-k,
// top-p and repetition penalty as Hugging Face applies them; seeded draws.
#include <gtest/gtest.h>

#include "cases.h"

namespace lf::test {
namespace {

Tensor row(const Vec& v) { return make(v, {static_cast<int64_t>(v.size())}, DType::f32); }

TEST(Sampling, GreedyRules) {
  Tensor l = row({0.1f, 3.0f, -1.0f, 2.9f});
  std::mt19937_64 rng(1);
  ops::SamplingParams p;
  p.do_sample = false;
  EXPECT_EQ(ops::sample(l, p, {}, rng), 1);
  p.do_sample = true;
  p.temperature = 0.0f;  // LLaMA-Factory: temperature 0 means greedy
  EXPECT_EQ(ops::sample(l, p, {}, rng), 1);
  p.repetition_penalty = 1.5f;  // 3.0 / 1.5 = 2.0 < 2.9
  EXPECT_EQ(ops::sample(l, p, {1, 1}, rng), 3);
}

TEST(Sampling, PenaltyMultipliesNegativeLogits) {
  Tensor l = row({-1.0f, -1.2f});
  std::mt19937_64 rng(1);
  ops::SamplingParams p;
  p.do_sample = false;
  p.repetition_penalty = 1.5f;  // -1.0 * 1.5 = -1.5 < -1.2
  EXPECT_EQ(ops::sample(l, p, {0}, rng), 1);
}

TEST(Sampling, SeededAndRestrictedByTopKAndTopP) {
  Vec v(50);
  for (int i = 0; i < 50; ++i) v[i] = -0.05f * i;
  Tensor l = row(v);
  ops::SamplingParams p;
  p.temperature = 1.0f;
  p.top_p = 1.0f;
  p.top_k = 5;
  std::mt19937_64 a(42), b(42);
  std::vector<int64_t> draws_a, draws_b;
  for (int i = 0; i < 200; ++i) {
    draws_a.push_back(ops::sample(l, p, {}, a));
    draws_b.push_back(ops::sample(l, p, {}, b));
  }
  EXPECT_EQ(draws_a, draws_b);
  for (int64_t t : draws_a) EXPECT_LT(t, 5);
  // Top-p: softmax(0, -4) = (0.982, 0.018); top_p 0.9 keeps the first token only.
  Tensor two = row({0.0f, -4.0f});
  p.top_k = 0;
  p.top_p = 0.9f;
  for (int i = 0; i < 50; ++i) EXPECT_EQ(ops::sample(two, p, {}, a), 0);
}

TEST(Sampling, FrequenciesFollowTheTemperedSoftmax) {
  Tensor l = row({1.0f, 0.0f, -1.0f});
  ops::SamplingParams p;
  p.temperature = 2.0f;
  p.top_p = 1.0f;
  p.top_k = 0;
  std::mt19937_64 rng(3);
  const int n = 5000;
  int counts[3] = {0, 0, 0};
  for (int i = 0; i < n; ++i) counts[ops::sample(l, p, {}, rng)]++;
  const double z = std::exp(0.5) + 1.0 + std::exp(-0.5);
  const double want[3] = {std::exp(0.5) / z, 1.0 / z, std::exp(-0.5) / z};
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(double(counts[i]) / n, want[i], 0.03) << i;
}

}  // namespace
}  // namespace lf::test
