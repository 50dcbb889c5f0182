#include "serve/api_server.h"

#include <httplib.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstdlib>
#include <future>

#include "core/error.h"
#include "core/log.h"
#include "serve/api_error.h"
#include "serve/api_json.h"
#include "serve/chat_request.h"
#include "serve/stop_matcher.h"

namespace lf::serve {

namespace {

using nlohmann::json;

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

void send_json(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(dump(body), "application/json");
}

// Compares in time independent of where the strings differ, so the key cannot
// be guessed byte by byte from response times.
bool constant_time_equal(const std::string& a, const std::string& b) {
  const size_t n = std::max(a.size(), b.size());
  unsigned diff = a.size() == b.size() ? 0u : 1u;
  for (size_t i = 0; i < n; ++i) {
    const unsigned x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0u;
    const unsigned y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0u;
    diff |= x ^ y;
  }
  return diff == 0;
}

std::string sse(const json& payload) { return "data: " + dump(payload) + "\n\n"; }

// Connections served at once; more wait in the queue. Each waits on its
// request's tokens (the engine batches them) or on the network.
constexpr size_t kConnectionThreads = 32;
constexpr int kListenBacklog = 512;

}  // namespace

std::string ApiServer::status_text(int status) const {
  switch (status) {
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 413: return "the request body is larger than " + std::to_string(options_.max_body_bytes) + " bytes";
    default: return "HTTP error " + std::to_string(status);
  }
}

ApiOptions api_options_from_env() {
  ApiOptions o;
  o.host = env_or("API_HOST", o.host);
  const std::string port = env_or("API_PORT", "8000");
  char* end = nullptr;
  long p = std::strtol(port.c_str(), &end, 10);
  LF_CHECK(end && *end == '\0' && p >= 0 && p <= 65535, "API_PORT=", port, " is not a port number (0-65535)");
  o.port = static_cast<int>(p);
  o.api_key = env_or("API_KEY", "");
  o.model_name = env_or("API_MODEL_NAME", o.model_name);
  return o;
}

ApiServer::ApiServer(const infer::ChatEngine& engine, ApiOptions options)
    : engine_(engine), options_(std::move(options)), http_(std::make_unique<httplib::Server>()) {
  http_->set_payload_max_length(options_.max_body_bytes);
  http_->new_task_queue = [] { return new httplib::ThreadPool(kConnectionThreads); };
  // The library listens with a backlog of 5 (a compile-time setting of the
  // packaged build): a burst of simultaneous clients overflows it and some of
  // them are reset. Remember the listening socket to raise it after bind().
  // Only SO_REUSEADDR, not httplib's default SO_REUSEPORT: with it a second
  // server on a busy port would start and silently take half the clients.
  http_->set_socket_options([this](int sock) {
    const int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    listen_fd_ = sock;
  });
  routes();
}

ApiServer::~ApiServer() { stop(); }

int ApiServer::bind() {
  int port = options_.port;
  if (port == 0) {
    port = http_->bind_to_any_port(options_.host);
  } else if (!http_->bind_to_port(options_.host, port)) {
    port = -1;
  }
  LF_CHECK(port > 0, "cannot listen on ", options_.host, ":", options_.port,
           ": the address is invalid or the port is in use; set API_HOST / API_PORT");
  // Calling listen() again on a listening socket only changes its backlog.
  if (listen_fd_ >= 0) ::listen(listen_fd_, kListenBacklog);
  options_.port = port;
  return port;
}

void ApiServer::serve() { loop_.serve(); }

void ApiServer::stop() { loop_.stop(); }

bool ApiServer::authorized(const httplib::Request& req) const {
  if (options_.api_key.empty()) return true;
  return constant_time_equal(req.get_header_value("Authorization"), "Bearer " + options_.api_key);
}

void ApiServer::routes() {
  // CORS is open to every origin, as upstream's middleware is.
  http_->set_default_headers({{"Access-Control-Allow-Origin", "*"},
                              {"Access-Control-Allow-Methods", "*"},
                              {"Access-Control-Allow-Headers", "*"}});
  http_->set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (req.method == "OPTIONS") {
      res.status = 204;
      return httplib::Server::HandlerResponse::Handled;
    }
    if (!authorized(req)) {
      send_json(res, 401, error_body(401, "Invalid API key."));
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  // httplib answers unknown routes, oversized bodies and the like itself; give
  // those answers a JSON body too.
  http_->set_error_handler(httplib::Server::HandlerWithResponse(
      [this](const httplib::Request&, httplib::Response& res) {
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        send_json(res, res.status, error_body(res.status, status_text(res.status)));
        return httplib::Server::HandlerResponse::Handled;
      }));
  http_->Get("/health", [](const httplib::Request&, httplib::Response& res) {
    send_json(res, 200, {{"status", "ok"}});
  });
  http_->Get("/v1/models", [this](const httplib::Request&, httplib::Response& res) {
    send_json(res, 200, models_body(options_.model_name, unix_now()));
  });
  http_->Post("/v1/chat/completions", [this](const httplib::Request& req, httplib::Response& res) {
    try {
      chat_completions(req, res);
    } catch (const ApiError& e) {
      send_json(res, e.status(), error_body(e.status(), e.what()));
    } catch (const Error& e) {
      // Engine errors are about the request (e.g. a prompt longer than the context).
      send_json(res, 400, error_body(400, e.what()));
    } catch (const std::exception& e) {
      log::error("chat completion failed: ", e.what());
      send_json(res, 500, error_body(500, e.what()));
    }
  });
}

void ApiServer::chat_completions(const httplib::Request& http_req, httplib::Response& res) {
  auto req = std::make_shared<ChatRequest>(parse_chat_request(http_req.body));
  if (req->stream) {
    stream(std::move(req), res);
  } else {
    complete(*req, res);
  }
}

void ApiServer::complete(const ChatRequest& req, httplib::Response& res) {
  const std::string id = completion_id();
  const int64_t created = unix_now();
  // The n answers are generated concurrently: the engine decodes them together.
  std::vector<std::future<std::pair<Choice, infer::Reply>>> answers;
  for (int64_t i = 0; i < req.n; ++i)
    answers.push_back(std::async(std::launch::async, [this, &req] {
      StopMatcher stop(req.stop);
      std::string text;
      infer::Reply r = engine_.chat_until(req.messages, req.system, req.tools, req.overrides,
                                          [&](const std::string& piece) {
                                            text += stop.push(piece);
                                            return !stop.stopped() && !loop_.stopping();
                                          });
      text += stop.flush();
      return std::make_pair(Choice{text, stop.stopped() ? "stop" : r.finish_reason}, r);
    }));
  std::vector<Choice> choices;
  int64_t prompt_tokens = 0, completion_tokens = 0;
  for (auto& a : answers) {
    auto [choice, r] = a.get();
    choices.push_back(choice);
    prompt_tokens = r.prompt_tokens;
    completion_tokens += r.completion_tokens;
  }
  send_json(res, 200, completion_body(id, req.model, created, choices, prompt_tokens, completion_tokens));
}

void ApiServer::stream(std::shared_ptr<const ChatRequest> req, httplib::Response& res) {
  const std::string id = completion_id();
  const int64_t created = unix_now();
  res.set_header("Cache-Control", "no-cache");
  // Runs after the headers are sent, on the connection's thread; a failed
  // write means the client is gone and ends generation at the next token.
  res.set_chunked_content_provider("text/event-stream", [this, req, id, created](size_t, httplib::DataSink& sink) {
    bool open = true;
    auto send = [&](const json& payload) {
      const std::string event = sse(payload);
      if (open) open = sink.write(event.data(), event.size());
      return open;
    };
    auto chunk = [&](const json& delta, const std::optional<std::string>& finish) {
      return send(chunk_body(id, req->model, created, delta, finish));
    };
    chunk({{"role", "assistant"}, {"content", ""}}, std::nullopt);
    StopMatcher stop(req->stop);
    std::string finish = "stop";
    try {
      infer::Reply r = engine_.chat_until(req->messages, req->system, req->tools, req->overrides,
                                          [&](const std::string& piece) {
                                            std::string text = stop.push(piece);
                                            if (!text.empty()) chunk({{"content", text}}, std::nullopt);
                                            return open && !stop.stopped() && !loop_.stopping();
                                          });
      if (!stop.stopped()) finish = r.finish_reason;
    } catch (const std::exception& e) {
      // The status line is gone already: report in-band, as OpenAI's streams do.
      send(error_body(400, e.what()));
      sink.done();
      return open;
    }
    const std::string rest = stop.flush();
    if (!rest.empty()) chunk({{"content", rest}}, std::nullopt);
    chunk(json::object(), finish);
    const std::string done = "data: [DONE]\n\n";
    if (open) open = sink.write(done.data(), done.size());
    sink.done();
    return open;
  });
}

}  // namespace lf::serve
