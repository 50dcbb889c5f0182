// `llamafactory-cli webchat`: LLaMA-Factory's web demo (a chat box with the
// chat tab's sampling controls) as one self-contained page over a ChatEngine.
// GET / serves the page, GET /api/config its starting values, POST /api/chat
// streams the answer as server-sent events. One answer is generated at a
// time, as Gradio's queue does by default (concurrency_limit=1).
#pragma once
#include <cstddef>
#include <memory>
#include <string>

#include "infer/chat_engine.h"
#include "serve/http_loop.h"
#include "serve/webchat_request.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace lf::serve {

struct WebChatOptions {
  std::string host = "0.0.0.0";
  int port = 7860;          // 0: any free port
  int ports_to_try = 1;     // on a busy port, try the next ones (Gradio's search)
  std::string title = "LLaMA Factory Web Demo";
  std::string model_name;   // shown under the title
  WebChatDefaults defaults;
  size_t max_body_bytes = 4u << 20;  // larger bodies get 413
};

// Gradio's variables: GRADIO_SERVER_NAME (bind address; default 0.0.0.0, or
// :: with GRADIO_IPV6), GRADIO_SERVER_PORT (when unset, the first free port of
// 7860-7959, as Gradio). GRADIO_SHARE is refused: there is no share tunnel.
// Malformed values are lf::Errors naming the variable.
WebChatOptions webchat_options_from_env();

class WebChatServer {
 public:
  // `engine` is borrowed and must outlive the server.
  WebChatServer(const infer::ChatEngine& engine, WebChatOptions options);
  ~WebChatServer();
  WebChatServer(const WebChatServer&) = delete;
  WebChatServer& operator=(const WebChatServer&) = delete;

  // Binds and returns the port; an lf::Error says why not (port in use,
  // address not on this machine) and which variable to change.
  int bind();
  // Serves until stop(); call after bind().
  void serve();
  // Ends serve() and any answer in flight (from any thread).
  void stop();

 private:
  void routes();
  void chat(const httplib::Request& req, httplib::Response& res);

  const infer::ChatEngine& engine_;
  WebChatOptions options_;
  std::unique_ptr<httplib::Server> http_;
  HttpLoop loop_{*http_};
};

}  // namespace lf::serve
