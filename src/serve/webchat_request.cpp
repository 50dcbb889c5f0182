#include "serve/webchat_request.h"

#include <cmath>

#include <nlohmann/json.hpp>

#include "serve/api_error.h"
#include "serve/json_depth.h"

namespace lf::serve {

namespace {

using nlohmann::json;

// Bodies are parsed only when they nest no deeper than a chat request ever
// does, so a hostile "[[[[..." cannot exhaust the stack.
constexpr int kMaxDepth = 8;

[[noreturn]] void bad(const std::string& message) { throw ApiError(400, message); }

bool given(const json& obj, const char* key) { return obj.contains(key) && !obj[key].is_null(); }

double number(const json& obj, const char* key) {
  const json& v = obj[key];
  if (!v.is_number()) bad(std::string("`") + key + "` must be a number, not " + v.type_name());
  const double x = v.get<double>();
  if (!std::isfinite(x)) bad(std::string("`") + key + "` must be a finite number");
  return x;
}

std::vector<data::Message> conversation(const json& body) {
  if (!body.contains("messages") || !body["messages"].is_array() || body["messages"].empty())
    bad("`messages` must be a non-empty list of {\"role\", \"content\"} turns");
  const json& list = body["messages"];
  if (list.size() % 2 == 0)
    bad("`messages` must alternate user and assistant turns and end with a user turn (got " +
        std::to_string(list.size()) + " turns)");
  std::vector<data::Message> out;
  for (size_t i = 0; i < list.size(); ++i) {
    const json& m = list[i];
    const char* expected = i % 2 == 0 ? "user" : "assistant";
    if (!m.is_object() || !m.contains("role") || !m["role"].is_string() || !m.contains("content") ||
        !m["content"].is_string())
      bad("message " + std::to_string(i) + " must be an object with string `role` and `content`");
    if (m["role"].get<std::string>() != expected)
      bad("message " + std::to_string(i) + " must have role \"" + expected +
          "\": turns alternate user and assistant, starting and ending with user");
    out.push_back({i % 2 == 0 ? data::Role::user : data::Role::assistant, m["content"].get<std::string>()});
  }
  if (out.back().content.empty()) bad("the last user message is empty: type a message first");
  return out;
}

}  // namespace

WebChatRequest parse_webchat_request(const std::string& body, const WebChatDefaults& defaults) {
  if (!json_nesting_within(body, kMaxDepth)) bad("the request body nests deeper than a chat request does");
  const json j = json::parse(body, nullptr, false);
  if (j.is_discarded()) bad("the request body is not valid JSON (UTF-8)");
  if (!j.is_object()) bad("the request body must be a JSON object");
  WebChatRequest r;
  r.messages = conversation(j);
  if (given(j, "system")) {
    if (!j["system"].is_string()) bad("`system` must be a string");
    r.system = j["system"].get<std::string>();
  }
  int64_t max_new_tokens = defaults.max_new_tokens;
  if (given(j, "max_new_tokens")) {
    if (!j["max_new_tokens"].is_number_integer()) bad("`max_new_tokens` must be an integer");
    max_new_tokens = j["max_new_tokens"].get<int64_t>();
  }
  if (max_new_tokens < 1 || max_new_tokens > defaults.max_new_tokens_limit())
    bad("`max_new_tokens` must be between 1 and " + std::to_string(defaults.max_new_tokens_limit()) + " (got " +
        std::to_string(max_new_tokens) + ")");
  const double top_p = given(j, "top_p") ? number(j, "top_p") : defaults.top_p;
  if (!(top_p > 0 && top_p <= 1)) bad("`top_p` must be in (0, 1] (got " + std::to_string(top_p) + ")");
  const double temperature = given(j, "temperature") ? number(j, "temperature") : defaults.temperature;
  if (temperature < 0) bad("`temperature` must be 0 (greedy) or more (got " + std::to_string(temperature) + ")");
  r.overrides.max_new_tokens = max_new_tokens;
  r.overrides.top_p = static_cast<float>(top_p);
  // As LLaMA-Factory's engine: a zero temperature means greedy decoding.
  if (temperature == 0) r.overrides.do_sample = false;
  else r.overrides.temperature = static_cast<float>(temperature);
  return r;
}

}  // namespace lf::serve
