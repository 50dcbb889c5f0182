#include "hparams/field.h"

#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <sstream>

#include "core/error.h"

namespace lf::hparams {
namespace {

std::string lower(const std::string& s) {
  std::string out;
  for (char c : s) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

[[noreturn]] void wrong_type(const RawValue& v, const std::string& key, const char* expected) {
  fail("config key '", key, "' expects ", expected, ", got ", v.describe());
}

const std::string& scalar_text(const RawValue& v, const std::string& key, const char* expected) {
  if (v.kind != RawValue::Kind::scalar) wrong_type(v, key, expected);
  return v.text;
}

}  // namespace

std::string RawValue::describe() const {
  switch (kind) {
    case Kind::null: return "null";
    case Kind::list: return "a list";
    case Kind::mapping: return "a mapping";
    case Kind::scalar: break;
  }
  return "'" + text + "'";
}

void convert(const RawValue& v, const std::string& key, bool& out) {
  constexpr const char* kExpected = "a boolean (true or false)";
  // YAML 1.1 spellings (what OmegaConf reads) and HfArgumentParser's string_to_bool.
  std::string t = lower(scalar_text(v, key, kExpected));
  if (t == "true" || t == "yes" || t == "y" || t == "t" || t == "on" || t == "1") {
    out = true;
  } else if (t == "false" || t == "no" || t == "n" || t == "f" || t == "off" || t == "0") {
    out = false;
  } else {
    wrong_type(v, key, kExpected);
  }
}

void convert(const RawValue& v, const std::string& key, int64_t& out) {
  constexpr const char* kExpected = "an integer";
  const std::string& t = scalar_text(v, key, kExpected);
  const char* begin = t.data() + (!t.empty() && t[0] == '+' ? 1 : 0);
  auto [ptr, ec] = std::from_chars(begin, t.data() + t.size(), out);
  if (ec == std::errc() && ptr == t.data() + t.size() && begin != ptr) return;
  // "1e3" and "100.0" are integers written as numbers; accept them when exact.
  char* end = nullptr;
  errno = 0;
  double d = std::strtod(t.c_str(), &end);
  if (!t.empty() && end == t.c_str() + t.size() && errno == 0 && std::isfinite(d) &&
      d == std::floor(d) && std::fabs(d) < 9.0e15) {
    out = static_cast<int64_t>(d);
    return;
  }
  wrong_type(v, key, kExpected);
}

void convert(const RawValue& v, const std::string& key, double& out) {
  constexpr const char* kExpected = "a number";
  const std::string& t = scalar_text(v, key, kExpected);
  char* end = nullptr;
  errno = 0;
  out = std::strtod(t.c_str(), &end);
  bool ok = !t.empty() && !std::isspace(static_cast<unsigned char>(t[0])) &&
            end == t.c_str() + t.size() && errno == 0 && !std::isnan(out);
  if (!ok) wrong_type(v, key, kExpected);
}

void convert(const RawValue& v, const std::string& key, std::string& out, Choices choices) {
  if (v.kind == RawValue::Kind::null || v.kind == RawValue::Kind::mapping) {
    wrong_type(v, key, choices.size() ? "one of its choices" : "a string");
  }
  // LLaMA-Factory splits list-valued keys (dataset, lora_target...) on commas,
  // so a YAML list and a comma-separated string mean the same.
  std::string value = v.text;
  if (v.kind == RawValue::Kind::list) {
    value.clear();
    for (size_t i = 0; i < v.items.size(); ++i) value += (i ? "," : "") + v.items[i];
  }
  if (choices.size() == 0) {
    out = value;
    return;
  }
  std::ostringstream names;
  for (const char* c : choices) {
    if (value == c) {
      out = value;
      return;
    }
    names << (names.tellp() > 0 ? ", " : "") << c;
  }
  fail("config key '", key, "' must be one of: ", names.str(), "; got '", value, "'");
}

void convert(const RawValue& v, const std::string& key, std::optional<std::string>& out,
             Choices choices) {
  if (v.kind == RawValue::Kind::null) {
    out.reset();
    return;
  }
  std::string value;
  convert(v, key, value, choices);
  out = value;
}

std::string render(bool v) { return v ? "true" : "false"; }
std::string render(int64_t v) { return std::to_string(v); }
std::string render(double v) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  std::string s(buf, ec == std::errc() ? end : buf);
  // Keep a float looking like a float so it reads back as one.
  if (s.find_first_of(".eEni") == std::string::npos) s += ".0";
  return s;
}
std::string render(const std::string& v) { return v; }

}  // namespace lf::hparams
