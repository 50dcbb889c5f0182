// Typed fields of the argument groups. Each group lists its fields once in a
// visit() template; visitors below assign a value by key, list the keys and
// render values, so the key list, the defaults and the parser cannot drift.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "hparams/raw_value.h"

namespace lf::hparams {

using Choices = std::initializer_list<const char*>;

// Conversions from a raw value; each throws lf::Error naming `key` and the
// expected type. `choices` (may be empty) restricts string values.
void convert(const RawValue& v, const std::string& key, bool& out);
void convert(const RawValue& v, const std::string& key, int64_t& out);
void convert(const RawValue& v, const std::string& key, double& out);
void convert(const RawValue& v, const std::string& key, std::string& out, Choices choices = {});
template <typename T>
void convert(const RawValue& v, const std::string& key, std::optional<T>& out) {
  if (v.kind == RawValue::Kind::null) {
    out.reset();
    return;
  }
  T value{};
  convert(v, key, value);
  out = value;
}
void convert(const RawValue& v, const std::string& key, std::optional<std::string>& out,
             Choices choices);

// Text form of a field value, as it would be written in YAML.
std::string render(bool v);
std::string render(int64_t v);
std::string render(double v);
std::string render(const std::string& v);
template <typename T>
std::string render(const std::optional<T>& v) {
  return v ? render(*v) : "null";
}

// Sets the field called `key` (every group holding it, as LLaMA-Factory's
// parser does for keys shared by groups such as `seed`).
struct Assigner {
  const std::string& key;
  const RawValue& value;
  bool found = false;
  template <typename T>
  void operator()(const char* name, T& field) {
    if (key != name) return;
    convert(value, key, field);
    found = true;
  }
  template <typename T>
  void operator()(const char* name, T& field, Choices choices) {
    if (key != name) return;
    convert(value, key, field, choices);
    found = true;
  }
};

struct KeyLister {
  std::vector<std::string>& keys;
  template <typename T>
  void operator()(const char* name, T&, Choices = {}) { keys.emplace_back(name); }
};

struct Renderer {
  std::vector<std::pair<std::string, std::string>>& out;
  template <typename T>
  void operator()(const char* name, T& field, Choices = {}) { out.emplace_back(name, render(field)); }
};

// Bare `--flag` means true only for booleans; this tells which keys are.
struct BoolKeyFinder {
  const std::string& key;
  bool is_bool = false;
  template <typename T>
  void operator()(const char* name, T&, Choices = {}) {
    if (key == name) is_bool = std::is_same_v<T, bool> || std::is_same_v<T, std::optional<bool>>;
  }
};

}  // namespace lf::hparams
