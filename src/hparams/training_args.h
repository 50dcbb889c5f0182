// The training keys: Hugging Face Seq2SeqTrainingArguments (transformers 4.x
// defaults) as LLaMA-Factory users write them, plus LLaMA-Factory's extras.
// logging_steps, save_steps and eval_steps are numbers as in transformers
// (a value below 1 is a fraction of the total steps).
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "hparams/field.h"

namespace lf::hparams {

struct TrainingArguments {
  std::optional<std::string> output_dir;
  bool overwrite_output_dir = false;
  bool do_train = false;
  bool do_eval = false;
  bool do_predict = false;
  std::string eval_strategy = "no";
  bool prediction_loss_only = false;
  int64_t per_device_train_batch_size = 8;
  int64_t per_device_eval_batch_size = 8;
  int64_t gradient_accumulation_steps = 1;
  std::optional<int64_t> eval_accumulation_steps;
  double eval_delay = 0.0;
  double learning_rate = 5e-5;
  double weight_decay = 0.0;
  double adam_beta1 = 0.9;
  double adam_beta2 = 0.999;
  double adam_epsilon = 1e-8;
  double max_grad_norm = 1.0;
  double num_train_epochs = 3.0;
  int64_t max_steps = -1;
  std::string lr_scheduler_type = "linear";
  double warmup_ratio = 0.0;
  int64_t warmup_steps = 0;
  std::string log_level = "passive";
  std::optional<std::string> logging_dir;
  std::string logging_strategy = "steps";
  bool logging_first_step = false;
  double logging_steps = 500;
  bool logging_nan_inf_filter = true;
  std::string save_strategy = "steps";
  double save_steps = 500;
  std::optional<int64_t> save_total_limit;
  bool save_safetensors = true;
  bool save_only_model = false;
  bool use_cpu = false;
  int64_t seed = 42;
  std::optional<int64_t> data_seed;
  bool bf16 = false;
  bool fp16 = false;
  std::optional<bool> tf32;
  int64_t local_rank = -1;
  std::optional<std::string> ddp_backend;
  bool dataloader_drop_last = false;
  std::optional<double> eval_steps;  // unset: logging_steps
  int64_t dataloader_num_workers = 0;
  std::optional<int64_t> dataloader_prefetch_factor;
  bool dataloader_pin_memory = true;
  bool dataloader_persistent_workers = false;
  std::optional<std::string> run_name;
  std::optional<bool> disable_tqdm;
  bool remove_unused_columns = true;
  std::optional<std::string> label_names;
  bool load_best_model_at_end = false;
  std::optional<std::string> metric_for_best_model;
  std::optional<bool> greater_is_better;
  bool ignore_data_skip = false;
  std::optional<std::string> deepspeed;
  double label_smoothing_factor = 0.0;
  std::string optim = "adamw_torch";
  std::optional<std::string> report_to;  // unset: every installed integration
  std::optional<bool> ddp_find_unused_parameters;
  int64_t ddp_timeout = 1800;  // seconds
  bool gradient_checkpointing = false;
  bool include_num_input_tokens_seen = false;
  bool push_to_hub = false;
  std::optional<std::string> hub_model_id;
  std::optional<std::string> hub_token;
  std::optional<std::string> resume_from_checkpoint;
  bool torch_compile = false;
  bool full_determinism = false;
  std::optional<double> neftune_noise_alpha;
  bool predict_with_generate = false;
  std::optional<int64_t> generation_max_length;  // unset: cutoff_len
  std::optional<int64_t> generation_num_beams;
  bool sortish_sampler = false;
  // LLaMA-Factory extras.
  bool fp8 = false;
  std::string fp8_backend = "auto";
  bool fp8_enable_fsdp_float8_all_gather = false;
  std::optional<std::string> ray_run_name;
  std::string ray_storage_path = "./saves";
  int64_t ray_num_workers = 1;
  std::string placement_strategy = "PACK";

