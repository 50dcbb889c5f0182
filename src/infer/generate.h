// Autoregressive generation for one sequence: prefill the prompt into a KV
// cache, then decode one token at a time until a stop token, max_new_tokens or
// the model's context length. The callback sees each token as it is made
// (streaming) and may stop generation early.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "models/decoder.h"
#include "ops/ops.h"

namespace lf::infer {

struct GenerateOptions {
  ops::SamplingParams sampling;
  int64_t max_new_tokens = 1024;
  std::vector<int32_t> stop_ids;  // eos ∪ the template's stop words
  uint64_t seed = 0;
};

struct GenerateResult {
  std::vector<int32_t> ids;        // generated, without the stop token
  std::string finish_reason;       // "stop" or "length"
  int64_t prompt_tokens = 0;
};

// on_token returns false to stop early (finish_reason "stop").
GenerateResult generate(const models::Decoder& model, const std::vector<int32_t>& prompt,
                        const GenerateOptions& options,
                        const std::function<bool(int32_t)>& on_token = {});

// LLaMA-Factory's generation rules on top of the raw settings: temperature 0
// means greedy; do_sample false ignores temperature and top_p.
ops::SamplingParams effective_sampling(ops::SamplingParams p);

}  // namespace lf::infer
