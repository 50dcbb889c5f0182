// A hand-written matcher for the Llama 3 and Qwen2 pre-tokenizer regexes on
// pure-ASCII text. Oniguruma pays a heap allocation and a 4 KB copy for every
// search (one per word); on ASCII the classes \p{L}, \p{N}, \s are trivial,
// so this gives the same matches far faster. Any other pattern or any
// non-ASCII text goes to Oniguruma. Equality with Oniguruma is tested on
// random strings (tests/tokenizer/test_ascii_split.cpp).
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lf::tok {

class AsciiSplitter {
 public:
  // nullptr unless `pattern` is exactly one of the patterns this knows.
  static std::unique_ptr<AsciiSplitter> for_pattern(const std::string& pattern);

  // The matches of the pattern in `s`, which must be ASCII only.
  std::vector<std::pair<size_t, size_t>> find_all(std::string_view s) const;

 private:
  explicit AsciiSplitter(size_t max_digits) : max_digits_(max_digits) {}
  size_t match_at(std::string_view s, size_t i) const;  // end of the match at i
  size_t max_digits_;  // \p{N}{1,3} (Llama 3) or \p{N} (Qwen2)
};

}  // namespace lf::tok
