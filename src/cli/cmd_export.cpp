// `llamafactory-cli export`: merge adapters into the base model and write a
// Hugging Face model directory (see infer/export.h).
#include "cli/command.h"
#include "hparams/args.h"
#include "infer/export.h"

namespace {

int run_export(const std::vector<std::string>& args) {
  lf::infer::export_model(lf::hparams::parse_args(args, lf::hparams::kInferGroups));
  return 0;
}

}  // namespace

LF_REGISTER_COMMAND(export, "export", "merge LoRA adapters and export model", run_export);
