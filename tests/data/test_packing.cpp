// Packing invariants and the batch collator.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <set>

#include "data/collator.h"
#include "data/packing.h"

namespace lf::data {
namespace {

// An example whose every token is `tag` (so packs show where it went), the
// first token's label masked.
EncodedExample tagged(int32_t tag, size_t length) {
  EncodedExample ex;
  ex.input_ids.assign(length, tag);
  ex.labels.assign(length, tag);
  ex.labels[0] = kIgnoreIndex;
  return ex;
}

TEST(GreedyKnapsack, TakesTheLargestThatFits) {
  // sorted 1 2 3 5 7 8, capacity 10: [8 2] [7 3] [5 1]
  const auto packs = greedy_knapsack({5, 1, 8, 3, 7, 2}, 10);
  EXPECT_EQ(packs, (std::vector<std::vector<int64_t>>{{8, 2}, {7, 3}, {5, 1}}));
}

TEST(GreedyKnapsack, CapacityRespectedAndEveryLengthPlacedOnce) {
  std::vector<int64_t> lengths;
  for (int64_t i = 0; i < 200; ++i) lengths.push_back(1 + (i * 37) % 97);
  const auto packs = greedy_knapsack(lengths, 128);
  std::vector<int64_t> placed;
  for (const auto& p : packs) {
    EXPECT_LE(std::accumulate(p.begin(), p.end(), int64_t{0}), 128);
    placed.insert(placed.end(), p.begin(), p.end());
  }
  std::sort(placed.begin(), placed.end());
  std::sort(lengths.begin(), lengths.end());
  EXPECT_EQ(placed, lengths);
}

void check_pack_invariants(const PackingResult& r, int64_t cutoff, bool neat, size_t expected_examples) {
  std::multiset<int32_t> seen;
  for (const auto& pack : r.packs) {
    ASSERT_EQ(pack.input_ids.size(), static_cast<size_t>(cutoff + 1));
    ASSERT_EQ(pack.labels.size(), pack.input_ids.size());
    ASSERT_EQ(pack.position_ids.size(), pack.input_ids.size());
    ASSERT_EQ(pack.segment_ids.size(), pack.input_ids.size());
    // Walk the sub-sequences: each is one example's tokens, whole, with
    // positions 0..len-1 and one segment id (1, 2, 3, ... under neat packing).
    size_t i = 0;
    int32_t segment = 0;
    while (i < pack.input_ids.size() && pack.input_ids[i] != 0) {
      const int32_t tag = pack.input_ids[i];
      ++segment;
      size_t len = 0;
      while (i + len < pack.input_ids.size() && pack.input_ids[i + len] == tag) {
        EXPECT_EQ(pack.position_ids[i + len], static_cast<int32_t>(len));
        EXPECT_EQ(pack.segment_ids[i + len], neat ? segment : 1);
        ++len;
      }
      EXPECT_EQ(len, static_cast<size_t>(tag)) << "example with tag " << tag << " split or merged";
      EXPECT_EQ(pack.labels[i], kIgnoreIndex);
      seen.insert(tag);
      i += len;
    }
    for (; i < pack.input_ids.size(); ++i) {  // padding
      EXPECT_EQ(pack.input_ids[i], 0);
      EXPECT_EQ(pack.labels[i], kIgnoreIndex);
      EXPECT_EQ(pack.position_ids[i], 0);
      EXPECT_EQ(pack.segment_ids[i], neat ? 0 : 1);
    }
  }
  EXPECT_EQ(seen.size(), expected_examples);
}

std::vector<EncodedExample> examples_with_lengths(const std::vector<int32_t>& lengths) {
  std::vector<EncodedExample> out;
  for (int32_t n : lengths) out.push_back(tagged(n, static_cast<size_t>(n)));  // tag = length
  return out;
}

TEST(Packing, NeatPackingKeepsExamplesWholeWithSegmentsAndPositions) {
  const auto r = pack_examples(examples_with_lengths({5, 3, 9, 2, 7, 4, 6, 1, 8}), 12, 0, true);
  EXPECT_EQ(r.dropped_too_long, 0u);
  check_pack_invariants(r, 12, true, 9);
}

TEST(Packing, PlainPackingMarksEverythingOne) {
  const auto r = pack_examples(examples_with_lengths({5, 3, 9, 2, 7}), 10, 0, false);
  check_pack_invariants(r, 10, false, 5);
}

TEST(Packing, DropsExamplesLongerThanCutoff) {
  const auto r = pack_examples(examples_with_lengths({3, 11, 4, 20}), 10, 0, true);
  EXPECT_EQ(r.dropped_too_long, 2u);
  check_pack_invariants(r, 10, true, 2);
  ASSERT_EQ(r.packs.size(), 1u);  // 4 + 3 fit one pack
}

TEST(Collator, PadsToMultipleOfEightWithIgnoredLabels) {
  EncodedExample a = tagged(7, 3), b = tagged(9, 10);
  const Batch batch = collate({&a, &b}, {/*pad_id=*/5, 8, true, false});
  EXPECT_EQ(batch.batch_size, 2);
  EXPECT_EQ(batch.seq_len, 16);
  ASSERT_EQ(batch.input_ids.size(), 32u);
  EXPECT_EQ(std::vector<int32_t>(batch.input_ids.begin(), batch.input_ids.begin() + 16),
            (std::vector<int32_t>{7, 7, 7, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5}));
  EXPECT_EQ(std::vector<int32_t>(batch.labels.begin(), batch.labels.begin() + 4),
            (std::vector<int32_t>{kIgnoreIndex, 7, 7, kIgnoreIndex}));
  EXPECT_EQ(std::vector<int32_t>(batch.attention_mask.begin(), batch.attention_mask.begin() + 4),
            (std::vector<int32_t>{1, 1, 1, 0}));
  EXPECT_EQ(std::vector<int32_t>(batch.position_ids.begin() + 16, batch.position_ids.begin() + 28),
            (std::vector<int32_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 0}));
  const Batch unrounded = collate({&a, &b}, {5, 1, false, false});
  EXPECT_EQ(unrounded.seq_len, 10);
  EXPECT_EQ(unrounded.labels[3], 5);  // ignore_pad_token_for_loss off: labels padded with pad_id
}

TEST(Collator, NeatPacksCarrySegmentIds) {
  const auto r = pack_examples(examples_with_lengths({3, 2}), 7, 0, true);
  ASSERT_EQ(r.packs.size(), 1u);
  const Batch b = collate({&r.packs[0]}, {0, 8, true, true});
  EXPECT_TRUE(b.segment_mask);
  EXPECT_EQ(b.attention_mask, (std::vector<int32_t>{1, 1, 1, 2, 2, 0, 0, 0}));
  EXPECT_EQ(b.position_ids, (std::vector<int32_t>{0, 1, 2, 0, 1, 0, 0, 0}));
}

TEST(Shuffle, SeededPermutationAndDisabledShuffling) {
  const auto a = epoch_order(100, 42, 0, true), b = epoch_order(100, 42, 0, true), c = epoch_order(100, 42, 1, true);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  auto sorted = a;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(sorted, epoch_order(100, 42, 0, false));
  EXPECT_NE(a, sorted);
}

}  // namespace
}  // namespace lf::data
