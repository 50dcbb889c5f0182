// Tool descriptions and function calls: Python-compatible JSON text and the
// tool formats, written out by hand from LLaMA-Factory's tool prompts.
#include <gtest/gtest.h>

#include "core/error.h"
#include "data/converter.h"
#include "data/encode.h"
#include "data/py_json.h"
#include "data/tool_format.h"
#include "fake_vocab.h"

namespace lf::data {
namespace {

std::string dumps(const char* json_text, int indent = -1) { return py_dumps(OrderedJson::parse(json_text), indent); }

TEST(PyJson, MatchesPythonJsonDumps) {
  EXPECT_EQ(dumps(R"({"z":1,"a":[1.5,"x\"y",null,true,false],"c":{},"d":[]})"),
            R"({"z": 1, "a": [1.5, "x\"y", null, true, false], "c": {}, "d": []})");
  EXPECT_EQ(dumps(R"(["é中", "tab\there", "\u0001", "back\\slash"])"),
            "[\"é中\", \"tab\\there\", \"\\u0001\", \"back\\\\slash\"]");
  EXPECT_EQ(dumps("[1e-05, 0.0001, 100.0, 1e16, 1e15, 123456.789, -2.5e-07, 0.1, -0.0, 12345678901234567890]"),
            "[1e-05, 0.0001, 100.0, 1e+16, 1000000000000000.0, 123456.789, -2.5e-07, 0.1, -0.0, 12345678901234567890]");
  EXPECT_EQ(dumps(R"({"a": [1, 2], "b": {}, "c": {"d": "e"}})", 4),
            "{\n    \"a\": [\n        1,\n        2\n    ],\n    \"b\": {},\n    \"c\": {\n        \"d\": \"e\"\n    }\n}");
}

const char* kTools = R"([{"name": "get_weather", "description": "Weather now", "parameters": {"type": "object",
  "properties": {"city": {"type": "string", "description": "City name"}, "unit": {"type": "string", "enum": ["c", "f"]}},
  "required": ["city"]}}])";

TEST(ToolFormat, DefaultToolPrompt) {
  EXPECT_EQ(format_tools("default", kTools),
            "You have access to the following tools:\n"
            "> Tool Name: get_weather\nTool Description: Weather now\nTool Args:\n"
            "  - city (string, required): City name\n"
            "  - unit (string): , should be one of [c, f]\n\n"
            "Use the following format if using a tool:\n```\n"
            "Action: tool name (one of [get_weather])\n"
            "Action Input: the input to the tool, in a JSON format representing the kwargs "
            "(e.g. ```{\"input\": \"hello world\", \"num_beams\": 5}```)\n```\n");
  EXPECT_EQ(format_tools("default", "[]"), "");
}

TEST(ToolFormat, QwenToolPromptAndCalls) {
  const std::string text = format_tools("qwen", kTools);
  EXPECT_EQ(text.rfind("\n\n# Tools\n\nYou may call one or more functions", 0), 0u);
  EXPECT_NE(text.find("<tools>\n{\"type\": \"function\", \"function\": {\"name\": \"get_weather\", \"description\": "
                      "\"Weather now\", \"parameters\": {\"type\": \"object\", \"properties\": {\"city\": "),
            std::string::npos);
  EXPECT_TRUE(text.ends_with("<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call>"));
  EXPECT_EQ(format_function_calls("qwen", R"({"name": "get_weather", "arguments": {"city": "Paris"}})"),
            "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>");
  EXPECT_EQ(format_function_calls("qwen", R"([{"name": "a", "arguments": {}}, {"name": "b", "arguments": {"x": 1}}])"),
            "<tool_call>\n{\"name\": \"a\", \"arguments\": {}}\n</tool_call>\n"
            "<tool_call>\n{\"name\": \"b\", \"arguments\": {\"x\": 1}}\n</tool_call>");
}

