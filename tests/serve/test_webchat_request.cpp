// POST /api/chat bodies of the web chat page: defaults, greedy decoding and
// the bounds of the chat tab's controls.
#include <gtest/gtest.h>

#include "serve/api_error.h"
#include "serve/webchat_request.h"

using lf::serve::ApiError;
using lf::serve::parse_webchat_request;
using lf::serve::WebChatDefaults;

namespace {

const std::string kOneTurn = R"("messages": [{"role": "user", "content": "hi"}])";

std::string refusal(const std::string& body, const WebChatDefaults& d = {}) {
  try {
    parse_webchat_request(body, d);
  } catch (const ApiError& e) {
    EXPECT_EQ(e.status(), 400) << body;
    return e.what();
  }
  return "accepted";
}

}  // namespace

TEST(WebChatRequest, MissingControlsTakeTheDefaults) {
  WebChatDefaults d;
  d.max_new_tokens = 77;
  d.top_p = 0.5;
  d.temperature = 0.25;
  auto r = parse_webchat_request("{" + kOneTurn + "}", d);
  ASSERT_EQ(r.messages.size(), 1u);
  EXPECT_EQ(r.messages[0].content, "hi");
  EXPECT_EQ(r.system, "");
  EXPECT_EQ(r.overrides.max_new_tokens, 77);
  EXPECT_FLOAT_EQ(*r.overrides.top_p, 0.5f);
  EXPECT_FLOAT_EQ(*r.overrides.temperature, 0.25f);
  // do_sample is left to the YAML unless the page asks for greedy decoding.
  EXPECT_FALSE(r.overrides.do_sample.has_value());
}

TEST(WebChatRequest, ControlsAndHistoryAreRead) {
  auto r = parse_webchat_request(R"({"messages": [{"role": "user", "content": "a"},
      {"role": "assistant", "content": "b"}, {"role": "user", "content": "c"}],
      "system": "be brief", "max_new_tokens": 9, "top_p": 0.9, "temperature": 0})", {});
  ASSERT_EQ(r.messages.size(), 3u);
  EXPECT_EQ(r.messages[1].role, lf::data::Role::assistant);
  EXPECT_EQ(r.messages[2].content, "c");
  EXPECT_EQ(r.system, "be brief");
  EXPECT_EQ(r.overrides.max_new_tokens, 9);
  EXPECT_FLOAT_EQ(*r.overrides.top_p, 0.9f);
  EXPECT_EQ(r.overrides.do_sample, false);  // temperature 0: greedy, as LLaMA-Factory's engine
}

TEST(WebChatRequest, BadBodiesAreRefusedWithTheFieldNamed) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"not json", "not valid JSON"},
      {"[1]", "must be a JSON object"},
      {"{}", "`messages` must be a non-empty list"},
      {R"({"messages": []})", "`messages` must be a non-empty list"},
      {R"({"messages": "hi"})", "`messages` must be a non-empty list"},
      {R"({"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]})",
       "end with a user turn"},
      {R"({"messages": [{"role": "assistant", "content": "a"}]})", "message 0 must have role \"user\""},
      {R"({"messages": [{"role": "user", "content": "a"}, {"role": "user", "content": "b"},
          {"role": "user", "content": "c"}]})", "message 1 must have role \"assistant\""},
      {R"({"messages": [{"role": "user", "content": 5}]})", "string `role` and `content`"},
      {R"({"messages": [{"role": "user", "content": ""}]})", "the last user message is empty"},
      {"{" + kOneTurn + R"(, "system": 5})", "`system` must be a string"},
      {"{" + kOneTurn + R"(, "max_new_tokens": 0})", "`max_new_tokens` must be between 1 and 8192"},
      {"{" + kOneTurn + R"(, "max_new_tokens": 8193})", "`max_new_tokens` must be between 1 and 8192"},
      {"{" + kOneTurn + R"(, "max_new_tokens": "8"})", "`max_new_tokens` must be an integer"},
      {"{" + kOneTurn + R"(, "max_new_tokens": 1.5})", "`max_new_tokens` must be an integer"},
      {"{" + kOneTurn + R"(, "top_p": 0})", "`top_p` must be in (0, 1]"},
      {"{" + kOneTurn + R"(, "top_p": 1.01})", "`top_p` must be in (0, 1]"},
      {"{" + kOneTurn + R"(, "temperature": -0.1})", "`temperature` must be 0 (greedy) or more"},
      {"{" + kOneTurn + R"(, "temperature": "hot"})", "`temperature` must be a number"},
      {std::string(100, '[') + std::string(100, ']'), "nests deeper"},
      {"{\"messages\": [{\"role\": \"user\", \"content\": \"\xff\xfe\"}]}", "not valid JSON"},
  };
  for (const auto& [body, message] : cases) {
    EXPECT_NE(refusal(body).find(message), std::string::npos) << body << "\n→ " << refusal(body);
  }
}

TEST(WebChatRequest, ALargerYamlDefaultRaisesTheTokenBound) {
  WebChatDefaults d;
  d.max_new_tokens = 20000;
  EXPECT_EQ(parse_webchat_request("{" + kOneTurn + R"(, "max_new_tokens": 20000})", d).overrides.max_new_tokens,
            20000);
  EXPECT_NE(refusal("{" + kOneTurn + R"(, "max_new_tokens": 20001})", d).find("between 1 and 20000"),
            std::string::npos);
}
