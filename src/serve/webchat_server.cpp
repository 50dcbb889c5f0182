#include "serve/webchat_server.h"

#include <httplib.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "core/error.h"
#include "core/log.h"
#include "hparams/env_flag.h"
#include "serve/api_error.h"
#include "serve/api_json.h"
#include "serve/webchat_page.h"

namespace lf::serve {

namespace {

using nlohmann::json;

constexpr int kGradioFirstPort = 7860;
constexpr int kGradioPortsToTry = 100;

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

void send_json(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(dump(body), "application/json");
}

std::string sse(const json& payload) { return "data: " + dump(payload) + "\n\n"; }

// The errno of binding host:port the way httplib does (-1: the host does not
// resolve), to say why httplib could not.
int bind_error(const std::string& host, int port) {
  addrinfo hints{}, *found = nullptr;
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0 || !found) return -1;
  int err = 0;
  const int fd = ::socket(found->ai_family, found->ai_socktype, found->ai_protocol);
  if (fd < 0) {
    err = errno;
  } else {
    const int yes = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    if (::bind(fd, found->ai_addr, found->ai_addrlen) != 0) err = errno;
    ::close(fd);
  }
  freeaddrinfo(found);
  return err;
}

std::string describe_bind_error(int err, const std::string& host, int port) {
  switch (err) {
    case -1: return host + " is not an address or host name this machine resolves; set GRADIO_SERVER_NAME";
    case EADDRNOTAVAIL: return host + " is not an address of this machine; set GRADIO_SERVER_NAME";
    case EACCES: return "port " + std::to_string(port) + " needs privileges; set GRADIO_SERVER_PORT above 1023";
    case 0: return "the address could not be bound";
    default: return std::strerror(err);
  }
}

// The body of every error answer: {"error": message}.
std::string status_message(int status, size_t max_body) {
  switch (status) {
    case 400: return "Bad Request";
    case 404: return "Not Found: the page is at / and the chat at POST /api/chat";
    case 405: return "Method Not Allowed";
    case 413: return "the request is larger than " + std::to_string(max_body) + " bytes: clear the history";
    default: return "HTTP error " + std::to_string(status);
  }
}

}  // namespace

WebChatOptions webchat_options_from_env() {
  LF_CHECK(!hparams::env_flag("GRADIO_SHARE"),
           "GRADIO_SHARE is set, but llamafactory.cpp has no share tunnel (Gradio's *.gradio.live links): "
           "unset GRADIO_SHARE and reach the page through GRADIO_SERVER_NAME / GRADIO_SERVER_PORT "
           "(e.g. over an SSH tunnel)");
  WebChatOptions o;
  o.host = env_or("GRADIO_SERVER_NAME", hparams::env_flag("GRADIO_IPV6") ? "::" : "0.0.0.0");
  // Gradio writes the IPv6 wildcard as "[::]"; getaddrinfo wants it bare.
  if (o.host.size() > 2 && o.host.front() == '[' && o.host.back() == ']') o.host = o.host.substr(1, o.host.size() - 2);
  const char* port = std::getenv("GRADIO_SERVER_PORT");
  if (port && *port) {
    char* end = nullptr;
    const long p = std::strtol(port, &end, 10);
    LF_CHECK(end && *end == '\0' && p >= 0 && p <= 65535, "GRADIO_SERVER_PORT=", port,
             " is not a port number (0-65535; 0 picks a free one)");
    o.port = static_cast<int>(p);
    o.ports_to_try = 1;
  } else {
    o.port = kGradioFirstPort;
    o.ports_to_try = kGradioPortsToTry;
  }
  return o;
}

