// Dataset mixing: concat and the three interleave strategies.
#include <gtest/gtest.h>

#include "core/error.h"
#include "data/mix.h"

namespace lf::data {
namespace {

// Datasets of single-message examples named "<letter><index>".
std::vector<std::vector<Example>> datasets(const std::vector<size_t>& lengths) {
  std::vector<std::vector<Example>> out;
  for (size_t d = 0; d < lengths.size(); ++d) {
    auto& ds = out.emplace_back();
    for (size_t i = 0; i < lengths[d]; ++i) {
      Example ex;
      std::string name(1, static_cast<char>('a' + d));
      name += std::to_string(i);
      ex.prompt.push_back({Role::user, name});
      ds.push_back(ex);
    }
  }
  return out;
}

std::string names(const std::vector<Example>& mixed) {
  std::string s;
  for (const auto& ex : mixed) {
    if (!s.empty()) s += ' ';
    s += ex.prompt[0].content;
  }
  return s;
}

TEST(Mix, Concat) { EXPECT_EQ(names(mix_datasets(datasets({2, 1}), "concat", {}, 0)), "a0 a1 b0"); }

TEST(Mix, InterleaveUnderTakesWholeRoundsUntilTheShortestRunsOut) {
  // The Hugging Face library: lengths [3, 4, 5] give 3 whole rounds.
  EXPECT_EQ(names(mix_datasets(datasets({3, 4, 5}), "interleave_under", {}, 0)), "a0 b0 c0 a1 b1 c1 a2 b2 c2");
}

TEST(Mix, InterleaveOverWrapsUntilTheLongestIsUsed) {
  // max length rounds; dataset j gives row (round % length j).
  EXPECT_EQ(names(mix_datasets(datasets({5, 4, 3}), "interleave_over", {}, 0)),
            "a0 b0 c0 a1 b1 c1 a2 b2 c2 a3 b3 c0 a4 b0 c1");
}

TEST(Mix, InterleaveOnceUsesEveryRowOnce) {
  EXPECT_EQ(names(mix_datasets(datasets({3, 1}), "interleave_once", {}, 0)), "a0 b0 a1 a2");
}

TEST(Mix, ProbabilitiesFollowTheWeights) {
  const auto mixed = mix_datasets(datasets({400, 400}), "interleave_under", {0.9, 0.1}, 7);
  size_t from_a = 0;
  for (const auto& ex : mixed) from_a += ex.prompt[0].content[0] == 'a';
  // Stops when a (drawn 90% of the time) runs out: about 400 a's and 44 b's.
  EXPECT_EQ(from_a, 400u);
  EXPECT_GT(mixed.size() - from_a, 20u);
  EXPECT_LT(mixed.size() - from_a, 80u);
  const auto once = mix_datasets(datasets({30, 20}), "interleave_once", {0.5, 0.5}, 7);
  EXPECT_EQ(once.size(), 50u);
  EXPECT_EQ(names(mix_datasets(datasets({30, 20}), "interleave_once", {0.5, 0.5}, 7)), names(once));  // seeded
}

TEST(Mix, BadSettings) {
  EXPECT_THROW(mix_datasets(datasets({1, 1}), "concat", {0.5, 0.5}, 0), Error);
  EXPECT_THROW(mix_datasets(datasets({1, 1}), "interleave_over", {1.0}, 0), Error);
  EXPECT_THROW(mix_datasets(datasets({1, 1}), "interleave_over", {1.0, 0.0}, 0), Error);
  EXPECT_THROW(mix_datasets(datasets({1, 1}), "zip", {}, 0), Error);
  EXPECT_EQ(parse_probs(" 0.25, 0.75"), (std::vector<double>{0.25, 0.75}));
}

}  // namespace
}  // namespace lf::data
