// The JSON bodies the API answers with, in the shapes of LLaMA-Factory's
// protocol.py (which follows OpenAI's).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace lf::serve {

struct Choice {
  std::string content;
  std::string finish_reason;  // "stop" | "length"
};

// "chatcmpl-" + 32 random hex digits, like uuid4().hex upstream.
std::string completion_id();
int64_t unix_now();

nlohmann::json models_body(const std::string& model_name, int64_t created);
nlohmann::json completion_body(const std::string& id, const std::string& model, int64_t created,
                               const std::vector<Choice>& choices, int64_t prompt_tokens,
                               int64_t completion_tokens);
// One streamed chunk; finish_reason is left out of the chunks before the last.
nlohmann::json chunk_body(const std::string& id, const std::string& model, int64_t created,
                          const nlohmann::json& delta, const std::optional<std::string>& finish_reason);
// FastAPI's {"detail": message} (what LLaMA-Factory's clients read) together
// with OpenAI's {"error": {...}} (what the OpenAI client libraries read).
nlohmann::json error_body(int status, const std::string& message);

// Serialises text from the model or the client without throwing on invalid UTF-8.
std::string dump(const nlohmann::json& j);

}  // namespace lf::serve
