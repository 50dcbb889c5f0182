// `train`: runs the training in this process, or, when LLaMA-Factory would
// re-launch itself under torchrun (several visible devices, FORCE_TORCHRUN,
// NPROC_PER_NODE or NNODES above 1), becomes the launcher of one worker per
// device. A process started with WORLD_SIZE set is a worker (of this launcher,
// of torchrun or of a user's script) and trains.
#include <filesystem>

#include "cli/command.h"
#include "core/runtime.h"
#include "core/visibility.h"
#include "dist/launch_config.h"
#include "dist/launch_process.h"
#include "dist/launcher.h"
#include "hparams/args.h"
#include "hparams/env_flag.h"
#include "train/trainer.h"

namespace {

// The devices of the family training will use. A setting with an index
// (`device: <family>:1`) pins one device.
lf::dist::DeviceOffer device_offer(const std::string& setting) {
  lf::Device d = lf::resolve_device(setting);
  lf::DeviceRuntime& rt = lf::runtime_for(d);
  lf::dist::DeviceOffer offer;
  offer.visible = setting.find(':') == std::string::npos ? rt.device_count() : 1;
  offer.host = d.type == lf::Device::cpu().type;
  offer.family = lf::device_type_name(d.type);
  offer.visibility_variable = rt.visibility_variable();
  return offer;
}

int run_train(const std::vector<std::string>& args) {
  lf::hparams::Args parsed = lf::hparams::parse_args(args, lf::hparams::kTrainGroups);
  if (lf::env_value("WORLD_SIZE")) return lf::train::run_train(parsed);
  auto config = lf::dist::plan_launch(lf::hparams::env_flag("FORCE_TORCHRUN"),
                                      device_offer(parsed.model.device), lf::env_value);
  if (!config) return lf::train::run_train(parsed);
  lf::dist::LaunchOptions options;
  options.config = *config;
  options.worker_argv = {lf::dist::self_executable(), "train"};
  options.worker_argv.insert(options.worker_argv.end(), args.begin(), args.end());
  const auto& out = parsed.training.output_dir;
  if (out && !out->empty()) options.output_dir = std::filesystem::path(*out);
  return lf::dist::launch_workers(options);
}

}  // namespace

LF_REGISTER_COMMAND(train, "train", "train models", run_train);
