#include "train/train_plan.h"

#include <regex>

#include "core/error.h"
#include "core/log.h"
#include "core/runtime.h"
#include "dist/launcher.h"
#include "models/model_source.h"
#include "ops/backend.h"

namespace fs = std::filesystem;

namespace lf::train {

std::optional<fs::path> last_checkpoint(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return std::nullopt;
  static const std::regex pattern(R"(checkpoint-(\d+))");
  std::optional<fs::path> best;
  long best_step = -1;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::smatch m;
    std::string name = e.path().filename().string();
    if (e.is_directory() && std::regex_match(name, m, pattern)) {
      long step = std::stol(m[1]);
      if (step > best_step) {
        best_step = step;
        best = e.path();
      }
    }
  }
  return best;
}

namespace {

// The launcher's per-rank log folder does not count: it is created before the workers look.
bool non_empty_dir(const fs::path& p) {
  std::error_code ec;
  if (!fs::is_directory(p, ec)) return false;
  for (const auto& e : fs::directory_iterator(p, ec)) {
    // The logs of an earlier attempt are rewritten by this one.
    if (e.path().filename() != dist::kRankLogDir && e.path().filename() != kRunningLog) return true;
  }
  return false;
}

}  // namespace

TrainPlan plan_training(const hparams::Args& args) {
  TrainPlan plan;
  plan.args = args;
  const auto& ft = args.finetuning;
  const auto& tr = args.training;
  if (ft.stage == "sft") plan.stage = data::Stage::sft;
  else if (ft.stage == "pt") plan.stage = data::Stage::pt;
  else fail("stage: ", ft.stage, " is not supported yet; use stage: sft or stage: pt");

  if (ft.finetuning_type == "lora") plan.method = Method::lora;
  else if (ft.finetuning_type == "full") plan.method = Method::full;
  else if (ft.finetuning_type == "freeze") plan.method = Method::freeze;
  else fail("finetuning_type: ", ft.finetuning_type, " is not supported yet; use lora, full or freeze");
  LF_CHECK(!ft.use_dora && !ft.pissa_init && !ft.use_galore && !ft.use_apollo && !ft.use_badam &&
               !ft.loraplus_lr_ratio,
           "use_dora, pissa_init, loraplus, GaLore, APOLLO and BAdam are not supported yet: "
           "remove them from the config");
  LF_CHECK(args.model.model_name_or_path && !args.model.model_name_or_path->empty(),
           "model_name_or_path is required: a Hugging Face model directory (config.json + "
           "safetensors + tokenizer.json)");
  // A local directory, or a hub id downloaded into (or found in) the hub cache.
  plan.model_dir = models::locate_model(args.model);
  LF_CHECK(args.data.dataset && !args.data.dataset->empty(),
           "dataset is required for training: name one or more entries of ",
           args.data.dataset_dir, "/dataset_info.json");
  LF_CHECK(tr.output_dir && !tr.output_dir->empty(), "output_dir is required for training");
  plan.output_dir = *tr.output_dir;
  LF_CHECK(!(tr.bf16 && tr.fp16), "bf16 and fp16 cannot both be true: choose one");

  ops::init_backends();  // device discovery needs every compiled backend registered
  plan.dist = dist::dist_env_from_environment();
  plan.device = resolve_device(args.model.device);
  if (plan.dist.distributed() && plan.device.type != DeviceType::cpu) {
    // One process per device: worker LOCAL_RANK takes the LOCAL_RANK'th visible device.
    int count = runtime_for(plan.device).device_count();
    LF_CHECK(plan.dist.local_rank < count, "LOCAL_RANK=", plan.dist.local_rank, " but only ", count,
             " ", device_type_name(plan.device.type), " device(s) are visible on this node: "
             "start at most as many processes per node as devices (NPROC_PER_NODE, or the "
             "visibility variable ", visibility_variable_name(plan.device.type), ")");
    plan.device.index = plan.dist.local_rank;
  }
  plan.compute_dtype = tr.bf16 || ft.pure_bf16 ? DType::bf16 : tr.fp16 ? DType::f16 : DType::f32;
  if (plan.compute_dtype == DType::f32) {
    log::warn("We recommend enable mixed precision training.");
  }
  if (plan.compute_dtype == DType::bf16 &&
      !runtime_for(plan.device).supports_dtype(plan.device.index, DType::bf16)) {
    log::warn(runtime_for(plan.device).info(plan.device.index).name, " (", plan.device.str(),
              ") has no bfloat16: training in float16 with dynamic loss scaling instead");
    plan.compute_dtype = DType::f16;
  }
  plan.loss_scaling = plan.compute_dtype == DType::f16;
  plan.gradient_checkpointing = !args.model.disable_gradient_checkpointing;

  if (tr.resume_from_checkpoint && !tr.resume_from_checkpoint->empty()) {
    fs::path r = *tr.resume_from_checkpoint;
    LF_CHECK(fs::is_directory(r), "resume_from_checkpoint: ", r.string(), " is not a directory");
    plan.resume_from = r;
  } else if (tr.do_train && non_empty_dir(plan.output_dir) && !tr.overwrite_output_dir) {
    auto last = last_checkpoint(plan.output_dir);
    LF_CHECK(last, "Output directory already exists and is not empty. Please set "
                   "`overwrite_output_dir`.");
    plan.resume_from = *last;
    log::info("Resuming training from ", last->string(),
              ". Change `output_dir` or use `overwrite_output_dir` to avoid.");
  }
  return plan;
}

data::DataOptions data_options(const TrainPlan& plan) {
  const auto& d = plan.args.data;
  data::DataOptions o;
  o.dataset = d.dataset.value_or("");
  o.eval_dataset = d.eval_dataset.value_or("");
  o.dataset_dir = d.dataset_dir;
  o.template_name = d.template_.value_or("");
  o.cutoff_len = d.cutoff_len;
  o.train_on_prompt = d.train_on_prompt;
  o.mask_history = d.mask_history;
  o.streaming = d.streaming;
  o.mix_strategy = d.mix_strategy;
  o.interleave_probs = d.interleave_probs.value_or("");
  o.max_samples = d.max_samples;
  o.val_size = d.val_size;
  o.packing = d.packing;
  o.neat_packing = d.neat_packing;
  o.tool_format = d.tool_format;
  o.default_system = d.default_system;
  o.enable_thinking = d.enable_thinking;
  o.preserve_thinking = d.preserve_thinking;
  o.tokenized_path = d.tokenized_path.value_or("");
  o.ignore_pad_token_for_loss = d.ignore_pad_token_for_loss;
  o.cache_dir = plan.args.model.cache_dir;
  o.hf_hub_token = plan.args.model.hf_hub_token;
  o.ms_hub_token = plan.args.model.ms_hub_token;
  o.seed = static_cast<uint64_t>(plan.args.training.seed);
  o.stage = plan.stage;
  return o;
}

}  // namespace lf::train
