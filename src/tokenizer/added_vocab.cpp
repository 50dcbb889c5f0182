#include "tokenizer/added_vocab.h"

#include <utf8proc.h>

#include <algorithm>

#include "tokenizer/normalizer.h"
#include "tokenizer/utf8.h"

namespace lf::tok {
namespace {

bool is_word_char(char32_t cp) {
  if (cp == '_') return true;
  const auto cat = utf8proc_category(static_cast<utf8proc_int32_t>(cp));
  return (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO) ||
         (cat >= UTF8PROC_CATEGORY_ND && cat <= UTF8PROC_CATEGORY_NO);
}

char32_t last_codepoint(std::string_view s) {
  size_t i = s.size();
  while (i > 0 && (static_cast<unsigned char>(s[i - 1]) & 0xC0) == 0x80) --i;
  if (i > 0) --i;
  return next_codepoint(s, i);
}

char32_t first_codepoint(std::string_view s) {
  size_t i = 0;
  return next_codepoint(s, i);
}

}  // namespace

AddedVocab::AddedVocab(std::vector<AddedToken> tokens, const Normalizer* normalizer) : tokens_(std::move(tokens)) {
  for (size_t t = 0; t < tokens_.size(); ++t) {
    const AddedToken& tok = tokens_[t];
    if (tok.content.empty()) continue;
    Pass& p = pass_[tok.normalized ? 1 : 0];
    std::string pattern = tok.content;
    if (tok.normalized && normalizer) normalizer->apply(pattern);
    p.patterns.push_back(std::move(pattern));
    p.token.push_back(t);
  }
  for (Pass& p : pass_) {
    for (size_t k = 0; k < p.patterns.size(); ++k)
      if (!p.patterns[k].empty()) p.first[static_cast<unsigned char>(p.patterns[k][0])].push_back(k);
    for (auto& list : p.first)
      std::stable_sort(list.begin(), list.end(),
                       [&](size_t a, size_t b) { return p.patterns[a].size() > p.patterns[b].size(); });
  }
}

std::vector<Segment> AddedVocab::split(std::string_view text, bool normalized_pass, bool split_special) const {
  const Pass& p = pass_[normalized_pass ? 1 : 0];
  std::vector<Segment> out;
  size_t start_offset = 0;  // end of the previous token
  for (size_t i = 0; i < text.size();) {
    const auto& cands = p.first[static_cast<unsigned char>(text[i])];
    const AddedToken* hit = nullptr;
    size_t len = 0;
    for (size_t k : cands) {
      const std::string& pat = p.patterns[k];
      const AddedToken& tok = tokens_[p.token[k]];
      if (split_special && tok.special) continue;
      if (text.compare(i, pat.size(), pat) != 0) continue;
      hit = &tok;
      len = pat.size();
      break;
    }
    if (!hit) {
      ++i;
      continue;
    }
    size_t b = i, e = i + len;
    if (hit->single_word) {
      // Only a whole word counts: no word character right before or after.
      const bool left_ok = b == 0 || !is_word_char(last_codepoint(text.substr(0, b)));
      const bool right_ok = e == text.size() || !is_word_char(first_codepoint(text.substr(e)));
      if (!left_ok || !right_ok) {
        ++i;
        continue;
      }
    }
    if (hit->lstrip) {
      // Swallow the whitespace before the token, but not past the previous one.
      size_t nb = b;
      while (nb > start_offset) {
        size_t k = nb - 1;
        while (k > 0 && (static_cast<unsigned char>(text[k]) & 0xC0) == 0x80) --k;
        size_t tmp = k;
        if (!is_unicode_whitespace(next_codepoint(text, tmp))) break;
        nb = k;
      }
      b = nb;
    }
    if (hit->rstrip) {
      while (e < text.size()) {
        size_t tmp = e;
        if (!is_unicode_whitespace(next_codepoint(text, tmp))) break;
        e = tmp;
      }
    }
    if (b > start_offset) out.push_back({start_offset, b, -1});
    out.push_back({b, e, hit->id});
    start_offset = e;
    i = e;
  }
  if (start_offset < text.size() || out.empty()) out.push_back({start_offset, text.size(), -1});
  return out;
}

}  // namespace lf::tok
