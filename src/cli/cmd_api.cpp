// `llamafactory-cli api`: the OpenAI-compatible server on API_HOST:API_PORT.
// SIGINT / SIGTERM end it gracefully (cli/serve_until_signal.h).
#include "cli/command.h"
#include "cli/serve_until_signal.h"
#include "core/log.h"
#include "hparams/args.h"
#include "infer/chat_engine.h"
#include "serve/api_server.h"

namespace {

int run_api(const std::vector<std::string>& args) {
  lf::hparams::Args parsed = lf::hparams::parse_args(args, lf::hparams::kInferGroups);
  lf::serve::ApiOptions options = lf::serve::api_options_from_env();
  const sigset_t signals = lf::cli::block_stop_signals();

  lf::infer::ChatEngine engine(parsed);
  lf::serve::ApiServer server(engine, options);
  const int port = server.bind();
  lf::log::info("API server ready on http://", options.host, ":", port, " (model name ", options.model_name,
                options.api_key.empty() ? ", no API key)" : ", API key required)");
  lf::cli::serve_until_signal(server, signals, "the API server");
  return 0;
}

}  // namespace

LF_REGISTER_COMMAND(api, "api", "launch an OpenAI-style API server", run_api);
