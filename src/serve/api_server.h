// The OpenAI-compatible HTTP API over one ChatEngine (LLaMA-Factory's
// api/app.py): GET /v1/models, POST /v1/chat/completions (JSON or server-sent
// events), GET /health. Requests are served from a thread pool and generated
// concurrently: the chat engine batches them (continuous batching).
#pragma once
#include <cstddef>
#include <memory>
#include <string>

#include "infer/chat_engine.h"
#include "serve/http_loop.h"
#include "serve/chat_request.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace lf::serve {

struct ApiOptions {
  std::string host = "0.0.0.0";
  int port = 8000;                         // 0: any free port
  std::string api_key;                     // "" = no authentication
  std::string model_name = "gpt-3.5-turbo";
  size_t max_body_bytes = 16u << 20;       // larger bodies get 413
};

// API_HOST, API_PORT, API_KEY, API_MODEL_NAME from the environment, with
// LLaMA-Factory's defaults; a malformed API_PORT is an lf::Error.
ApiOptions api_options_from_env();

class ApiServer {
 public:
  // `engine` is borrowed and must outlive the server.
  ApiServer(const infer::ChatEngine& engine, ApiOptions options);
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  // Binds host:port and returns the port (the chosen one for port 0); an
  // lf::Error names the address when it is taken or invalid.
  int bind();
  // Serves until stop(); call after bind().
  void serve();
  // Ends serve() and any streams in flight (from any thread).
  void stop();

 private:
  void routes();
  bool authorized(const httplib::Request& req) const;
  std::string status_text(int status) const;
  void chat_completions(const httplib::Request& req, httplib::Response& res);
  void complete(const ChatRequest& req, httplib::Response& res);
  void stream(std::shared_ptr<const ChatRequest> req, httplib::Response& res);

  const infer::ChatEngine& engine_;
  ApiOptions options_;
  std::unique_ptr<httplib::Server> http_;
  HttpLoop loop_{*http_};
  int listen_fd_ = -1;
};

}  // namespace lf::serve
