// The {"String": ...} / {"Regex": ...} pattern objects of tokenizer.json,
// shared by the Replace normalizer, the Replace decoder and Split.
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "tokenizer/regex.h"

namespace lf::tok {

class Pattern {
 public:
  Pattern(const nlohmann::json& j, const std::string& what);
  std::vector<std::pair<size_t, size_t>> find_all(std::string_view s) const;
  // Every match replaced by `content`.
  std::string replace_all(std::string_view s, std::string_view content) const;

 private:
  std::string literal_;
  std::unique_ptr<Regex> regex_;  // set for {"Regex": ...}
};

}  // namespace lf::tok
