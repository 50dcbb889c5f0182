#include "tokenizer/normalizer.h"

#include <utf8proc.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <vector>

#include "core/error.h"
#include "tokenizer/pattern.h"
#include "tokenizer/utf8.h"

namespace lf::tok {
namespace {

using nlohmann::json;

// True when every character is one that the normalisation form cannot
// change, alone or next to others. ASCII is stable in all four forms; for
// NFC/NFD (`canonical`) also CJK ideographs, CJK and general punctuation and
// fullwidth forms: none has a canonical decomposition and none is the second
// half of a composition. Real English and Chinese text is nearly always made
// only of these, so the library call is skipped.
bool is_normalization_stable(const std::string& s, bool canonical) {
  for (size_t i = 0; i < s.size();) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    if (!canonical || utf8_len(static_cast<unsigned char>(s[i])) > s.size() - i) return false;
    const char32_t cp = next_codepoint(s, i);
    const bool stable = (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3000 && cp <= 0x3029) ||
                        (cp >= 0x2010 && cp <= 0x2027) || (cp >= 0xFF01 && cp <= 0xFF5E);
    if (!stable) return false;
  }
  return true;
}

class UnicodeForm : public Normalizer {
 public:
  UnicodeForm(utf8proc_option_t options, bool canonical) : options_(options), canonical_(canonical) {}
  void apply(std::string& text) const override {
    if (is_normalization_stable(text, canonical_)) return;
    utf8proc_uint8_t* out = nullptr;
    const auto n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(text.data()),
                                static_cast<utf8proc_ssize_t>(text.size()), &out,
                                static_cast<utf8proc_option_t>(options_ | UTF8PROC_STABLE));
    LF_CHECK(n >= 0, "normalizer: utf8proc failed: ", utf8proc_errmsg(n));
    text.assign(reinterpret_cast<char*>(out), static_cast<size_t>(n));
    std::free(out);
  }

 private:
  utf8proc_option_t options_;
  bool canonical_;  // NFC/NFD rather than NFKC/NFKD
};

class Lowercase : public Normalizer {
 public:
  void apply(std::string& text) const override {
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size();)
      append_utf8(out, static_cast<char32_t>(utf8proc_tolower(static_cast<utf8proc_int32_t>(next_codepoint(text, i)))));
    text = std::move(out);
  }
};

class Prepend : public Normalizer {
 public:
  explicit Prepend(std::string p) : p_(std::move(p)) {}
  void apply(std::string& text) const override {
    if (!text.empty()) text.insert(0, p_);  // HF leaves empty strings alone
  }

 private:
  std::string p_;
};

class Replace : public Normalizer {
 public:
  Replace(const json& pattern, std::string content)
      : pattern_(pattern, "normalizer Replace"), content_(std::move(content)) {}
  void apply(std::string& text) const override { text = pattern_.replace_all(text, content_); }

 private:
  Pattern pattern_;
  std::string content_;
};

class Strip : public Normalizer {
 public:
  Strip(bool left, bool right) : left_(left), right_(right) {}
  void apply(std::string& text) const override {
    std::vector<std::pair<size_t, char32_t>> cps;
    for (size_t i = 0; i < text.size();) {
      const size_t at = i;
      cps.emplace_back(at, next_codepoint(text, i));
    }
    size_t b = 0, e = cps.size();
    if (left_)
      while (b < e && is_unicode_whitespace(cps[b].second)) ++b;
    if (right_)
      while (e > b && is_unicode_whitespace(cps[e - 1].second)) --e;
    const size_t from = b < cps.size() ? cps[b].first : text.size();
    const size_t to = e < cps.size() ? cps[e].first : text.size();
    text = text.substr(from, to - from);
  }

 private:
  bool left_, right_;
};

class Sequence : public Normalizer {
 public:
  explicit Sequence(std::vector<std::unique_ptr<Normalizer>> parts) : parts_(std::move(parts)) {}
  void apply(std::string& text) const override {
    for (const auto& p : parts_) p->apply(text);
  }

 private:
  std::vector<std::unique_ptr<Normalizer>> parts_;
};

}  // namespace

std::unique_ptr<Normalizer> make_normalizer(const json& j) {
  if (j.is_null()) return nullptr;
  LF_CHECK(j.is_object() && j.contains("type"), "tokenizer.json: normalizer must be an object with a \"type\", got ",
           j.dump().substr(0, 200));
  const std::string type = j["type"].get<std::string>();
  if (type == "NFC") return std::make_unique<UnicodeForm>(UTF8PROC_COMPOSE, true);
  if (type == "NFD") return std::make_unique<UnicodeForm>(UTF8PROC_DECOMPOSE, true);
  if (type == "NFKC") return std::make_unique<UnicodeForm>(static_cast<utf8proc_option_t>(UTF8PROC_COMPOSE | UTF8PROC_COMPAT), false);
  if (type == "NFKD") return std::make_unique<UnicodeForm>(static_cast<utf8proc_option_t>(UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT), false);
  if (type == "Lowercase") return std::make_unique<Lowercase>();
  if (type == "Prepend") return std::make_unique<Prepend>(j.at("prepend").get<std::string>());
  if (type == "Replace") return std::make_unique<Replace>(j.at("pattern"), j.at("content").get<std::string>());
  if (type == "Strip") return std::make_unique<Strip>(j.value("strip_left", true), j.value("strip_right", true));
  if (type == "Sequence") {
    std::vector<std::unique_ptr<Normalizer>> parts;
    for (const auto& n : j.at("normalizers"))
      if (auto p = make_normalizer(n)) parts.push_back(std::move(p));
    return std::make_unique<Sequence>(std::move(parts));
  }
  fail("tokenizer.json: normalizer \"", type,
       "\" is not supported (supported: NFC, NFD, NFKC, NFKD, Lowercase, Prepend, Replace, Strip, Sequence)");
}

}  // namespace lf::tok
