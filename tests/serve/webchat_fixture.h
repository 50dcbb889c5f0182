// The web chat server of the serve tests, started in-process over the tiny
// model on 127.0.0.1 and a free port; stopped and joined when it goes away.
#pragma once
#include <filesystem>
#include <string>
#include <thread>

#include "serve/webchat_server.h"
#include "serve_fixture.h"

namespace lf::test {

class RunningWebChat {
 public:
  explicit RunningWebChat(const std::filesystem::path& model, serve::WebChatOptions options = {})
      : engine_(infer_args(model)), server_(engine_, prepare(std::move(options))) {
    port_ = server_.bind();
    loop_ = std::thread([this] { server_.serve(); });
  }
  ~RunningWebChat() {
    server_.stop();
    loop_.join();
  }
  int port() const { return port_; }
  const infer::ChatEngine& engine() const { return engine_; }

 private:
  static serve::WebChatOptions prepare(serve::WebChatOptions o) {
    o.host = "127.0.0.1";
    o.port = 0;
    return o;
  }
  infer::ChatEngine engine_;
  serve::WebChatServer server_;
  int port_ = 0;
  std::thread loop_;
};

// The answer of the tiny model to `messages` under the same settings the page
// sends, generated straight from the engine (no HTTP), greedily.
inline std::string greedy_reply(const infer::ChatEngine& engine, const std::vector<data::Message>& messages,
                                int64_t max_new_tokens, const std::string& system = "") {
  infer::GenerationOverrides o;
  o.do_sample = false;
  o.max_new_tokens = max_new_tokens;
  return engine.chat(messages, system, "", o).text;
}

}  // namespace lf::test
