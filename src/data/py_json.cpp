#include "data/py_json.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace lf::data {
namespace {

void dump_string(const std::string& s, std::string* out) {
  out->push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"': *out += "\\\""; break;
      case '\\': *out += "\\\\"; break;
      case '\n': *out += "\\n"; break;
      case '\r': *out += "\\r"; break;
      case '\t': *out += "\\t"; break;
      case '\b': *out += "\\b"; break;
      case '\f': *out += "\\f"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          *out += buf;
        } else {
          out->push_back(static_cast<char>(c));  // ensure_ascii=False: UTF-8 as is
        }
    }
  }
  out->push_back('"');
}

// Python's float repr: the shortest round-trip digits, written in fixed
// notation for exponents -4 <= e < 16 (always with a fraction part), else as
// d.ddde+XX.
void dump_float(double v, std::string* out) {
  if (std::isnan(v)) { *out += "NaN"; return; }
  if (std::isinf(v)) { *out += v > 0 ? "Infinity" : "-Infinity"; return; }
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string sci(buf, res.ptr);  // [-]d[.ddd]e[+-]XX
  std::string sign;
  if (sci[0] == '-') sign = "-", sci.erase(0, 1);
  const auto epos = sci.find('e');
  const int exp = std::stoi(sci.substr(epos + 1));
  std::string digits = sci.substr(0, epos);
  if (digits.size() > 1) digits.erase(1, 1);  // drop the '.'
  *out += sign;
  if (exp < -4 || exp >= 16) {
    *out += digits.substr(0, 1);
    if (digits.size() > 1) *out += "." + digits.substr(1);
    char e[16];
    std::snprintf(e, sizeof e, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
    *out += e;
  } else if (exp < 0) {
    *out += "0." + std::string(static_cast<size_t>(-exp - 1), '0') + digits;
  } else {
    const auto int_len = static_cast<size_t>(exp) + 1;
    if (digits.size() <= int_len) {
      *out += digits + std::string(int_len - digits.size(), '0') + ".0";
    } else {
      *out += digits.substr(0, int_len) + "." + digits.substr(int_len);
    }
  }
}

void dump(const OrderedJson& v, int indent, int depth, std::string* out) {
  const bool pretty = indent >= 0;
  auto newline = [&](int d) {
    out->push_back('\n');
    out->append(static_cast<size_t>(indent * d), ' ');
  };
  switch (v.type()) {
    case OrderedJson::value_t::null: *out += "null"; break;
    case OrderedJson::value_t::boolean: *out += v.get<bool>() ? "true" : "false"; break;
    case OrderedJson::value_t::number_integer: *out += std::to_string(v.get<int64_t>()); break;
    case OrderedJson::value_t::number_unsigned: *out += std::to_string(v.get<uint64_t>()); break;
    case OrderedJson::value_t::number_float: dump_float(v.get<double>(), out); break;
    case OrderedJson::value_t::string: dump_string(v.get<std::string>(), out); break;
    case OrderedJson::value_t::array: {
      if (v.empty()) { *out += "[]"; break; }
      out->push_back('[');
      bool first = true;
      for (const auto& item : v) {
        if (!first) *out += pretty ? "," : ", ";
        if (pretty) newline(depth + 1);
        dump(item, indent, depth + 1, out);
        first = false;
      }
      if (pretty) newline(depth);
      out->push_back(']');
      break;
    }
    case OrderedJson::value_t::object: {
      if (v.empty()) { *out += "{}"; break; }
      out->push_back('{');
      bool first = true;
      for (const auto& [key, item] : v.items()) {
        if (!first) *out += pretty ? "," : ", ";
        if (pretty) newline(depth + 1);
        dump_string(key, out);
        *out += ": ";
        dump(item, indent, depth + 1, out);
        first = false;
      }
      if (pretty) newline(depth);
      out->push_back('}');
      break;
    }
    default: *out += "null"; break;  // binary / discarded values never come from parsing text
  }
}

}  // namespace

std::string py_dumps(const OrderedJson& value, int indent) {
  std::string out;
  dump(value, indent, 0, &out);
  return out;
}

}  // namespace lf::data
