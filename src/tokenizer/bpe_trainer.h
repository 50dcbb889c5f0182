// Trains a byte-level BPE tokenizer (the Qwen2 pre-tokenizer regex, NFC,
// ByteLevel decoder) and writes it as Hugging Face tokenizer.json +
// tokenizer_config.json. Used to make the repository's demo tokenizer
// (examples/demo_tokenizer, `llamafactory-cli train-tokenizer`).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace lf::tok {

struct BpeTrainerOptions {
  size_t vocab_size = 4000;    // including the 256 byte tokens and the special tokens
  int64_t min_frequency = 2;   // a pair seen fewer times is never merged
  std::vector<std::string> special_tokens = {"<|endoftext|>", "<|im_start|>", "<|im_end|>"};
  std::string eos_token = "<|im_end|>";
  std::string pad_token = "<|endoftext|>";
  size_t model_max_length = 32768;
};

struct TrainedTokenizer {
  std::string tokenizer_json;
  std::string tokenizer_config_json;
  size_t vocab_size = 0;  // including special tokens
  size_t merges = 0;
};

// Deterministic: the same texts and options give byte-identical files.
TrainedTokenizer train_bpe(const std::vector<std::string>& texts, const BpeTrainerOptions& options);

}  // namespace lf::tok
