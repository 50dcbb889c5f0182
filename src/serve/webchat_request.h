// POST /api/chat of the web chat page: the conversation and the chat tab's
// sampling controls, parsed and checked before any generation starts.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "data/example.h"
#include "infer/chat_engine.h"

namespace lf::serve {

// The chat tab's controls and their starting values (the YAML's generating
// arguments), also the bounds a request is checked against.
struct WebChatDefaults {
  int64_t max_new_tokens = 1024;
  double top_p = 0.7;
  double temperature = 0.95;
  // The chat tab's slider goes to 8192; a larger YAML value raises the bound.
  int64_t max_new_tokens_limit() const { return max_new_tokens > 8192 ? max_new_tokens : 8192; }
};

struct WebChatRequest {
  std::vector<data::Message> messages;  // user, assistant, ..., user
  std::string system;                   // "" = the template's default
  infer::GenerationOverrides overrides;
};

// Body: {"messages": [{"role": "user"|"assistant", "content": "..."}, ...],
// "system": "...", "max_new_tokens": n, "top_p": x, "temperature": t}; every
// field but messages is optional (defaults fill in). temperature 0 decodes
// greedily. Throws ApiError(400) whose message names the field and the fix.
WebChatRequest parse_webchat_request(const std::string& body, const WebChatDefaults& defaults);

}  // namespace lf::serve
