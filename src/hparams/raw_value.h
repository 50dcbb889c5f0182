// A configuration value before it meets its typed field: a scalar's text, a
// null, or a list of scalars. YAML files, JSON files and command-line
// overrides all produce these, so one set of conversion rules serves them all.
#pragma once
#include <string>
#include <utility>
#include <vector>

namespace lf::hparams {

struct RawValue {
  enum class Kind { scalar, null, list, mapping };
  Kind kind = Kind::scalar;
  std::string text;                // scalar
  std::vector<std::string> items;  // list

  static RawValue scalar(std::string t) { return {Kind::scalar, std::move(t), {}}; }
  static RawValue null() { return {Kind::null, "", {}}; }
  std::string describe() const;    // for error messages: "'abc'", "null", "a list"
};

// One setting with where it came from ("in config file x.yaml", "on the command line").
struct RawSetting {
  std::string key;
  RawValue value;
  std::string origin;
};

}  // namespace lf::hparams
