#include "cli/command.h"
#include "cli/unavailable.h"
#include "hparams/args.h"

namespace {

int run_webchat(const std::vector<std::string>& args) {
  lf::cli::refuse_unavailable("webchat", args, lf::hparams::kInferGroups);
}

}  // namespace

LF_REGISTER_COMMAND(webchat, "webchat", "launch a chat interface in Web UI", run_webchat);
