#include "data/collator.h"

#include <algorithm>
#include <random>

#include "core/error.h"

namespace lf::data {

Batch collate(const std::vector<const EncodedExample*>& rows, const CollateOptions& options) {
  LF_CHECK(!rows.empty(), "collate: empty batch");
  LF_CHECK(options.pad_to_multiple_of >= 1, "collate: pad_to_multiple_of must be >= 1");
  size_t longest = 0;
  for (const auto* r : rows) {
    LF_CHECK(r->labels.size() == r->input_ids.size(), "collate: labels and input_ids differ in length");
    longest = std::max(longest, r->input_ids.size());
  }
  const auto m = static_cast<size_t>(options.pad_to_multiple_of);
  const size_t seq = (longest + m - 1) / m * m;

  Batch b;
  b.batch_size = static_cast<int64_t>(rows.size());
  b.seq_len = static_cast<int64_t>(seq);
  b.segment_mask = options.segment_mask;
  const int32_t label_pad = options.ignore_pad_token_for_loss ? kIgnoreIndex : options.pad_id;
  b.input_ids.reserve(rows.size() * seq);
  for (const auto* r : rows) {
    const size_t n = r->input_ids.size(), pad = seq - n;
    b.input_ids.insert(b.input_ids.end(), r->input_ids.begin(), r->input_ids.end());
    b.input_ids.insert(b.input_ids.end(), pad, options.pad_id);
    b.labels.insert(b.labels.end(), r->labels.begin(), r->labels.end());
    b.labels.insert(b.labels.end(), pad, label_pad);
    if (!r->segment_ids.empty()) {
      b.attention_mask.insert(b.attention_mask.end(), r->segment_ids.begin(), r->segment_ids.end());
    } else {
      b.attention_mask.insert(b.attention_mask.end(), n, 1);
    }
    b.attention_mask.insert(b.attention_mask.end(), pad, 0);
    if (!r->position_ids.empty()) {
      b.position_ids.insert(b.position_ids.end(), r->position_ids.begin(), r->position_ids.end());
    } else {
      for (size_t p = 0; p < n; ++p) b.position_ids.push_back(static_cast<int32_t>(p));
    }
    b.position_ids.insert(b.position_ids.end(), pad, 0);
  }
  return b;
}

std::vector<size_t> epoch_order(size_t n, uint64_t seed, uint64_t epoch, bool shuffle) {
  std::vector<size_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = i;
  if (!shuffle) return order;
  // Fisher-Yates with an explicit generator so the order is the same with
  // every standard library (std::shuffle's algorithm is unspecified).
  std::mt19937_64 rng(seed * 0x9E3779B97F4A7C15ULL + epoch);
  for (size_t i = n; i > 1; --i) {
    const size_t j = static_cast<size_t>(rng() % i);
    std::swap(order[i - 1], order[j]);
  }
  return order;
}

}  // namespace lf::data
