#include "tokenizer/tokenizer_impl.h"
#include "tokenizer/utf8.h"

namespace lf::tok {
namespace {

bool ends_with_replacement(const std::string& s) {
  return s.size() >= 3 && s.compare(s.size() - 3, 3, "\xEF\xBF\xBD") == 0;
}

}  // namespace

IncrementalDecoder::IncrementalDecoder(const Tokenizer& tok, bool skip_special_tokens)
    : tok_(&tok), skip_special_(skip_special_tokens) {}

// Decodes a window that starts one token before the unread ids, so decoders
// that treat the first token specially (Metaspace, Strip) see the same first
// token in both decodes, and emits what the new ids added. A window ending in
// U+FFFD may be a character cut in half: hold it until more bytes arrive.
std::string IncrementalDecoder::push(int32_t id) {
  if (skip_special_ && tok_->is_special(id)) return "";
  ids_.push_back(id);
  const TokenizerImpl& impl = *tok_->impl();
  const std::string before = impl.decode(ids_.data() + prefix_, read_ - prefix_, skip_special_);
  const std::string now = impl.decode(ids_.data() + prefix_, ids_.size() - prefix_, skip_special_);
  if (now.size() <= before.size() || ends_with_replacement(now)) return "";
  prefix_ = read_;
  read_ = ids_.size();
  return now.substr(before.size());
}

std::string IncrementalDecoder::flush() {
  if (read_ == ids_.size()) return "";
  const TokenizerImpl& impl = *tok_->impl();
  const std::string before = impl.decode(ids_.data() + prefix_, read_ - prefix_, skip_special_);
  const std::string now = impl.decode(ids_.data() + prefix_, ids_.size() - prefix_, skip_special_);
  prefix_ = read_;
  read_ = ids_.size();
  return now.size() > before.size() ? now.substr(before.size()) : std::string();
}

}  // namespace lf::tok
