// Packing supervised examples into sequences of cutoff_len + 1 tokens
// (LLaMA-Factory's PackedSupervisedDatasetProcessor).
#pragma once
#include <cstdint>
#include <vector>

#include "data/example.h"

namespace lf::data {

// Greedy knapsack: sort lengths ascending, then fill each knapsack by
// repeatedly taking the largest length that still fits. Returns the lengths
// of each knapsack in the order they were taken.
std::vector<std::vector<int64_t>> greedy_knapsack(std::vector<int64_t> lengths, int64_t capacity);

struct PackingResult {
  std::vector<EncodedExample> packs;
  size_t dropped_too_long = 0;  // examples longer than cutoff_len
};

// Packs `examples` (input_ids / labels only). Each pack holds whole examples;
// position ids restart at 0 per example; segment ids are 1, 2, 3, ... per
// example with neat_packing (0 on padding), all 1 otherwise; every pack is
// padded with pad_id / -100 / position 0 to exactly cutoff_len + 1 tokens.
PackingResult pack_examples(std::vector<EncodedExample> examples, int64_t cutoff_len, int32_t pad_id,
                            bool neat_packing);

}  // namespace lf::data
