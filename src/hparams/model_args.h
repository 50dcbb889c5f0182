// LLaMA-Factory's ModelArguments (hparams/model_args.py): key names and
// defaults as upstream, plus `device`, this project's explicit device choice.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "hparams/field.h"

namespace lf::hparams {

struct ModelArguments {
  std::optional<std::string> model_name_or_path;
  std::optional<std::string> adapter_name_or_path;  // comma list, applied in order
  std::optional<std::string> adapter_folder;
  std::optional<std::string> cache_dir;
  bool use_fast_tokenizer = true;
  bool resize_vocab = false;
  bool split_special_tokens = false;
  std::optional<std::string> add_tokens;
  std::optional<std::string> add_special_tokens;
  std::string model_revision = "main";
  bool low_cpu_mem_usage = true;
  std::optional<std::string> rope_scaling;
  std::string flash_attn = "auto";
  bool shift_attn = false;
  std::optional<std::string> mixture_of_depths;
  bool use_unsloth = false;
  bool use_unsloth_gc = false;
  bool enable_liger_kernel = false;
  std::optional<double> moe_aux_loss_coef;
  bool disable_gradient_checkpointing = false;
  bool use_reentrant_gc = true;
  bool upcast_layernorm = false;
  bool upcast_lmhead_output = false;
  bool train_from_scratch = false;
  std::string infer_backend = "huggingface";
  std::string offload_folder = "offload";
  bool use_kv_cache = true;
  bool use_v1_kernels = false;
  std::string infer_dtype = "auto";
  std::optional<std::string> hf_hub_token;
  std::optional<std::string> ms_hub_token;
  std::optional<std::string> om_hub_token;
  bool print_param_status = false;
  bool trust_remote_code = false;
  // Quantisation.
  std::string quantization_method = "bnb";
  std::optional<int64_t> quantization_bit;
  std::string quantization_type = "nf4";
  bool double_quantization = true;
  std::optional<std::string> quantization_device_map;
  // Multimodal processor.
  int64_t image_max_pixels = 768 * 768;
  int64_t image_min_pixels = 32 * 32;
  int64_t video_max_pixels = 256 * 256;
  int64_t video_min_pixels = 16 * 16;
  double video_fps = 2.0;
  int64_t video_maxlen = 128;
  int64_t audio_sampling_rate = 16000;
  // vLLM and SGLang engines (refused by this build's loader, parsed for compatibility).
  int64_t vllm_maxlen = 4096;
  double vllm_gpu_util = 0.7;
  bool vllm_enforce_eager = false;
  int64_t vllm_max_lora_rank = 32;
  std::optional<std::string> vllm_config;
  int64_t sglang_maxlen = 4096;
  double sglang_mem_fraction = 0.7;
  int64_t sglang_tp_size = -1;
  std::optional<std::string> sglang_config;
  std::string sglang_lora_backend = "triton";
  // auto | cpu | npu | npu:N | cuda | cuda:N (auto: NPU, else CUDA, else CPU).
  std::string device = "auto";

  template <typename V>
  void visit(V& v) {
    v("model_name_or_path", model_name_or_path);
    v("adapter_name_or_path", adapter_name_or_path);
    v("adapter_folder", adapter_folder);
    v("cache_dir", cache_dir);
    v("use_fast_tokenizer", use_fast_tokenizer);
    v("resize_vocab", resize_vocab);
    v("split_special_tokens", split_special_tokens);
    v("add_tokens", add_tokens);
    v("add_special_tokens", add_special_tokens);
    v("model_revision", model_revision);
    v("low_cpu_mem_usage", low_cpu_mem_usage);
    v("rope_scaling", rope_scaling, {"linear", "dynamic", "yarn", "llama3"});
    v("flash_attn", flash_attn, {"auto", "disabled", "sdpa", "fa2", "fa3"});
    v("shift_attn", shift_attn);
    v("mixture_of_depths", mixture_of_depths, {"convert", "load"});
    v("use_unsloth", use_unsloth);
    v("use_unsloth_gc", use_unsloth_gc);
    v("enable_liger_kernel", enable_liger_kernel);
    v("moe_aux_loss_coef", moe_aux_loss_coef);
    v("disable_gradient_checkpointing", disable_gradient_checkpointing);
    v("use_reentrant_gc", use_reentrant_gc);
    v("upcast_layernorm", upcast_layernorm);
    v("upcast_lmhead_output", upcast_lmhead_output);
    v("train_from_scratch", train_from_scratch);
    v("infer_backend", infer_backend, {"huggingface", "vllm", "sglang", "ktransformers"});
    v("offload_folder", offload_folder);
    v("use_kv_cache", use_kv_cache);
    v("use_v1_kernels", use_v1_kernels);
    v("infer_dtype", infer_dtype, {"auto", "float16", "bfloat16", "float32"});
    v("hf_hub_token", hf_hub_token);
    v("ms_hub_token", ms_hub_token);
    v("om_hub_token", om_hub_token);
    v("print_param_status", print_param_status);
    v("trust_remote_code", trust_remote_code);
    v("quantization_method", quantization_method,
      {"bnb", "gptq", "awq", "aqlm", "quanto", "eetq", "hqq", "mxfp4", "fp8"});
    v("quantization_bit", quantization_bit);
    v("quantization_type", quantization_type, {"fp4", "nf4"});
    v("double_quantization", double_quantization);
    v("quantization_device_map", quantization_device_map, {"auto"});
    v("image_max_pixels", image_max_pixels);
    v("image_min_pixels", image_min_pixels);
    v("video_max_pixels", video_max_pixels);
    v("video_min_pixels", video_min_pixels);
    v("video_fps", video_fps);
    v("video_maxlen", video_maxlen);
    v("audio_sampling_rate", audio_sampling_rate);
    v("vllm_maxlen", vllm_maxlen);
    v("vllm_gpu_util", vllm_gpu_util);
    v("vllm_enforce_eager", vllm_enforce_eager);
    v("vllm_max_lora_rank", vllm_max_lora_rank);
    v("vllm_config", vllm_config);
    v("sglang_maxlen", sglang_maxlen);
    v("sglang_mem_fraction", sglang_mem_fraction);
    v("sglang_tp_size", sglang_tp_size);
    v("sglang_config", sglang_config);
    v("sglang_lora_backend", sglang_lora_backend);
    v("device", device);
  }
};

}  // namespace lf::hparams
