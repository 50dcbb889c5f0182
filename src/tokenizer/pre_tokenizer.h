// tokenizer.json "pre_tokenizer": cuts normalised text into words that the
// model encodes one by one (and may rewrite them, as ByteLevel does).
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace lf::tok {

class PreTokenizer {
 public:
  virtual ~PreTokenizer() = default;
  // Rewrites `pieces` in place. `at_text_start`: pieces[0] begins at offset 0
  // of the caller's original text (Metaspace's prepend_scheme "first").
  virtual void apply(std::vector<std::string>& pieces, bool at_text_start) const = 0;
};

// The byte-level pre-tokenizers of GPT-2, Llama 3 and Qwen amount to "cut at
// the matches of one regex, keep everything (Isolated), then spell bytes as
// characters". For those this returns the regex pattern, so the tokenizer can
// hand byte ranges straight to the model (Bpe::encode_raw_bytes); else
// nothing.
std::optional<std::string> byte_level_split_pattern(const nlohmann::json& j);

// nullptr for a JSON null. Supported: Split, ByteLevel, Metaspace, Digits,
// Sequence; anything else is an lf::Error naming it.
std::unique_ptr<PreTokenizer> make_pre_tokenizer(const nlohmann::json& j);

}  // namespace lf::tok
