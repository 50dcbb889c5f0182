// `llamafactory-cli train`: the supervised fine-tuning / pre-training loop.
#pragma once
#include "hparams/args.h"

namespace lf::train {

// Runs training (and/or evaluation) as the arguments say. Returns the process
// exit code: 0 when done, 130/143 after SIGINT/SIGTERM (a checkpoint is saved
// first so the same command resumes).
int run_train(const hparams::Args& args);

}  // namespace lf::train
