#include "data/vocab.h"
#include "tokenizer/tokenizer.h"

namespace lf::data {
namespace {

class TokenizerVocab final : public Vocab {
 public:
  explicit TokenizerVocab(const tok::Tokenizer& tok) : tok_(tok) {}
  std::vector<int32_t> encode(const std::string& text) const override { return tok_.encode(text, false, false); }
  int32_t token_to_id(const std::string& token) const override { return tok_.token_to_id(token); }
  std::optional<int32_t> bos_id() const override { return tok_.bos_id(); }
  std::optional<int32_t> eos_id() const override { return tok_.eos_id(); }
  std::optional<int32_t> pad_id() const override { return tok_.pad_id(); }
  std::optional<std::string> eos_token() const override { return tok_.special().eos; }
  bool add_bos_token() const override { return tok_.special().add_bos_token; }
  bool has_chat_template() const override { return !tok_.special().chat_template.empty(); }

 private:
  const tok::Tokenizer& tok_;
};

}  // namespace

std::unique_ptr<Vocab> tokenizer_vocab(const tok::Tokenizer& tok) { return std::make_unique<TokenizerVocab>(tok); }

}  // namespace lf::data
