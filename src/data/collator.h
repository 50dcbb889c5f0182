// Batches of encoded examples as plain int vectors + shape; the trainer turns
// them into tensors. Right padding to the longest row, rounded up to a
// multiple of pad_to_multiple_of (8 in training, as LLaMA-Factory's collator).
#pragma once
#include <cstdint>
#include <vector>

#include "data/example.h"

namespace lf::data {

struct Batch {
  int64_t batch_size = 0;
  int64_t seq_len = 0;
  // Row-major [batch_size, seq_len].
  std::vector<int32_t> input_ids;
  std::vector<int32_t> labels;          // -100 where no loss is taken
  // 1 = token, 0 = padding; with segment_mask, the segment id of each token
  // (1, 2, 3, ... per packed example, 0 = padding): attention stays inside
  // equal non-zero ids.
  std::vector<int32_t> attention_mask;
  std::vector<int32_t> position_ids;    // restart per packed example
  bool segment_mask = false;
};

struct CollateOptions {
  int32_t pad_id = 0;
  int64_t pad_to_multiple_of = 8;
  bool ignore_pad_token_for_loss = true;  // pad labels with -100, else with pad_id
  bool segment_mask = false;              // neat packing
};

Batch collate(const std::vector<const EncodedExample*>& rows, const CollateOptions& options);

// The order in which an epoch visits n examples: a permutation seeded by
// (seed, epoch), or 0..n-1 when shuffle is false (disable_shuffling).
std::vector<size_t> epoch_order(size_t n, uint64_t seed, uint64_t epoch, bool shuffle);

}  // namespace lf::data
