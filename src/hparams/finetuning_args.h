// LLaMA-Factory's FinetuningArguments (hparams/finetuning_args.py): method,
// LoRA, freeze, OFT, RLHF and optimiser-plugin keys.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "hparams/field.h"

namespace lf::hparams {

struct FinetuningArguments {
  std::string stage = "sft";
  std::string finetuning_type = "lora";
  bool pure_bf16 = false;
  bool plot_loss = false;
  bool compute_accuracy = false;
  bool disable_shuffling = false;
  std::optional<int64_t> early_stopping_steps;
  bool include_effective_tokens_per_second = false;
  bool freeze_vision_tower = true;
  bool freeze_multi_modal_projector = true;
  bool freeze_language_model = false;
  bool use_llama_pro = false;
  bool use_adam_mini = false;
  bool use_muon = false;
  bool use_dft_loss = false;
  bool use_asft_loss = false;
  bool use_eaft_loss = false;
  // LoRA.
  int64_t lora_rank = 8;
  std::optional<int64_t> lora_alpha;  // unset: 2 * lora_rank
  double lora_dropout = 0.0;
  std::string lora_target = "all";
  std::optional<std::string> additional_target;
  std::optional<double> loraplus_lr_ratio;
  double loraplus_lr_embedding = 1e-6;
  bool use_rslora = false;
  bool use_dora = false;
  bool pissa_init = false;
  int64_t pissa_iter = 16;
  bool pissa_convert = false;
  bool create_new_adapter = false;
  // Freeze.
  int64_t freeze_trainable_layers = 2;  // last n layers; negative: first n
  std::string freeze_trainable_modules = "all";
  std::optional<std::string> freeze_extra_modules;
  // OFT.
  int64_t oft_rank = 0;
  int64_t oft_block_size = 32;
  std::string oft_target = "all";
  // RLHF.
  double pref_beta = 0.1;
  double pref_ftx = 0.0;
  std::string pref_loss = "sigmoid";
  double dpo_label_smoothing = 0.0;
  double kto_chosen_weight = 1.0;
  double kto_rejected_weight = 1.0;
  double simpo_gamma = 0.5;
  int64_t ppo_buffer_size = 1;
  int64_t ppo_epochs = 4;
  bool ppo_score_norm = false;
  double ppo_target = 6.0;
  bool ppo_whiten_rewards = false;
  std::optional<std::string> ref_model;
  std::optional<std::string> ref_model_adapters;
  std::optional<int64_t> ref_model_quantization_bit;
  std::optional<std::string> reward_model;
  std::optional<std::string> reward_model_adapters;
  std::optional<int64_t> reward_model_quantization_bit;
  std::string reward_model_type = "lora";
  // GaLore, APOLLO, BAdam optimisers and SwanLab logging.
  bool use_galore = false;
  bool galore_layerwise = false;
  std::string galore_target = "all";
  int64_t galore_rank = 16;
  int64_t galore_update_interval = 200;
  double galore_scale = 2.0;
  std::string galore_proj_type = "std";
  bool use_apollo = false;
  bool apollo_layerwise = false;
  std::string apollo_target = "all";
  int64_t apollo_rank = 16;
  int64_t apollo_update_interval = 200;
  double apollo_scale = 32.0;
  std::string apollo_proj = "random";
  std::string apollo_proj_type = "std";
  std::string apollo_scale_type = "channel";
  bool apollo_scale_front = false;
  bool use_badam = false;
  std::string badam_mode = "layer";
  std::optional<int64_t> badam_start_block;
  std::string badam_switch_mode = "ascending";
  int64_t badam_switch_interval = 50;
  double badam_update_ratio = 0.05;
  std::string badam_mask_mode = "adjacent";
  int64_t badam_verbose = 0;
  bool use_swanlab = false;
  std::string swanlab_project = "llamafactory";
  std::optional<std::string> swanlab_workspace;
  std::optional<std::string> swanlab_run_name;
  std::string swanlab_mode = "cloud";
  std::optional<std::string> swanlab_api_key;
  std::optional<std::string> swanlab_logdir;