TEST(ToolFormat, OtherFormatsCalls) {
  const char* call = R"({"name": "f", "arguments": {"x": 1}})";
  EXPECT_EQ(format_function_calls("default", call), "Action: f\nAction Input: {\"x\": 1}");
  EXPECT_EQ(format_function_calls("llama3", call), "{\"name\": \"f\", \"parameters\": {\"x\": 1}}");
  EXPECT_EQ(format_function_calls("mistral", call), "[{\"name\": \"f\", \"arguments\": {\"x\": 1}}]");
  EXPECT_EQ(format_function_calls("glm4", call), "f\n{\"x\": 1}");
  EXPECT_THROW(format_function_calls("glm4", R"([{"name": "a", "arguments": {}}, {"name": "b", "arguments": {}}])"), Error);
  EXPECT_THROW(format_function_calls("qwen", "not json"), Error);
  EXPECT_THROW(format_function_calls("qwen", R"({"name": "f"})"), Error);
  EXPECT_THROW(format_tools("hermes", "[]"), Error);
  EXPECT_EQ(format_tools("mistral", R"([{"name": "f"}])"),
            "[AVAILABLE_TOOLS] [{\"type\": \"function\", \"function\": {\"name\": \"f\"}}][/AVAILABLE_TOOLS]");
}

TEST(ToolFormat, QwenTemplateEncodesToolsAndCalls) {
  testing::FakeVocab vocab = testing::qwen_vocab();
  ChatTemplate tmpl(find_template("qwen3_nothink"), vocab);
  Example ex;
  ex.tools = R"([{"name": "f", "description": "d", "parameters": {"type": "object", "properties": {}}}])";
  ex.prompt = {{Role::user, "Call f"}, {Role::function, R"({"name": "f", "arguments": {}})"}, {Role::observation, "42"}};
  ex.response = {{Role::assistant, "It is 42."}};
  const auto enc = encode_supervised(tmpl, ex, {});
  const std::string rendered = vocab.render(enc.input_ids);
  EXPECT_EQ(rendered.rfind("<|im_start|>system\n\n\n# Tools\n\n", 0), 0u) << rendered;
  EXPECT_NE(rendered.find("</tool_call><|im_end|>\n<|im_start|>user\nCall f<|im_end|>\n<|im_start|>assistant\n"
                          "<tool_call>\n{\"name\": \"f\", \"arguments\": {}}\n</tool_call><|im_end|>\n"
                          "<|im_start|>user\n<tool_response>\n42\n</tool_response><|im_end|>\n<|im_start|>assistant\n"
                          "It is 42.<|im_end|>\n"),
            std::string::npos)
      << rendered;
  // Both the function call and the final answer are trained.
  EXPECT_EQ(vocab.render_labels(enc.labels),
            "…<tool_call>\n{\"name\": \"f\", \"arguments\": {}}\n</tool_call><|im_end|>\n…It is 42.<|im_end|>\n");
}

TEST(ToolFormat, ToolsAsJsonInTheRowKeepTheirKeyOrder) {
  DatasetAttr attr;
  attr.formatting = Formatting::sharegpt;
  attr.tools = "tools";
  const auto c = convert_row(Row::parse(R"({"conversations": [{"from": "human", "value": "q"}, {"from": "gpt", "value": "a"}],
      "tools": [{"name": "f", "description": "d", "parameters": {}}]})"), attr);
  ASSERT_TRUE(c.example) << c.skip_reason;
  EXPECT_NE(format_tools("qwen", c.example->tools).find("{\"name\": \"f\", \"description\": \"d\", \"parameters\": {}}"),
            std::string::npos);
}

TEST(ToolFormat, ThoughtBeforeAFunctionCallIsKept) {
  testing::FakeVocab vocab = testing::qwen_vocab();
  ChatTemplate tmpl(find_template("qwen3"), vocab);
  const auto pairs = tmpl.encode_multiturn(
      {{Role::user, "q"}, {Role::function, "<think>\nuse f\n</think>\n\n{\"name\": \"f\", \"arguments\": {}}"}}, "", "");
  EXPECT_EQ(vocab.render(pairs[0].second),
            "<think>\nuse f\n</think>\n\n<tool_call>\n{\"name\": \"f\", \"arguments\": {}}\n</tool_call><|im_end|>\n");
}

TEST(ToolFormat, ToolFormatOptionReplacesTheFunctionSlot) {
  testing::FakeVocab vocab = testing::llama2_vocab();
  ChatTemplate tmpl(find_template("mistral"), vocab, {.tool_format = "default"});
  const auto pairs = tmpl.encode_multiturn({{Role::user, "q"}, {Role::function, R"({"name": "f", "arguments": {}})"}}, "", "");
  EXPECT_EQ(vocab.render(pairs[0].second), "Action: f\nAction Input: {}</s>");
  EXPECT_THROW(ChatTemplate(find_template("qwen"), vocab, {.tool_format = "hermes"}), Error);
}

}  // namespace
}  // namespace lf::data
