// Turning converted examples into input_ids / labels: supervised (sft) and
// pre-training (pt), LLaMA-Factory's rules.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "data/example.h"
#include "data/template.h"

namespace lf::data {

struct SupervisedOptions {
  int64_t cutoff_len = 2048;
  bool train_on_prompt = false;
  bool mask_history = false;
};

// LLaMA-Factory's infer_seqlen: how much of a (source, target) pair fits in
// `cutoff_len`, favouring a short target. Returns (source_len, target_len).
std::pair<int64_t, int64_t> infer_seqlen(int64_t source_len, int64_t target_len, int64_t cutoff_len);

// "" when the example can be trained on by sft, else why not (the prompt
// needs an odd number of messages and there must be exactly one response).
std::string supervised_invalid_reason(const Example& example);

// input_ids and labels (-100 on prompt tokens) of one conversation, each
// turn truncated by infer_seqlen within cutoff_len.
EncodedExample encode_supervised(const ChatTemplate& tmpl, const Example& example, const SupervisedOptions& options);

// Pre-training: each text + the template's eos text. Without packing every
// text is one example truncated to cutoff_len (bos first when the tokenizer
// adds one); with packing all texts are concatenated and cut into blocks of
// exactly cutoff_len, the remainder dropped, bos forced at each block start.
// Labels equal input_ids.
std::vector<EncodedExample> encode_pretrain(const ChatTemplate& tmpl, const std::vector<std::string>& texts,
                                            int64_t cutoff_len, bool packing);

}  // namespace lf::data
