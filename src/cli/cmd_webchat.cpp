// `llamafactory-cli webchat`: LLaMA-Factory's web demo, a chat page on
// GRADIO_SERVER_NAME:GRADIO_SERVER_PORT over the same engine as `chat`.
// SIGINT / SIGTERM end it gracefully (cli/serve_until_signal.h).
#include "cli/command.h"
#include "cli/serve_until_signal.h"
#include "core/log.h"
#include "hparams/args.h"
#include "infer/chat_engine.h"
#include "serve/webchat_server.h"

namespace {

// host:port as a URL writes it (IPv6 addresses in brackets).
std::string address(const std::string& host, int port) {
  const std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return h + ":" + std::to_string(port);
}

// The address to visit: the wildcards are reached through the loopback.
std::string visit_address(const std::string& host, int port) {
  if (host == "0.0.0.0") return address("127.0.0.1", port);
  if (host == "::") return address("::1", port);
  return address(host, port);
}

int run_webchat(const std::vector<std::string>& args) {
  lf::hparams::Args parsed = lf::hparams::parse_args(args, lf::hparams::kInferGroups);
  lf::serve::WebChatOptions options = lf::serve::webchat_options_from_env();
  const auto& gen = parsed.generating;
  options.defaults.max_new_tokens = gen.max_new_tokens > 0 ? gen.max_new_tokens : gen.max_length;
  options.defaults.top_p = gen.top_p;
  options.defaults.temperature = gen.temperature;
  options.model_name = parsed.model.model_name_or_path.value_or("");
  const sigset_t signals = lf::cli::block_stop_signals();

  lf::infer::ChatEngine engine(parsed);
  lf::serve::WebChatServer server(engine, options);
  const int port = server.bind();
  lf::log::info("Web demo listening on ", address(options.host, port), ". Visit http://",
                visit_address(options.host, port), " for the chat page; Ctrl-C stops it");
  lf::cli::serve_until_signal(server, signals, "the web demo");
  return 0;
}

}  // namespace

LF_REGISTER_COMMAND(webchat, "webchat", "launch a chat interface in Web UI", run_webchat);
