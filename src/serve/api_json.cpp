#include "serve/api_json.h"

#include <chrono>
#include <random>

namespace lf::serve {

using nlohmann::json;

std::string completion_id() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  static const char* hex = "0123456789abcdef";
  std::string id = "chatcmpl-";
  for (int i = 0; i < 32; ++i) id += hex[rng() & 15];
  return id;
}

int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch()).count();
}

json models_body(const std::string& model_name, int64_t created) {
  return {{"object", "list"},
          {"data", json::array({{{"id", model_name}, {"object", "model"}, {"created", created}, {"owned_by", "owner"}}})}};
}

json completion_body(const std::string& id, const std::string& model, int64_t created,
                     const std::vector<Choice>& choices, int64_t prompt_tokens, int64_t completion_tokens) {
  json list = json::array();
  for (size_t i = 0; i < choices.size(); ++i) {
    list.push_back({{"index", i},
                    {"message", {{"role", "assistant"}, {"content", choices[i].content}}},
                    {"finish_reason", choices[i].finish_reason}});
  }
  return {{"id", id},
          {"object", "chat.completion"},
          {"created", created},
          {"model", model},
          {"choices", list},
          {"usage",
           {{"prompt_tokens", prompt_tokens},
            {"completion_tokens", completion_tokens},
            {"total_tokens", prompt_tokens + completion_tokens}}}};
}

json chunk_body(const std::string& id, const std::string& model, int64_t created, const json& delta,
                const std::optional<std::string>& finish_reason) {
  json choice = {{"index", 0}, {"delta", delta}};
  if (finish_reason) choice["finish_reason"] = *finish_reason;
  return {{"id", id},
          {"object", "chat.completion.chunk"},
          {"created", created},
          {"model", model},
          {"choices", json::array({choice})}};
}

json error_body(int status, const std::string& message) {
  const char* type = status == 401 ? "authentication_error"
                     : status >= 500 ? "server_error"
                                     : "invalid_request_error";
  return {{"detail", message}, {"error", {{"message", message}, {"type", type}, {"param", nullptr}, {"code", status}}}};
}

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

}  // namespace lf::serve
