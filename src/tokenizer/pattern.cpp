#include "tokenizer/pattern.h"

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace lf::tok {

Pattern::Pattern(const nlohmann::json& j, const std::string& what) {
  if (j.is_object() && j.contains("String") && j["String"].is_string()) {
    literal_ = j["String"].get<std::string>();
    LF_CHECK(!literal_.empty(), what, ": empty String pattern in tokenizer.json");
  } else if (j.is_object() && j.contains("Regex") && j["Regex"].is_string()) {
    regex_ = std::make_unique<Regex>(j["Regex"].get<std::string>(), what);
  } else {
    fail(what, ": pattern must be {\"String\": ...} or {\"Regex\": ...}, got ", j.dump());
  }
}

std::vector<std::pair<size_t, size_t>> Pattern::find_all(std::string_view s) const {
  if (regex_) return regex_->find_all(s);
  std::vector<std::pair<size_t, size_t>> out;
  for (size_t p = s.find(literal_); p != std::string_view::npos; p = s.find(literal_, p + literal_.size()))
    out.emplace_back(p, p + literal_.size());
  return out;
}

std::string Pattern::replace_all(std::string_view s, std::string_view content) const {
  std::string out;
  out.reserve(s.size());
  size_t prev = 0;
  for (auto [b, e] : find_all(s)) {
    out.append(s.substr(prev, b - prev));
    out.append(content);
    prev = e;
  }
  out.append(s.substr(prev));
  return out;
}

}  // namespace lf::tok
