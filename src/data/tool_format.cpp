#include "data/tool_format.h"

#include <ctime>

#include "core/error.h"

namespace lf::data {
namespace {

const char* kDefaultToolPrompt =
    "You have access to the following tools:\n{tool_text}"
    "Use the following format if using a tool:\n"
    "```\n"
    "Action: tool name (one of [{tool_names}])\n"
    "Action Input: the input to the tool, in a JSON format representing the kwargs "
    "(e.g. ```{\"input\": \"hello world\", \"num_beams\": 5}```)\n"
    "```\n";

const char* kGlm4ToolPrompt =
    "你是一个名为 ChatGLM 的人工智能助手。你是基于智谱 AI 公司训练的语言模型 GLM-4 模型开发的，"
    "你的任务是针对用户的问题和要求提供适当的答复和支持。\n\n# 可用工具{tool_text}";

const char* kLlama3ToolPrompt =
    "Cutting Knowledge Date: December 2023\nToday Date: {date}\n\n"
    "You have access to the following functions. To call a function, please respond with JSON for a function call. "
    "Respond in the format {\"name\": function name, \"parameters\": dictionary of argument name and its value}. "
    "Do not use variables.\n\n{tool_text}";

const char* kQwenToolPrompt =
    "\n\n# Tools\n\nYou may call one or more functions to assist with the user query.\n\n"
    "You are provided with function signatures within <tools></tools> XML tags:\n<tools>{tool_text}"
    "\n</tools>\n\nFor each function call, return a json object with function name and arguments within "
    "<tool_call></tool_call> XML tags:\n<tool_call>\n{\"name\": <function-name>, "
    "\"arguments\": <args-json-object>}\n</tool_call>";

std::string substitute(std::string text, const std::string& key, const std::string& value) {
  const auto pos = text.find(key);
  if (pos != std::string::npos) text.replace(pos, key.size(), value);
  return text;
}

// Python's str() of a value inside a format string: strings bare, the rest as JSON.
std::string str_of(const OrderedJson& v) { return v.is_string() ? v.get<std::string>() : py_dumps(v); }

bool is_function_type(const OrderedJson& tool) {
  return tool.is_object() && tool.contains("type") && tool["type"] == "function";
}
// {"type": "function", "function": {...}} -> the inner object.
const OrderedJson& unwrap(const OrderedJson& tool) { return is_function_type(tool) ? tool.at("function") : tool; }
OrderedJson wrap(const OrderedJson& tool) {
  if (is_function_type(tool)) return tool;
  OrderedJson w = OrderedJson::object();
  w["type"] = "function";
  w["function"] = tool;
  return w;
}

std::string default_tools(const OrderedJson& tools) {
  std::string tool_text, tool_names;
  for (const auto& entry : tools) {
    const OrderedJson& tool = unwrap(entry);
    const OrderedJson& params = tool.at("parameters");
    std::string param_text;
    for (const auto& [name, param] : params.at("properties").items()) {
      std::string required, enums, items;
      if (params.contains("required")) {
        for (const auto& r : params["required"]) {
          if (r == name) required = ", required";
        }
      }
      if (param.contains("enum") && !param["enum"].empty()) {
        std::string joined;
        for (const auto& e : param["enum"]) joined += (joined.empty() ? "" : ", ") + str_of(e);
        enums = ", should be one of [" + joined + "]";
      }
      if (param.contains("items") && !param["items"].empty()) {
        items = ", where each item should be " + (param["items"].contains("type") ? str_of(param["items"]["type"]) : "");
      }
      param_text += "  - " + name + " (" + (param.contains("type") ? str_of(param["type"]) : "") + required + "): " +
                    (param.contains("description") ? str_of(param["description"]) : "") + enums + items + "\n";
    }
    const std::string name = str_of(tool.at("name"));
    tool_text += "> Tool Name: " + name + "\nTool Description: " +
                 (tool.contains("description") ? str_of(tool["description"]) : "") + "\nTool Args:\n" + param_text + "\n";
    tool_names += (tool_names.empty() ? "" : ", ") + name;
  }
  return substitute(substitute(kDefaultToolPrompt, "{tool_text}", tool_text), "{tool_names}", tool_names);
}

std::string glm4_tools(const OrderedJson& tools) {
  std::string tool_text;
  for (const auto& entry : tools) {
    const OrderedJson& tool = unwrap(entry);
    tool_text += "\n\n## " + str_of(tool.at("name")) + "\n\n" + py_dumps(tool, 4) +
                 "\n在调用上述函数时，请使用 Json 格式表示调用的参数。";
  }
  return substitute(kGlm4ToolPrompt, "{tool_text}", tool_text);
}

std::string llama3_tools(const OrderedJson& tools) {
  // LLaMA-Factory writes today's date ("%d %b %Y") into the prompt.
  char date[32];
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  std::strftime(date, sizeof date, "%d %b %Y", &tm);
  std::string tool_text;
  for (const auto& tool : tools) tool_text += py_dumps(wrap(tool), 4) + "\n\n";
  return substitute(substitute(kLlama3ToolPrompt, "{date}", date), "{tool_text}", tool_text);
}

std::string mistral_tools(const OrderedJson& tools) {
  OrderedJson wrapped = OrderedJson::array();
  for (const auto& tool : tools) wrapped.push_back(wrap(tool));
  return "[AVAILABLE_TOOLS] " + py_dumps(wrapped) + "[/AVAILABLE_TOOLS]";
}

std::string qwen_tools(const OrderedJson& tools) {
  std::string tool_text;
  for (const auto& tool : tools) tool_text += "\n" + py_dumps(wrap(tool));
  return substitute(kQwenToolPrompt, "{tool_text}", tool_text);
}

OrderedJson call_object(const char* args_key, const FunctionCall& f) {
  OrderedJson o = OrderedJson::object();
  o["name"] = f.name;
  o[args_key] = f.arguments;
  return o;
}

}  // namespace

void check_tool_format(const std::string& format) {
  LF_CHECK(format == "default" || format == "glm4" || format == "llama3" || format == "mistral" || format == "qwen",
           "Tool format \"", format, "\" is not supported; known: default, glm4, llama3, mistral, qwen");
}

std::string format_tools(const std::string& format, const std::string& tools_json) {
  check_tool_format(format);
  OrderedJson tools;
  try {
    tools = OrderedJson::parse(tools_json);
  } catch (const OrderedJson::parse_error&) {
    fail("Invalid JSON format in tool description: ", tools_json.substr(0, 200));
  }
  LF_CHECK(tools.is_array(), "The tool description must be a JSON list of tools");
  if (tools.empty()) return "";
  try {
    if (format == "glm4") return glm4_tools(tools);
    if (format == "llama3") return llama3_tools(tools);
    if (format == "mistral") return mistral_tools(tools);
    if (format == "qwen") return qwen_tools(tools);
    return default_tools(tools);
  } catch (const OrderedJson::exception& e) {
    fail("Malformed tool description (", e.what(), "): ", tools_json.substr(0, 200));
  }
}

std::string format_function_calls(const std::string& format, const std::string& content) {
  check_tool_format(format);
  OrderedJson parsed;
  try {
    parsed = OrderedJson::parse(content);
  } catch (const OrderedJson::parse_error&) {
    fail("Invalid JSON format in function message: ", content.substr(0, 200));
  }
  if (!parsed.is_array()) parsed = OrderedJson::array({parsed});  // one call or parallel calls
  std::vector<FunctionCall> calls;
  for (const auto& c : parsed) {
    LF_CHECK(c.is_object() && c.contains("name") && c.contains("arguments"),
             "A function call needs \"name\" and \"arguments\": ", content.substr(0, 200));
    calls.push_back({str_of(c["name"]), c["arguments"]});
  }
  std::string out;
  if (format == "glm4") {
    LF_CHECK(calls.size() == 1, "GLM-4 does not support parallel functions.");
    return calls[0].name + "\n" + py_dumps(calls[0].arguments);
  }
  if (format == "llama3") {
    OrderedJson objs = OrderedJson::array();
    for (const auto& f : calls) objs.push_back(call_object("parameters", f));
    return py_dumps(objs.size() == 1 ? objs[0] : objs);
  }
  if (format == "mistral") {
    OrderedJson objs = OrderedJson::array();
    for (const auto& f : calls) objs.push_back(call_object("arguments", f));
    return py_dumps(objs);
  }
  for (const auto& f : calls) {
    if (!out.empty()) out += "\n";
    out += format == "qwen" ? "<tool_call>\n" + py_dumps(call_object("arguments", f)) + "\n</tool_call>"
                            : "Action: " + f.name + "\nAction Input: " + py_dumps(f.arguments);
  }
  return out;
}

}  // namespace lf::data
