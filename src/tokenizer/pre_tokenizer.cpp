#include "tokenizer/pre_tokenizer.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string_view>
#include <utility>

#include "core/error.h"
#include "tokenizer/byte_level.h"
#include "tokenizer/pattern.h"

namespace lf::tok {
namespace {

using nlohmann::json;

enum class Behavior { Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous };

Behavior parse_behavior(const std::string& s) {
  if (s == "Removed") return Behavior::Removed;
  if (s == "Isolated") return Behavior::Isolated;
  if (s == "MergedWithPrevious") return Behavior::MergedWithPrevious;
  if (s == "MergedWithNext") return Behavior::MergedWithNext;
  if (s == "Contiguous") return Behavior::Contiguous;
  fail("tokenizer.json: pre_tokenizer Split behavior \"", s,
       "\" is unknown (Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous)");
}

struct Span {
  size_t b, e;
  bool is_match;
};

// The Hugging Face split semantics: the text as alternating gaps and matches,
// then combined by `behavior`; empty pieces are dropped.
void split_text(const std::string& text, const std::vector<std::pair<size_t, size_t>>& matches, bool invert,
                Behavior behavior, std::vector<std::string>& out) {
  std::vector<Span> spans;
  size_t prev = 0;
  for (auto [b, e] : matches) {
    if (b > prev) spans.push_back({prev, b, invert});
    spans.push_back({b, e, !invert});
    prev = e;
  }
  if (prev < text.size() || spans.empty()) spans.push_back({prev, text.size(), invert});

  std::vector<std::pair<size_t, size_t>> pieces;
  bool previous_match = false;
  switch (behavior) {
    case Behavior::Removed:
      for (const Span& s : spans)
        if (!s.is_match) pieces.emplace_back(s.b, s.e);
      break;
    case Behavior::Isolated:
      for (const Span& s : spans) pieces.emplace_back(s.b, s.e);
      break;
    case Behavior::MergedWithPrevious:
      for (const Span& s : spans) {
        if (s.is_match && !previous_match && !pieces.empty())
          pieces.back().second = s.e;
        else
          pieces.emplace_back(s.b, s.e);
        previous_match = s.is_match;
      }
      break;
    case Behavior::MergedWithNext:
      for (auto it = spans.rbegin(); it != spans.rend(); ++it) {
        if (it->is_match && !previous_match && !pieces.empty())
          pieces.back().first = it->b;
        else
          pieces.emplace_back(it->b, it->e);
        previous_match = it->is_match;
      }
      std::reverse(pieces.begin(), pieces.end());
      break;
    case Behavior::Contiguous:
      for (size_t i = 0; i < spans.size(); ++i) {
        if (i > 0 && spans[i].is_match == previous_match)
          pieces.back().second = spans[i].e;
        else
          pieces.emplace_back(spans[i].b, spans[i].e);
        previous_match = spans[i].is_match;
      }
      break;
  }
  for (auto [b, e] : pieces)
    if (e > b) out.emplace_back(text, b, e - b);
}

class Split : public PreTokenizer {
 public:
  Split(const json& pattern, Behavior behavior, bool invert)
      : pattern_(pattern, "pre_tokenizer Split"), behavior_(behavior), invert_(invert) {}
  void apply(std::vector<std::string>& pieces, bool) const override {
    std::vector<std::string> out;
    out.reserve(pieces.size() * 4);
    for (const std::string& p : pieces) split_text(p, pattern_.find_all(p), invert_, behavior_, out);
    pieces = std::move(out);
  }

 private:
  Pattern pattern_;
  Behavior behavior_;
  bool invert_;
};

// GPT-2's own pattern, which ByteLevel applies when use_regex is true.
constexpr const char* kGpt2Pattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

class ByteLevel : public PreTokenizer {
 public:
  ByteLevel(bool add_prefix_space, bool use_regex) : add_prefix_space_(add_prefix_space) {
    if (use_regex) regex_ = std::make_unique<Regex>(kGpt2Pattern, "pre_tokenizer ByteLevel");
  }
  void apply(std::vector<std::string>& pieces, bool) const override {
    std::vector<std::string> split;
    for (std::string& p : pieces) {
      if (add_prefix_space_ && (p.empty() || p[0] != ' ')) p.insert(p.begin(), ' ');
      if (regex_)
        split_text(p, regex_->find_all(p), false, Behavior::Isolated, split);
      else if (!p.empty())
        split.push_back(std::move(p));
    }
    pieces.clear();
    for (const std::string& p : split) {
      std::string chars;
      chars.reserve(p.size() * 2);
      bytes_to_chars(p, chars);
      pieces.push_back(std::move(chars));
    }
  }

