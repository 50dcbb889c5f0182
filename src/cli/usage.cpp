#include "cli/usage.h"

#include <algorithm>

#include "cli/command.h"

namespace lf::cli {

std::string boxed(const std::vector<std::string>& lines) {
  size_t width = 0;
  for (const auto& l : lines) width = std::max(width, l.size());
  const std::string rule(width + 4, '-');
  std::string out = rule + "\n";
  for (const auto& l : lines) out += "| " + l + std::string(width - l.size(), ' ') + " |\n";
  return out + rule + "\n";
}

std::string usage_text() {
  std::vector<Command> sorted = commands();
  std::sort(sorted.begin(), sorted.end(),
            [](const Command& a, const Command& b) { return std::string(a.name) < b.name; });
  std::vector<std::string> lines = {"Usage:"};
  for (const auto& c : sorted) {
    lines.push_back(std::string("  llamafactory-cli ") + c.name + ": " + c.summary);
  }
  return boxed(lines);
}

}  // namespace lf::cli
