// Raw HTTP helpers for the serve tests: JSON requests with the test key and
// the data payloads of a server-sent-event stream.
#pragma once
#include <httplib.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace lf::test {

inline const std::string kTestKey = "sk-serve-test";

struct HttpReply {
  int status = 0;  // 0: no answer (body says why)
  std::string body;
  nlohmann::json json() const { return nlohmann::json::parse(body, nullptr, false); }
};

inline httplib::Client client(int port) {
  httplib::Client c("127.0.0.1", port);
  c.set_read_timeout(30, 0);
  return c;
}

inline HttpReply post(int port, const std::string& body, const std::string& key = kTestKey,
                      const std::string& path = "/v1/chat/completions") {
  auto c = client(port);
  httplib::Headers h;
  if (!key.empty()) h.emplace("Authorization", "Bearer " + key);
  auto r = c.Post(path.c_str(), h, body, "application/json");
  return r ? HttpReply{r->status, r->body} : HttpReply{0, "no answer: " + httplib::to_string(r.error())};
}

inline HttpReply get(int port, const std::string& path, const std::string& key = kTestKey) {
  auto c = client(port);
  httplib::Headers h;
  if (!key.empty()) h.emplace("Authorization", "Bearer " + key);
  auto r = c.Get(path.c_str(), h);
  return r ? HttpReply{r->status, r->body} : HttpReply{0, "no answer: " + httplib::to_string(r.error())};
}

// The `data:` payloads of an event stream, in order.
inline std::vector<std::string> sse_payloads(const std::string& body) {
  std::vector<std::string> out;
  size_t pos = 0;
  while ((pos = body.find("data: ", pos)) != std::string::npos) {
    size_t end = body.find("\n\n", pos);
    if (end == std::string::npos) end = body.size();
    out.push_back(body.substr(pos + 6, end - pos - 6));
    pos = end;
  }
  return out;
}

// Concatenated delta contents of a stream and its finish_reason.
struct StreamedAnswer {
  std::string content, finish_reason;
  bool done = false;  // ended with [DONE]
};

inline StreamedAnswer read_stream(const std::string& body) {
  StreamedAnswer a;
  for (const auto& p : sse_payloads(body)) {
    if (p == "[DONE]") {
      a.done = true;
      continue;
    }
    auto j = nlohmann::json::parse(p, nullptr, false);
    if (j.is_discarded() || !j.contains("choices")) continue;
    const auto& c = j["choices"][0];
    if (c["delta"].contains("content")) a.content += c["delta"]["content"].get<std::string>();
    if (c.contains("finish_reason")) a.finish_reason = c["finish_reason"].get<std::string>();
  }
  return a;
}

}  // namespace lf::test
