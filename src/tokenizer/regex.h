// Oniguruma regexes, the engine the Hugging Face library compiles its Split
// and Replace patterns with, so lookaheads, (?i:...) groups and \p{..}
// classes mean exactly what they mean there.
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lf::tok {

class Regex {
 public:
  // `what` names the component for error messages ("pre_tokenizer Split").
  Regex(const std::string& pattern, const std::string& what);
  ~Regex();
  Regex(const Regex&) = delete;
  Regex& operator=(const Regex&) = delete;

  // Non-overlapping matches of the pattern in s, left to right, as byte
  // ranges [begin, end). An empty match is reported once and the search moves
  // on by one character, as Rust's onig find_iter does.
  std::vector<std::pair<size_t, size_t>> find_all(std::string_view s) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lf::tok
