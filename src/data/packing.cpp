#include "data/packing.h"

#include <algorithm>
#include <map>

#include "core/error.h"

namespace lf::data {

std::vector<std::vector<int64_t>> greedy_knapsack(std::vector<int64_t> lengths, int64_t capacity) {
  std::sort(lengths.begin(), lengths.end());
  std::vector<std::vector<int64_t>> knapsacks;
  while (!lengths.empty()) {
    std::vector<int64_t> knapsack;
    int64_t remaining = capacity;
    while (true) {
      // The last position whose length is <= remaining (bisect_right - 1).
      auto it = std::upper_bound(lengths.begin(), lengths.end(), remaining);
      if (it == lengths.begin()) break;
      --it;
      remaining -= *it;
      knapsack.push_back(*it);
      lengths.erase(it);
    }
    // Only a length above capacity can leave a knapsack empty; callers drop
    // those first, so stop instead of looping forever.
    if (knapsack.empty()) break;
    knapsacks.push_back(std::move(knapsack));
  }
  return knapsacks;
}

PackingResult pack_examples(std::vector<EncodedExample> examples, int64_t cutoff_len, int32_t pad_id,
                            bool neat_packing) {
  PackingResult result;
  std::vector<int64_t> lengths;
  std::map<int64_t, std::vector<size_t>> by_length;  // length -> indexes, taken from the back
  std::vector<EncodedExample> kept;
  for (auto& ex : examples) {
    const auto length = static_cast<int64_t>(ex.input_ids.size());
    if (length > cutoff_len) {
      ++result.dropped_too_long;
      continue;
    }
    lengths.push_back(length);
    by_length[length].push_back(kept.size());
    kept.push_back(std::move(ex));
  }

  const size_t total = static_cast<size_t>(cutoff_len) + 1;
  for (const auto& knapsack : greedy_knapsack(lengths, cutoff_len)) {
    EncodedExample pack;
    pack.input_ids.reserve(total);
    int32_t segment = 0;
    for (const int64_t length : knapsack) {
      auto& slot = by_length[length];
      EncodedExample& ex = kept[slot.back()];
      slot.pop_back();
      ++segment;
      pack.input_ids.insert(pack.input_ids.end(), ex.input_ids.begin(), ex.input_ids.end());
      pack.labels.insert(pack.labels.end(), ex.labels.begin(), ex.labels.end());
      for (int32_t p = 0; p < static_cast<int32_t>(length); ++p) pack.position_ids.push_back(p);
      pack.segment_ids.insert(pack.segment_ids.end(), static_cast<size_t>(length), neat_packing ? segment : 1);
    }
    const size_t pad = total - pack.input_ids.size();
    pack.input_ids.insert(pack.input_ids.end(), pad, pad_id);
    pack.labels.insert(pack.labels.end(), pad, kIgnoreIndex);
    pack.position_ids.insert(pack.position_ids.end(), pad, 0);
    // Plain packing marks padding 1 as LLaMA-Factory does (flash-attention
    // friendly); its labels are -100 either way.
    pack.segment_ids.insert(pack.segment_ids.end(), pad, neat_packing ? 0 : 1);
    LF_CHECK(pack.input_ids.size() == total, "packed length ", pack.input_ids.size(), " != cutoff_len + 1");
    result.packs.push_back(std::move(pack));
  }
  return result;
}

}  // namespace lf::data
