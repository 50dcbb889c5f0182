// Small string helpers shared by several layers.
#pragma once
#include <string>
#include <vector>

namespace lf {

// "q_proj, v_proj" -> {"q_proj", "v_proj"}: items trimmed of spaces and tabs,
// empty items dropped (LLaMA-Factory's comma lists: dataset, lora_target, ...).
std::vector<std::string> split_list(const std::string& s, char sep = ',');

}  // namespace lf
