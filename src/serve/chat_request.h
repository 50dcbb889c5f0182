// POST /v1/chat/completions: the request body parsed and validated with
// LLaMA-Factory's rules (api/chat.py), ready for the chat engine.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "data/example.h"
#include "infer/chat_engine.h"

namespace lf::serve {

// Upper bounds that keep one request from monopolising the server.
inline constexpr int64_t kMaxChoices = 16;
inline constexpr size_t kMaxStopStrings = 16;

struct ChatRequest {
  std::string model;
  std::vector<data::Message> messages;  // user/observation, assistant/function, ..., user/observation
  std::string system;                   // "" = the template's default
  std::string tools;                    // JSON list of the functions, "" when none
  infer::GenerationOverrides overrides;
  int64_t n = 1;
  std::vector<std::string> stop;
  bool stream = false;
};

// Throws ApiError: 422 for a body that is not JSON or has fields of the wrong
// type (FastAPI's validation status), 400 with LLaMA-Factory's messages for
// conversations it refuses ("Invalid length", "Only supports u/a/u/a/u...",
// "Invalid role", "Cannot stream function calls.", ...).
ChatRequest parse_chat_request(const std::string& body);

}  // namespace lf::serve