WebChatServer::WebChatServer(const infer::ChatEngine& engine, WebChatOptions options)
    : engine_(engine), options_(std::move(options)), http_(std::make_unique<httplib::Server>()) {
  http_->set_payload_max_length(options_.max_body_bytes);
  // httplib's default adds SO_REUSEPORT, which lets a second server share a
  // busy port (the kernel then splits the clients between the two). Only
  // SO_REUSEADDR: a restart may reuse a port in TIME_WAIT, a live one is refused.
  http_->set_socket_options([](int sock) {
    const int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  routes();
}

WebChatServer::~WebChatServer() { stop(); }

int WebChatServer::bind() {
  const std::string& host = options_.host;
  if (options_.port == 0) {
    const int port = http_->bind_to_any_port(host);
    LF_CHECK(port > 0, "cannot listen on ", host, ": ", describe_bind_error(bind_error(host, 0), host, 0));
    return options_.port = port;
  }
  const int first = options_.port, last = std::min(first + std::max(options_.ports_to_try, 1) - 1, 65535);
  for (int port = first; port <= last; ++port) {
    if (http_->bind_to_port(host, port)) {
      if (port != first) log::info("Port ", first, " is in use, so the web demo takes port ", port);
      return options_.port = port;
    }
    const int err = bind_error(host, port);
    if (err != EADDRINUSE) fail("cannot listen on ", host, ":", port, ": ", describe_bind_error(err, host, port));
  }
  if (first == last)
    fail("cannot listen on ", host, ":", first, ": the port is in use (another web demo or web UI?). "
         "Stop that program, or choose another port, e.g. GRADIO_SERVER_PORT=", first + 1,
         " (0 picks a free one)");
  fail("cannot listen on ", host, ": ports ", first, "-", last,
       " are all in use. Free one, or choose a port with GRADIO_SERVER_PORT (0 picks a free one)");
}

void WebChatServer::serve() { loop_.serve(); }

void WebChatServer::stop() { loop_.stop(); }

void WebChatServer::routes() {
  // The page is self-contained: it may talk to this server only, and no other
  // site may frame it.
  http_->set_default_headers({{"X-Content-Type-Options", "nosniff"},
                              {"Content-Security-Policy",
                               "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
                               "connect-src 'self'; img-src data:; frame-ancestors 'none'"}});
  http_->set_error_handler(httplib::Server::HandlerWithResponse(
      [this](const httplib::Request&, httplib::Response& res) {
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        send_json(res, res.status, {{"error", status_message(res.status, options_.max_body_bytes)}});
        return httplib::Server::HandlerResponse::Handled;
      }));
  http_->Get("/", [](const httplib::Request&, httplib::Response& res) {
    res.set_header("Cache-Control", "no-cache");
    res.set_content(std::string(webchat_page()), "text/html; charset=utf-8");
  });
  http_->Get("/api/config", [this](const httplib::Request&, httplib::Response& res) {
    const WebChatDefaults& d = options_.defaults;
    send_json(res, 200, {{"title", options_.title},
                         {"model", options_.model_name},
                         {"max_new_tokens", d.max_new_tokens},
                         {"max_new_tokens_limit", d.max_new_tokens_limit()},
                         {"top_p", d.top_p},
                         {"temperature", d.temperature}});
  });
  http_->Post("/api/chat", [this](const httplib::Request& req, httplib::Response& res) {
    try {
      chat(req, res);
    } catch (const ApiError& e) {
      send_json(res, e.status(), {{"error", e.what()}});
    }
  });
}

void WebChatServer::chat(const httplib::Request& http_req, httplib::Response& res) {
  auto req = std::make_shared<const WebChatRequest>(parse_webchat_request(http_req.body, options_.defaults));
  res.set_header("Cache-Control", "no-cache");
  // Runs after the headers are sent, on the connection's thread; a failed
  // write means the page is gone (closed, or its Stop button) and ends
  // generation at the next token.
  res.set_chunked_content_provider("text/event-stream", [this, req](size_t, httplib::DataSink& sink) {
    bool open = true;
    auto send = [&](const json& payload) {
      const std::string event = sse(payload);
      if (open) open = sink.write(event.data(), event.size());
      return open;
    };
    try {
      const infer::Reply r = engine_.chat_until(req->messages, req->system, "", req->overrides,
                                                [&](const std::string& piece) {
                                                  return send({{"text", piece}}) && !loop_.stopping();
                                                });
      send({{"finish_reason", r.finish_reason},
            {"prompt_tokens", r.prompt_tokens},
            {"completion_tokens", r.completion_tokens}});
    } catch (const std::exception& e) {
      // The status line is gone already: the page shows this in place of the answer.
      send({{"error", e.what()}});
    }
    sink.done();
    return open;
  });
}

}  // namespace lf::serve