  template <typename V>
  void visit(V& v) {
    v("stage", stage, {"pt", "sft", "rm", "ppo", "dpo", "kto"});
    v("finetuning_type", finetuning_type, {"lora", "oft", "freeze", "full"});
    v("pure_bf16", pure_bf16);
    v("plot_loss", plot_loss);
    v("compute_accuracy", compute_accuracy);
    v("disable_shuffling", disable_shuffling);
    v("early_stopping_steps", early_stopping_steps);
    v("include_effective_tokens_per_second", include_effective_tokens_per_second);
    v("freeze_vision_tower", freeze_vision_tower);
    v("freeze_multi_modal_projector", freeze_multi_modal_projector);
    v("freeze_language_model", freeze_language_model);
    v("use_llama_pro", use_llama_pro);
    v("use_adam_mini", use_adam_mini);
    v("use_muon", use_muon);
    v("use_dft_loss", use_dft_loss);
    v("use_asft_loss", use_asft_loss);
    v("use_eaft_loss", use_eaft_loss);
    v("lora_rank", lora_rank);
    v("lora_alpha", lora_alpha);
    v("lora_dropout", lora_dropout);
    v("lora_target", lora_target);
    v("additional_target", additional_target);
    v("loraplus_lr_ratio", loraplus_lr_ratio);
    v("loraplus_lr_embedding", loraplus_lr_embedding);
    v("use_rslora", use_rslora);
    v("use_dora", use_dora);
    v("pissa_init", pissa_init);
    v("pissa_iter", pissa_iter);
    v("pissa_convert", pissa_convert);
    v("create_new_adapter", create_new_adapter);
    v("freeze_trainable_layers", freeze_trainable_layers);
    v("freeze_trainable_modules", freeze_trainable_modules);
    v("freeze_extra_modules", freeze_extra_modules);
    v("oft_rank", oft_rank);
    v("oft_block_size", oft_block_size);
    v("oft_target", oft_target);
    v("pref_beta", pref_beta);
    v("pref_ftx", pref_ftx);
    v("pref_loss", pref_loss, {"sigmoid", "hinge", "ipo", "kto_pair", "orpo", "simpo"});
    v("dpo_label_smoothing", dpo_label_smoothing);
    v("kto_chosen_weight", kto_chosen_weight);
    v("kto_rejected_weight", kto_rejected_weight);
    v("simpo_gamma", simpo_gamma);
    v("ppo_buffer_size", ppo_buffer_size);
    v("ppo_epochs", ppo_epochs);
    v("ppo_score_norm", ppo_score_norm);
    v("ppo_target", ppo_target);
    v("ppo_whiten_rewards", ppo_whiten_rewards);
    v("ref_model", ref_model);
    v("ref_model_adapters", ref_model_adapters);
    v("ref_model_quantization_bit", ref_model_quantization_bit);
    v("reward_model", reward_model);
    v("reward_model_adapters", reward_model_adapters);
    v("reward_model_quantization_bit", reward_model_quantization_bit);
    v("reward_model_type", reward_model_type);
    v("use_galore", use_galore);
    v("galore_layerwise", galore_layerwise);
    v("galore_target", galore_target);
    v("galore_rank", galore_rank);
    v("galore_update_interval", galore_update_interval);
    v("galore_scale", galore_scale);
    v("galore_proj_type", galore_proj_type);
    v("use_apollo", use_apollo);
    v("apollo_layerwise", apollo_layerwise);
    v("apollo_target", apollo_target);
    v("apollo_rank", apollo_rank);
    v("apollo_update_interval", apollo_update_interval);
    v("apollo_scale", apollo_scale);
    v("apollo_proj", apollo_proj);
    v("apollo_proj_type", apollo_proj_type);
    v("apollo_scale_type", apollo_scale_type);
    v("apollo_scale_front", apollo_scale_front);
    v("use_badam", use_badam);
    v("badam_mode", badam_mode);
    v("badam_start_block", badam_start_block);
    v("badam_switch_mode", badam_switch_mode);
    v("badam_switch_interval", badam_switch_interval);
    v("badam_update_ratio", badam_update_ratio);
    v("badam_mask_mode", badam_mask_mode);
    v("badam_verbose", badam_verbose);
    v("use_swanlab", use_swanlab);
    v("swanlab_project", swanlab_project);
    v("swanlab_workspace", swanlab_workspace);
    v("swanlab_run_name", swanlab_run_name);
    v("swanlab_mode", swanlab_mode);
    v("swanlab_api_key", swanlab_api_key);
    v("swanlab_logdir", swanlab_logdir);
  }
};

}  // namespace lf::hparams
