// What templates and encoders need from a tokenizer. TokenizerVocab adapts
// lf::tok::Tokenizer; tests can supply small hand-checkable vocabularies.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace lf::tok {
class Tokenizer;
}

namespace lf::data {

class Vocab {
 public:
  virtual ~Vocab() = default;
  // Text to ids without adding bos/eos; special tokens written in the text
  // are single ids (Hugging Face's add_special_tokens=False).
  virtual std::vector<int32_t> encode(const std::string& text) const = 0;
  virtual int32_t token_to_id(const std::string& token) const = 0;  // -1 when absent
  virtual std::optional<int32_t> bos_id() const = 0;
  virtual std::optional<int32_t> eos_id() const = 0;
  virtual std::optional<int32_t> pad_id() const = 0;
  virtual std::optional<std::string> eos_token() const = 0;
  virtual bool add_bos_token() const = 0;       // tokenizer_config.json's add_bos_token
  virtual bool has_chat_template() const = 0;   // tokenizer_config.json carries one
};

// Borrows `tok`, which must outlive the returned object.
std::unique_ptr<Vocab> tokenizer_vocab(const tok::Tokenizer& tok);

}  // namespace lf::data
