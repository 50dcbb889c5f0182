// Converters from the dataset layouts to the common Example, with
// LLaMA-Factory's validity rules. A row that breaks them is skipped, never
// fatal: the caller counts it in a SkipLog.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "data/dataset_info.h"
#include "data/example.h"
#include "data/loader.h"

namespace lf::data {

struct Converted {
  std::optional<Example> example;
  std::string skip_reason;  // set when example is empty
};

// alpaca: prompt (+ "\n" + query) is the user turn, response the answer,
// history [[prompt, response], ...] the earlier turns.
Converted convert_alpaca(const Row& row, const DatasetAttr& attr);
// sharegpt / OpenAI-style: a message list, user/observation at odd positions
// and assistant/function at even ones (1-based), optional leading system.
Converted convert_sharegpt(const Row& row, const DatasetAttr& attr);
Converted convert_row(const Row& row, const DatasetAttr& attr);

// Counts skipped rows and keeps the first few reasons, so that a dataset's
// problems are reported once, not once per row.
class SkipLog {
 public:
  static constexpr size_t kKeptReasons = 3;
  // `unit` names what the index counts in messages: "row" of a file, or
  // "example" of the converted list.
  explicit SkipLog(std::string unit = "row") : unit_(std::move(unit)) {}
  void add(size_t row_index, const std::string& reason);
  size_t count() const { return count_; }
  const std::vector<std::string>& reasons() const { return reasons_; }
  // One warning line (when anything was skipped) naming `what`.
  void report(const std::string& what) const;
  std::string summary() const;

 private:
  std::string unit_;
  size_t count_ = 0;
  std::vector<std::string> reasons_;
};

}  // namespace lf::data
