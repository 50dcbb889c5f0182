#include "serve/chat_request.h"

#include <nlohmann/json.hpp>

#include "serve/api_error.h"
#include "serve/json_depth.h"

namespace lf::serve {

namespace {

using nlohmann::json;

// No valid request nests deeper than this (see json_depth.h).
constexpr int kMaxJsonDepth = 64;

[[noreturn]] void invalid(const std::string& what) { throw ApiError(422, what); }

const char* type_name(const json& v) { return v.type_name(); }

// Optional typed fields: absent or null leaves the default, as pydantic's Optional does.
bool present(const json& obj, const char* key) { return obj.contains(key) && !obj[key].is_null(); }

bool get_bool(const json& obj, const char* key) {
  const json& v = obj[key];
  if (!v.is_boolean()) invalid(std::string("`") + key + "` must be a boolean, not " + type_name(v));
  return v.get<bool>();
}

double get_number(const json& obj, const char* key) {
  const json& v = obj[key];
  if (!v.is_number()) invalid(std::string("`") + key + "` must be a number, not " + type_name(v));
  return v.get<double>();
}

int64_t get_int(const json& obj, const char* key) {
  const json& v = obj[key];
  if (!v.is_number_integer()) invalid(std::string("`") + key + "` must be an integer, not " + type_name(v));
  return v.get<int64_t>();
}

// LLaMA-Factory's ROLE_MAPPING: the API's "tool" is the template's observation.
data::Role map_role(const std::string& role) {
  if (role == "user") return data::Role::user;
  if (role == "assistant") return data::Role::assistant;
  if (role == "system") return data::Role::system;
  if (role == "function") return data::Role::function;
  if (role == "tool") return data::Role::observation;
  invalid("message role must be one of user, assistant, system, function, tool (got \"" + role + "\")");
}

// String content, or a list of parts whose text parts are concatenated.
std::string message_text(const json& content) {
  if (content.is_string()) return content.get<std::string>();
  if (!content.is_array()) invalid(std::string("message content must be a string or a list of parts, not ") +
                                   type_name(content));
  std::string text;
  for (const json& part : content) {
    if (!part.is_object() || !part.contains("type") || !part["type"].is_string())
      invalid("each content part must be an object with a string `type`");
    const std::string type = part["type"].get<std::string>();
    if (type != "text")
      throw ApiError(400, "content part type \"" + type + "\" is not supported: this server serves text models");
    if (!part.contains("text") || !part["text"].is_string()) invalid("a text content part needs a string `text`");
    text += part["text"].get<std::string>();
  }
  return text;
}

// Assistant tool_calls become one function message holding their JSON list.
std::string tool_calls_text(const json& calls) {
  json list = json::array();
  for (const json& call : calls) {
    if (!call.is_object() || !call.contains("function") || !call["function"].is_object())
      invalid("each tool call must be an object with a `function` object");
    const json& f = call["function"];
    if (!f.contains("name") || !f["name"].is_string() || !f.contains("arguments") || !f["arguments"].is_string())
      invalid("a tool call's function needs string `name` and `arguments`");
    list.push_back({{"name", f["name"]}, {"arguments", f["arguments"]}});
  }
  return list.dump();
}

struct RawMessage {
  data::Role role;
  const json* node;
};

void read_messages(const json& body, ChatRequest& req) {
  if (!body.contains("messages")) invalid("`messages` is required");
  const json& list = body["messages"];
  if (!list.is_array()) invalid(std::string("`messages` must be a list, not ") + type_name(list));
  std::vector<RawMessage> raw;
  for (const json& m : list) {
    if (!m.is_object()) invalid("each message must be an object");
    if (!m.contains("role") || !m["role"].is_string()) invalid("each message needs a string `role`");
    raw.push_back({map_role(m["role"].get<std::string>()), &m});
  }
  if (raw.empty()) throw ApiError(400, "Invalid length");
  size_t first = 0;
  if (raw[0].role == data::Role::system) {
    const json& c = (*raw[0].node)["content"];
    req.system = c.is_null() ? "" : message_text(c);
    first = 1;
  }
  if ((raw.size() - first) % 2 == 0) throw ApiError(400, "Only supports u/a/u/a/u...");
  for (size_t i = first; i < raw.size(); ++i) {
    const data::Role role = raw[i].role;
    const json& m = *raw[i].node;
    const bool even = (i - first) % 2 == 0;
    if (even && role != data::Role::user && role != data::Role::observation) throw ApiError(400, "Invalid role");
    if (!even && role != data::Role::assistant && role != data::Role::function)
      throw ApiError(400, "Invalid role");
    if (role == data::Role::assistant && m.contains("tool_calls") && m["tool_calls"].is_array() &&
        !m["tool_calls"].empty()) {
      req.messages.push_back({data::Role::function, tool_calls_text(m["tool_calls"])});
      continue;
    }
    if (!m.contains("content") || m["content"].is_null()) invalid("message " + std::to_string(i) + " has no content");
    req.messages.push_back({role, message_text(m["content"])});
  }
}

void read_tools(const json& body, ChatRequest& req) {
  if (!present(body, "tools")) return;
  const json& tools = body["tools"];
  if (!tools.is_array()) invalid("`tools` must be a list");
  if (tools.empty()) return;
  json functions = json::array();
  for (const json& t : tools) {
    if (!t.is_object() || !t.contains("function") || !t["function"].is_object()) throw ApiError(400, "Invalid tools");
    functions.push_back(t["function"]);
  }
  req.tools = functions.dump();
}

void read_sampling(const json& body, ChatRequest& req) {
  infer::GenerationOverrides& o = req.overrides;
  if (present(body, "do_sample")) o.do_sample = get_bool(body, "do_sample");
  if (present(body, "temperature")) {
    double t = get_number(body, "temperature");
    if (t < 0 || t > 100) throw ApiError(400, "`temperature` must be between 0 and 100");
    o.temperature = static_cast<float>(t);
  }
  if (present(body, "top_p")) {
    double p = get_number(body, "top_p");
    if (!(p > 0 && p <= 1)) throw ApiError(400, "`top_p` must be in (0, 1]");
    o.top_p = static_cast<float>(p);
  }
  if (present(body, "presence_penalty")) {
    double r = get_number(body, "presence_penalty");
    // LLaMA-Factory passes it on as Hugging Face's repetition_penalty, which must be positive.
    if (!(r > 0)) throw ApiError(400, "`presence_penalty` is used as repetition_penalty and must be positive");
    o.repetition_penalty = static_cast<float>(r);
  }
  if (present(body, "max_tokens")) {
    int64_t m = get_int(body, "max_tokens");
    if (m < 1) throw ApiError(400, "`max_tokens` must be at least 1");
    o.max_new_tokens = m;
  }
  if (present(body, "n")) {
    req.n = get_int(body, "n");
    if (req.n < 1 || req.n > kMaxChoices)
      throw ApiError(400, "`n` must be between 1 and " + std::to_string(kMaxChoices));
  }
  if (req.n > 1) {
    // As LLaMA-Factory's engine: several answers only make sense sampled.
    o.do_sample = true;
    if (o.temperature && *o.temperature == 0.0f) o.temperature = 1.0f;
  }
}

void read_stop(const json& body, ChatRequest& req) {
  if (!present(body, "stop")) return;
  const json& stop = body["stop"];
  std::vector<std::string> words;
  if (stop.is_string()) {
    words.push_back(stop.get<std::string>());
  } else if (stop.is_array()) {
    for (const json& s : stop) {
      if (!s.is_string()) invalid("`stop` must be a string or a list of strings");
      words.push_back(s.get<std::string>());
    }
  } else {
    invalid("`stop` must be a string or a list of strings");
  }
  if (words.size() > kMaxStopStrings)
    throw ApiError(400, "at most " + std::to_string(kMaxStopStrings) + " stop strings are allowed");
  for (auto& w : words)
    if (!w.empty()) req.stop.push_back(std::move(w));
}

}  // namespace

ChatRequest parse_chat_request(const std::string& body) {
  if (!json_nesting_within(body, kMaxJsonDepth)) invalid("the JSON body nests deeper than " + std::to_string(kMaxJsonDepth) + " levels");
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded()) invalid("the request body is not valid JSON");
  if (!j.is_object()) invalid("the request body must be a JSON object");
  ChatRequest req;
  if (present(j, "model")) {
    if (!j["model"].is_string()) invalid("`model` must be a string");
    req.model = j["model"].get<std::string>();
  }
  read_messages(j, req);
  read_tools(j, req);
  read_sampling(j, req);
  read_stop(j, req);
  if (present(j, "stream")) req.stream = get_bool(j, "stream");
  if (req.stream && !req.tools.empty()) throw ApiError(400, "Cannot stream function calls.");
  if (req.stream && req.n > 1) throw ApiError(400, "Cannot stream multiple responses.");
  return req;
}

}  // namespace lf::serve
