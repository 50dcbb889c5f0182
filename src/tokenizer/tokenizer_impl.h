// The pipeline behind lf::tok::Tokenizer, in Hugging Face order: added tokens
// -> normalizer -> pre_tokenizer -> BPE model -> post-processor; and back
// through the decoder.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "tokenizer/added_vocab.h"
#include "tokenizer/ascii_split.h"
#include "tokenizer/bpe.h"
#include "tokenizer/decoder.h"
#include "tokenizer/normalizer.h"
#include "tokenizer/post_processor.h"
#include "tokenizer/pre_tokenizer.h"
#include "tokenizer/regex.h"
#include "tokenizer/tokenizer.h"

namespace lf::tok {

class TokenizerImpl {
 public:
  // `config` may be null (no tokenizer_config.json).
  TokenizerImpl(const nlohmann::json& tok, const nlohmann::json* config);

  std::vector<int32_t> encode(const std::string& text, bool add_special_tokens, bool split_special_tokens) const;
  std::string decode(const int32_t* ids, size_t n, bool skip_special_tokens) const;

  int32_t token_to_id(std::string_view token) const;
  std::string id_to_token(int32_t id) const;
  int64_t vocab_size() const { return static_cast<int64_t>(id_to_token_.size()); }
  bool is_special(int32_t id) const {
    return id >= 0 && static_cast<size_t>(id) < special_.size() && special_[id];
  }

  SpecialTokens special_tokens;
  std::optional<int32_t> bos_id, eos_id, pad_id;

 private:
  void encode_text(std::string_view text, bool at_start, bool split_special, std::vector<int32_t>& out) const;
  void read_config(const nlohmann::json& config);

  std::unique_ptr<Normalizer> normalizer_;
  std::unique_ptr<PreTokenizer> pre_tokenizer_;
  // Fast path for byte-level BPE (see byte_level_split_pattern), with the
  // ASCII matcher where the pattern is one it knows.
  std::unique_ptr<Regex> byte_level_split_;
  std::unique_ptr<AsciiSplitter> ascii_split_;
  std::unique_ptr<Bpe> model_;
  std::unique_ptr<Decoder> decoder_;
  std::unique_ptr<AddedVocab> added_;
  SpecialAround around_;
  TokenMap added_ids_;                  // content -> id of added tokens
  std::vector<std::string> id_to_token_;
  std::vector<bool> special_;           // per id: an added token marked special
};

}  // namespace lf::tok
