// LLaMA-Factory's DataArguments (hparams/data_args.py).
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "hparams/field.h"

namespace lf::hparams {

struct DataArguments {
  std::optional<std::string> template_;  // key `template` (a C++ keyword)
  std::optional<std::string> dataset;    // comma list of dataset_info.json names
  std::optional<std::string> eval_dataset;
  std::string dataset_dir = "data";
  std::optional<std::string> media_dir;  // defaults to dataset_dir
  int64_t cutoff_len = 2048;
  bool train_on_prompt = false;
  bool mask_history = false;
  bool streaming = false;
  int64_t buffer_size = 16384;
  std::string mix_strategy = "concat";
  std::optional<std::string> interleave_probs;
  bool overwrite_cache = false;
  int64_t preprocessing_batch_size = 1000;
  std::optional<int64_t> preprocessing_num_workers;
  std::optional<int64_t> max_samples;
  std::optional<int64_t> eval_num_beams;
  bool ignore_pad_token_for_loss = true;
  double val_size = 0.0;  // fraction in [0, 1) or a whole count of examples
  bool eval_on_each_dataset = false;
  std::optional<bool> packing;  // unset: true for stage pt, else false
  bool neat_packing = false;
  std::optional<std::string> tool_format;
  std::optional<std::string> default_system;
  bool enable_thinking = true;
  bool preserve_thinking = false;
  std::optional<std::string> tokenized_path;
  bool data_shared_file_system = false;

  template <typename V>
  void visit(V& v) {
    v("template", template_);
    v("dataset", dataset);
    v("eval_dataset", eval_dataset);
    v("dataset_dir", dataset_dir);
    v("media_dir", media_dir);
    v("cutoff_len", cutoff_len);
    v("train_on_prompt", train_on_prompt);
    v("mask_history", mask_history);
    v("streaming", streaming);
    v("buffer_size", buffer_size);
    v("mix_strategy", mix_strategy,
      {"concat", "interleave_under", "interleave_over", "interleave_once"});
    v("interleave_probs", interleave_probs);
    v("overwrite_cache", overwrite_cache);
    v("preprocessing_batch_size", preprocessing_batch_size);
    v("preprocessing_num_workers", preprocessing_num_workers);
    v("max_samples", max_samples);
    v("eval_num_beams", eval_num_beams);
    v("ignore_pad_token_for_loss", ignore_pad_token_for_loss);
    v("val_size", val_size);
    v("eval_on_each_dataset", eval_on_each_dataset);
    v("packing", packing);
    v("neat_packing", neat_packing);
    v("tool_format", tool_format);
    v("default_system", default_system);
    v("enable_thinking", enable_thinking);
    v("preserve_thinking", preserve_thinking);
    v("tokenized_path", tokenized_path);
    v("data_shared_file_system", data_shared_file_system);
  }
};

}  // namespace lf::hparams
