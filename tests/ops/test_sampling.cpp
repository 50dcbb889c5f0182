// Sampling rules: greedy when do_sample is false or temperature is 0; top-k,
// top-p and repetition penalty as Hugging Face applies them; seeded draws.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "cases.h"
#include "ops/backend.h"

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

// The backend's top-k against a full sort, k on both sides of the one-pass
// path's limit, bf16 and f32. Row 0: many ties (the lower id ranks first), a
// lone maximum mid-row and a NaN (ranks last); row 1: a rising ramp of tied
// triples over each stretch of 128 (the one-pass path's chunk), each stretch a
// little higher than the last, so later chunks keep displacing kept values by
// a hair; row 2: a first stretch of NaNs longer than a chunk.
TEST(Sampling, TopKMatchesAFullSort) {
  std::mt19937_64 rng(11);
  ops::Backend& be = ops::backend_for(Device::cpu());
  for (DType dt : {DType::f32, DType::bf16})
    for (int64_t V : {1, 7, 1000, 3000})
      for (int64_t k : {1, 5, 50, 64, 65, 3000}) {
        if (k > V) continue;
        const int64_t B = 3;
        Vec v(static_cast<size_t>(B * V));
        for (auto& x : v) x = static_cast<float>(static_cast<int>(rng() % 9) - 4) * 0.5f;
        if (V > 100) v[static_cast<size_t>(V / 2)] = 7.0f;
        if (V > 1) v[0] = NAN;
        for (int64_t j = 0; j < V; ++j)
          v[static_cast<size_t>(V + j)] = static_cast<float>(j % 128 / 3) * 0.003f + static_cast<float>(j / 128) * 0.001f;
        for (int64_t j = 0; j < std::min<int64_t>(V - 1, 1030); ++j) v[static_cast<size_t>(2 * V + j)] = NAN;
        Tensor logits = make(v, {B, V}, dt);
        const std::vector<float> rounded = logits.to_floats();  // the values as the dtype holds them
        Tensor values = Tensor::empty({B, k}, DType::f32, Device::cpu());
        Tensor indices = Tensor::empty({B, k}, DType::i32, Device::cpu());
        be.topk(logits, k, values, indices);
        const std::vector<float> got_v = values.to_floats();
        const std::vector<int64_t> got_i = indices.to_ints();
        for (int64_t b = 0; b < B; ++b) {
          std::vector<int64_t> order(static_cast<size_t>(V));
          std::iota(order.begin(), order.end(), 0);
          const float* r = rounded.data() + b * V;
          std::stable_sort(order.begin(), order.end(), [&](int64_t x, int64_t y) {
            return std::isnan(r[y]) ? !std::isnan(r[x]) : r[x] > r[y];
          });
          for (int64_t i = 0; i < k; ++i) {
            const auto at = static_cast<size_t>(b * k + i);
            ASSERT_EQ(got_i[at], order[static_cast<size_t>(i)])
                << dtype_name(dt) << " V=" << V << " k=" << k << " row " << b << " rank " << i;
            const float want = r[order[static_cast<size_t>(i)]];
            if (std::isnan(want)) ASSERT_TRUE(std::isnan(got_v[at]));
            else ASSERT_EQ(got_v[at], want);
          }
        }
      }
}

}  // namespace
}  // namespace lf::test
