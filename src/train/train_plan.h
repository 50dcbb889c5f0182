// What a `llamafactory-cli train` run will do, decided and validated before
// any data or weight is loaded: stage, method, device, dtype, output
// directory rules (LLaMA-Factory's auto-resume and refusal), resume point.
#pragma once
#include <filesystem>
#include <optional>
#include <string>

#include "core/device.h"
#include "core/dtype.h"
#include "data/options.h"
#include "dist/dist_env.h"
#include "hparams/args.h"

namespace lf::train {

// The text log of a run in output_dir (rank 0's log lines).
inline constexpr const char* kRunningLog = "running_log.txt";

enum class Method { lora, full, freeze };

struct TrainPlan {
  hparams::Args args;
  data::Stage stage = data::Stage::sft;
  Method method = Method::lora;
  Device device;
  DType compute_dtype = DType::f32;
  std::filesystem::path model_dir, output_dir;
  std::optional<std::filesystem::path> resume_from;  // a checkpoint-N directory
  bool gradient_checkpointing = true;
  bool loss_scaling = false;  // fp16 compute: dynamic loss scaling
  dist::DistEnv dist;         // this worker's place in a distributed run
};

TrainPlan plan_training(const hparams::Args& args);

// The DataOptions of a run, from the data and training groups.
data::DataOptions data_options(const TrainPlan& plan);

// The newest checkpoint-N directory in `dir` (largest N), if any.
std::optional<std::filesystem::path> last_checkpoint(const std::filesystem::path& dir);

}  // namespace lf::train
