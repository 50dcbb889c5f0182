// LLaMA-Factory's tool formats (data/tool_utils.py): how a template writes
// the tool list into the system prompt and an assistant's function calls.
#pragma once
#include <string>
#include <vector>

#include "data/py_json.h"

namespace lf::data {

struct FunctionCall {
  std::string name;
  OrderedJson arguments;
};

// Known formats: default, glm4, llama3, mistral, qwen. Unknown is an lf::Error.
void check_tool_format(const std::string& format);

// The system-prompt text for the JSON tool list `tools_json` ("" for an empty
// list). Malformed JSON or tool entries are lf::Error.
std::string format_tools(const std::string& format, const std::string& tools_json);

// The assistant text for a function message: its content is a JSON tool call
// {"name", "arguments"} or a list of them.
std::string format_function_calls(const std::string& format, const std::string& content);

}  // namespace lf::data
