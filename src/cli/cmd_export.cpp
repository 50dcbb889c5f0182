#include "cli/command.h"
#include "cli/unavailable.h"
#include "hparams/args.h"

namespace {

int run_export(const std::vector<std::string>& args) {
  lf::cli::refuse_unavailable("export", args, lf::hparams::kInferGroups);
}

}  // namespace

LF_REGISTER_COMMAND(export, "export", "merge LoRA adapters and export model", run_export);
