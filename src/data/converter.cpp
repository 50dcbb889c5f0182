#include "data/converter.h"

#include "core/log.h"

namespace lf::data {

const char* role_name(Role role) {
  switch (role) {
    case Role::user: return "user";
    case Role::assistant: return "assistant";
    case Role::system: return "system";
    case Role::function: return "function";
    case Role::observation: return "observation";
  }
  return "?";
}

Converted convert_row(const Row& row, const DatasetAttr& attr) {
  if (!row.is_object()) return {std::nullopt, "the row is not a JSON object"};
  return attr.formatting == Formatting::alpaca ? convert_alpaca(row, attr) : convert_sharegpt(row, attr);
}

void SkipLog::add(size_t row_index, const std::string& reason) {
  ++count_;
  if (reasons_.size() < kKeptReasons) reasons_.push_back(unit_ + " " + std::to_string(row_index) + ": " + reason);
}

std::string SkipLog::summary() const {
  std::string s = std::to_string(count_) + " invalid example(s) skipped";
  for (size_t i = 0; i < reasons_.size(); ++i) s += (i ? "; " : " (") + reasons_[i];
  if (!reasons_.empty()) s += count_ > reasons_.size() ? "; ...)" : ")";
  return s;
}

void SkipLog::report(const std::string& what) const {
  if (count_ > 0) log::warn(what, ": ", summary());
}

}  // namespace lf::data
