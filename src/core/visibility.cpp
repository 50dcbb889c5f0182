#include "core/visibility.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace lf {

std::optional<std::string> env_value(const char* name) {
  const char* v = std::getenv(name);
  if (!v) return std::nullopt;
  return std::string(v);
}

Visibility parse_visibility(const std::optional<std::string>& value, int physical_count) {
  Visibility vis;
  if (!value) {
    for (int i = 0; i < physical_count; ++i) vis.physical.push_back(i);
    return vis;
  }
  vis.from_variable = true;
  const std::string& s = *value;
  size_t pos = 0;
  while (pos < s.size()) {
    size_t end = s.find(',', pos);
    if (end == std::string::npos) end = s.size();
    std::string item = s.substr(pos, end - pos);
    bool ok = !item.empty() && item.size() < 6 &&
              std::all_of(item.begin(), item.end(),
                          [](unsigned char c) { return std::isdigit(c); });
    int id = ok ? std::stoi(item) : -1;
    ok = ok && id < physical_count &&
         std::find(vis.physical.begin(), vis.physical.end(), id) == vis.physical.end();
    if (!ok) {
      vis.ignored = s.substr(pos);
      break;
    }
    vis.physical.push_back(id);
    pos = end + 1;
  }
  return vis;
}

}  // namespace lf
