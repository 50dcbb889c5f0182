// The vendor runtimes' device-visibility rules (ASCEND_RT_VISIBLE_DEVICES,
// CUDA_VISIBLE_DEVICES): a comma-separated list of physical ids; the listed
// devices are renumbered from 0 in list order; parsing stops at the first
// entry that is not a valid id (so "1, 2,3" keeps only 1, and an id beyond
// the physical count ends the list there too); an empty value hides all.
#pragma once
#include <optional>
#include <string>
#include <vector>

namespace lf {

struct Visibility {
  std::vector<int> physical;  // physical id of visible index i
  bool from_variable = false; // false when the variable is unset (all visible)
  std::string ignored;        // the part of the value that was not honoured
};

// `value` is the variable's value, or nullopt when unset.
Visibility parse_visibility(const std::optional<std::string>& value, int physical_count);

// Reads the variable from the environment.
std::optional<std::string> env_value(const char* name);

}  // namespace lf
