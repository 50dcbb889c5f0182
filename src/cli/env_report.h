// The facts `llamafactory-cli env` prints, gathered through the generic
// device-runtime and backend registries only (no family is named here).
#pragma once
#include <string>
#include <utility>
#include <vector>

namespace lf::cli {

using EnvLines = std::vector<std::pair<std::string, std::string>>;

EnvLines collect_env();

// LLaMA-Factory's layout: a blank line, `- key: value` lines, a blank line.
std::string format_env(const EnvLines& lines);

}  // namespace lf::cli
