#include "cli/command.h"
#include "hparams/args.h"
#include "train/trainer.h"

namespace {

int run_train(const std::vector<std::string>& args) {
  lf::hparams::Args parsed = lf::hparams::parse_args(args, lf::hparams::kTrainGroups);
  return lf::train::run_train(parsed);
}

}  // namespace

LF_REGISTER_COMMAND(train, "train", "train models", run_train);
