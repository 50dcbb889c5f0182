// A Hugging Face tokenizer loaded from tokenizer.json (+ tokenizer_config.json
// beside it). The public surface used by data/, infer/ and the CLI.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace lf::tok {

struct SpecialTokens {
  std::optional<std::string> bos, eos, pad, unk;
  bool add_bos_token = false;  // from tokenizer_config.json (Llama 2/3: true)
  bool add_eos_token = false;
  std::string chat_template;   // kept for export; templates come from data/
};

class TokenizerImpl;

class Tokenizer {
 public:
  // `path` is a directory holding tokenizer.json, or the tokenizer.json file itself.
  static Tokenizer load(const std::string& path);
  // From the text of tokenizer.json and (optionally) tokenizer_config.json.
  static Tokenizer from_json(const std::string& tokenizer_json,
                             const std::string& tokenizer_config_json = "");

  // add_special_tokens: prepend bos / append eos as the config says (the
  // post-processor's job in Hugging Face). split_special_tokens=false means added
  // special tokens written in the text are recognised as single tokens.
  std::vector<int32_t> encode(const std::string& text, bool add_special_tokens = false,
                              bool split_special_tokens = false) const;
  std::string decode(const std::vector<int32_t>& ids, bool skip_special_tokens = false) const;

  int32_t token_to_id(const std::string& token) const;  // -1 when absent
  std::string id_to_token(int32_t id) const;           // "" when out of range
  int64_t vocab_size() const;                           // including added tokens
  bool is_special(int32_t id) const;

  const SpecialTokens& special() const;
  std::optional<int32_t> bos_id() const;
  std::optional<int32_t> eos_id() const;
  std::optional<int32_t> pad_id() const;

  std::shared_ptr<const TokenizerImpl> impl() const { return impl_; }

 private:
  std::shared_ptr<const TokenizerImpl> impl_;
};

// Streaming detokeniser: feed ids one at a time, get back only complete UTF-8
// text (never half a character), as a server streams it.
class IncrementalDecoder {
 public:
  IncrementalDecoder(const Tokenizer& tok, bool skip_special_tokens = true);
  std::string push(int32_t id);
  std::string flush();  // whatever is left, invalid bytes replaced by U+FFFD

 private:
  const Tokenizer* tok_;
  bool skip_special_;
  std::vector<int32_t> ids_;
  size_t prefix_ = 0;  // first id of the decode window (one before read_)
  size_t read_ = 0;    // ids before this one have been emitted
};

}  // namespace lf::tok
