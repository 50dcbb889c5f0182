// JSON text exactly as Python's json.dumps(value, ensure_ascii=False) writes
// it (", " and ": " separators, or indent=N), keys in their original order.
// Tool prompts are built this way in LLaMA-Factory, and the tokens must match.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

namespace lf::data {

using OrderedJson = nlohmann::ordered_json;

// indent < 0: one line; otherwise Python's indent=N layout.
std::string py_dumps(const OrderedJson& value, int indent = -1);

}  // namespace lf::data
