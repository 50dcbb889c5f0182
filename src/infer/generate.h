// A request's generation settings and LLaMA-Factory's rules for them. The
// generation itself (prefill, decode, stop ids, max_new_tokens, sampling) is
// the batching engine's (infer/batch_engine.h).
#pragma once
#include <cstdint>
#include <vector>

#include "ops/ops.h"

namespace lf::infer {

struct GenerateOptions {
  ops::SamplingParams sampling;
  int64_t max_new_tokens = 1024;
  std::vector<int32_t> stop_ids;  // eos ∪ the template's stop words
  uint64_t seed = 0;
};

// LLaMA-Factory's generation rules on top of the raw settings: temperature 0
// means greedy; do_sample false ignores temperature and top_p.
ops::SamplingParams effective_sampling(ops::SamplingParams p);

}  // namespace lf::infer
