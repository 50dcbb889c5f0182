// `llamafactory-cli api`: the OpenAI-compatible server on API_HOST:API_PORT.
// SIGINT / SIGTERM end it gracefully: they are blocked in every thread and
// taken synchronously by the main thread, which then stops the server.
#include <pthread.h>

#include <csignal>
#include <thread>

#include "cli/command.h"
#include "core/log.h"
#include "hparams/args.h"
#include "infer/chat_engine.h"
#include "serve/api_server.h"

namespace {

int run_api(const std::vector<std::string>& args) {
  lf::hparams::Args parsed = lf::hparams::parse_args(args, lf::hparams::kInferGroups);
  lf::serve::ApiOptions options = lf::serve::api_options_from_env();
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  // Before any thread exists, so every thread inherits the mask.
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  lf::infer::ChatEngine engine(parsed);
  lf::serve::ApiServer server(engine, options);
  const int port = server.bind();
  lf::log::info("API server ready on http://", options.host, ":", port, " (model name ", options.model_name,
                options.api_key.empty() ? ", no API key)" : ", API key required)");
  std::thread loop([&server] { server.serve(); });
  int sig = 0;
  sigwait(&signals, &sig);
  lf::log::info("Received ", sig == SIGINT ? "SIGINT" : "SIGTERM", ", shutting down the API server");
  server.stop();
  loop.join();
  return 0;
}

}  // namespace

LF_REGISTER_COMMAND(api, "api", "launch an OpenAI-style API server", run_api);