 private:
  bool add_prefix_space_;
  std::unique_ptr<Regex> regex_;
};

enum class PrependScheme { Always, Never, First };

class Metaspace : public PreTokenizer {
 public:
  Metaspace(std::string replacement, PrependScheme scheme, bool split)
      : rep_(std::move(replacement)), scheme_(scheme), split_(split) {}
  void apply(std::vector<std::string>& pieces, bool at_text_start) const override {
    std::vector<std::string> out;
    for (size_t i = 0; i < pieces.size(); ++i) {
      std::string s;
      for (char c : pieces[i]) {
        if (c == ' ')
          s += rep_;
        else
          s += c;
      }
      const bool starts = s.compare(0, rep_.size(), rep_) == 0;
      if (!starts && (scheme_ == PrependScheme::Always || (scheme_ == PrependScheme::First && i == 0 && at_text_start)))
        s.insert(0, rep_);
      if (!split_) {
        if (!s.empty()) out.push_back(std::move(s));
        continue;
      }
      // Split before every replacement character (MergedWithNext).
      size_t start = 0;
      for (size_t p = s.find(rep_, 1); p != std::string::npos; p = s.find(rep_, p + rep_.size())) {
        out.push_back(s.substr(start, p - start));
        start = p;
      }
      if (start < s.size()) out.push_back(s.substr(start));
    }
    pieces = std::move(out);
  }

 private:
  std::string rep_;
  PrependScheme scheme_;
  bool split_;
};

class Sequence : public PreTokenizer {
 public:
  explicit Sequence(std::vector<std::unique_ptr<PreTokenizer>> parts) : parts_(std::move(parts)) {}
  void apply(std::vector<std::string>& pieces, bool at_text_start) const override {
    for (const auto& p : parts_) p->apply(pieces, at_text_start);
  }

 private:
  std::vector<std::unique_ptr<PreTokenizer>> parts_;
};

PrependScheme metaspace_scheme(const json& j) {
  if (j.contains("prepend_scheme")) {
    const std::string s = j["prepend_scheme"].get<std::string>();
    if (s == "always") return PrependScheme::Always;
    if (s == "never") return PrependScheme::Never;
    if (s == "first") return PrependScheme::First;
    fail("tokenizer.json: Metaspace prepend_scheme \"", s, "\" is unknown (always, never, first)");
  }
  // Files written before prepend_scheme existed carry add_prefix_space.
  return j.value("add_prefix_space", true) ? PrependScheme::Always : PrependScheme::Never;
}

bool is_plain_byte_level(const json& j, bool with_regex) {
  return j.is_object() && j.value("type", std::string()) == "ByteLevel" && !j.value("add_prefix_space", true) &&
         j.value("use_regex", true) == with_regex;
}

}  // namespace

std::optional<std::string> byte_level_split_pattern(const json& j) {
  if (is_plain_byte_level(j, true)) return kGpt2Pattern;
  if (!j.is_object() || j.value("type", std::string()) != "Sequence" || !j.contains("pretokenizers"))
    return std::nullopt;
  const json& parts = j["pretokenizers"];
  if (parts.size() != 2 || !is_plain_byte_level(parts[1], false)) return std::nullopt;
  const json& split = parts[0];
  if (split.value("type", std::string()) != "Split" || split.value("behavior", std::string()) != "Isolated" ||
      split.value("invert", false) || !split.contains("pattern") || !split["pattern"].contains("Regex"))
    return std::nullopt;
  return split["pattern"]["Regex"].get<std::string>();
}

std::unique_ptr<PreTokenizer> make_pre_tokenizer(const json& j) {
  if (j.is_null()) return nullptr;
  LF_CHECK(j.is_object() && j.contains("type"), "tokenizer.json: pre_tokenizer must be an object with a \"type\"");
  const std::string type = j["type"].get<std::string>();
  if (type == "Split")
    return std::make_unique<Split>(j.at("pattern"), parse_behavior(j.at("behavior").get<std::string>()),
                                   j.value("invert", false));
  if (type == "ByteLevel")
    return std::make_unique<ByteLevel>(j.value("add_prefix_space", true), j.value("use_regex", true));
  if (type == "Metaspace")
    return std::make_unique<Metaspace>(j.value("replacement", std::string("\xE2\x96\x81")), metaspace_scheme(j),
                                       j.value("split", true));
  if (type == "Digits") {
    // char::is_numeric is \p{N}: digits alone, or runs of them.
    const json pattern = {{"Regex", j.value("individual_digits", false) ? "\\p{N}" : "\\p{N}+"}};
    return std::make_unique<Split>(pattern, Behavior::Isolated, false);
  }
  if (type == "Sequence") {
    std::vector<std::unique_ptr<PreTokenizer>> parts;
    for (const auto& p : j.at("pretokenizers"))
      if (auto q = make_pre_tokenizer(p)) parts.push_back(std::move(q));
    return std::make_unique<Sequence>(std::move(parts));
  }
  fail("tokenizer.json: pre_tokenizer \"", type,
       "\" is not supported (supported: Split, ByteLevel, Metaspace, Digits, Sequence)");
}

}  // namespace lf::tok
