#include "cli/command.h"
#include "cli/unavailable.h"
#include "hparams/args.h"

namespace {

int run_webui(const std::vector<std::string>& args) {
  lf::cli::refuse_unavailable("webui", args, lf::hparams::kInferGroups);
}

}  // namespace

LF_REGISTER_COMMAND(webui, "webui", "launch LlamaBoard", run_webui);
