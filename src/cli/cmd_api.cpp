#include "cli/command.h"
#include "cli/unavailable.h"
#include "hparams/args.h"

namespace {

int run_api(const std::vector<std::string>& args) {
  lf::cli::refuse_unavailable("api", args, lf::hparams::kInferGroups);
}

}  // namespace

LF_REGISTER_COMMAND(api, "api", "launch an OpenAI-style API server", run_api);