  template <typename V>
  void visit(V& v) {
    v("output_dir", output_dir);
    v("overwrite_output_dir", overwrite_output_dir);
    v("do_train", do_train);
    v("do_eval", do_eval);
    v("do_predict", do_predict);
    v("eval_strategy", eval_strategy, {"no", "steps", "epoch"});
    v("prediction_loss_only", prediction_loss_only);
    v("per_device_train_batch_size", per_device_train_batch_size);
    v("per_device_eval_batch_size", per_device_eval_batch_size);
    v("gradient_accumulation_steps", gradient_accumulation_steps);
    v("eval_accumulation_steps", eval_accumulation_steps);
    v("eval_delay", eval_delay);
    v("learning_rate", learning_rate);
    v("weight_decay", weight_decay);
    v("adam_beta1", adam_beta1);
    v("adam_beta2", adam_beta2);
    v("adam_epsilon", adam_epsilon);
    v("max_grad_norm", max_grad_norm);
    v("num_train_epochs", num_train_epochs);
    v("max_steps", max_steps);
    v("lr_scheduler_type", lr_scheduler_type,
      {"linear", "cosine", "cosine_with_restarts", "polynomial", "constant",
       "constant_with_warmup", "inverse_sqrt", "reduce_lr_on_plateau", "cosine_with_min_lr",
       "cosine_warmup_with_min_lr", "warmup_stable_decay"});
    v("warmup_ratio", warmup_ratio);
    v("warmup_steps", warmup_steps);
    v("log_level", log_level, {"passive", "debug", "info", "warning", "error", "critical"});
    v("logging_dir", logging_dir);
    v("logging_strategy", logging_strategy, {"no", "steps", "epoch"});
    v("logging_first_step", logging_first_step);
    v("logging_steps", logging_steps);
    v("logging_nan_inf_filter", logging_nan_inf_filter);
    v("save_strategy", save_strategy, {"no", "steps", "epoch", "best"});
    v("save_steps", save_steps);
    v("save_total_limit", save_total_limit);
    v("save_safetensors", save_safetensors);
    v("save_only_model", save_only_model);
    v("use_cpu", use_cpu);
    v("seed", seed);
    v("data_seed", data_seed);
    v("bf16", bf16);
    v("fp16", fp16);
    v("tf32", tf32);
    v("local_rank", local_rank);
    v("ddp_backend", ddp_backend);
    v("dataloader_drop_last", dataloader_drop_last);
    v("eval_steps", eval_steps);
    v("dataloader_num_workers", dataloader_num_workers);
    v("dataloader_prefetch_factor", dataloader_prefetch_factor);
    v("dataloader_pin_memory", dataloader_pin_memory);
    v("dataloader_persistent_workers", dataloader_persistent_workers);
    v("run_name", run_name);
    v("disable_tqdm", disable_tqdm);
    v("remove_unused_columns", remove_unused_columns);
    v("label_names", label_names);
    v("load_best_model_at_end", load_best_model_at_end);
    v("metric_for_best_model", metric_for_best_model);
    v("greater_is_better", greater_is_better);
    v("ignore_data_skip", ignore_data_skip);
    v("deepspeed", deepspeed);
    v("label_smoothing_factor", label_smoothing_factor);
    v("optim", optim);
    v("report_to", report_to);
    v("ddp_find_unused_parameters", ddp_find_unused_parameters);
    v("ddp_timeout", ddp_timeout);
    v("gradient_checkpointing", gradient_checkpointing);
    v("include_num_input_tokens_seen", include_num_input_tokens_seen);
    v("push_to_hub", push_to_hub);
    v("hub_model_id", hub_model_id);
    v("hub_token", hub_token);
    v("resume_from_checkpoint", resume_from_checkpoint);
    v("torch_compile", torch_compile);
    v("full_determinism", full_determinism);
    v("neftune_noise_alpha", neftune_noise_alpha);
    v("predict_with_generate", predict_with_generate);
    v("generation_max_length", generation_max_length);
    v("generation_num_beams", generation_num_beams);
    v("sortish_sampler", sortish_sampler);
    v("fp8", fp8);
    v("fp8_backend", fp8_backend);
    v("fp8_enable_fsdp_float8_all_gather", fp8_enable_fsdp_float8_all_gather);
    v("ray_run_name", ray_run_name);
    v("ray_storage_path", ray_storage_path);
    v("ray_num_workers", ray_num_workers);
    v("placement_strategy", placement_strategy);
  }
};

}  // namespace lf::hparams
