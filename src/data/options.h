// The data-related settings, under LLaMA-Factory's key names (DataArguments).
// The training command fills this from its typed hparams; data/ does not
// depend on hparams/ so that it can be used and tested on its own.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

namespace lf::data {

enum class Stage { pt, sft };

struct DataOptions {
  std::string dataset;                      // comma-separated names in dataset_info.json
  std::string eval_dataset;                 // same, evaluated separately
  std::string dataset_dir = "data";
  std::string template_name;                // the `template` key; "" = not set
  int64_t cutoff_len = 2048;
  bool train_on_prompt = false;
  bool mask_history = false;
  bool streaming = false;
  std::string mix_strategy = "concat";      // concat | interleave_under | interleave_over | interleave_once
  std::string interleave_probs;             // comma list, one per dataset; "" = round-robin
  std::optional<int64_t> max_samples;       // per dataset, the first N rows
  double val_size = 0.0;                    // fraction in [0, 1) or a count >= 1
  std::optional<bool> packing;              // unset: on for pt, off otherwise
  bool neat_packing = false;
  std::optional<std::string> tool_format;
  std::optional<std::string> default_system;
  bool enable_thinking = true;
  bool preserve_thinking = false;
  std::string tokenized_path;
  bool ignore_pad_token_for_loss = true;
  // From ModelArguments, for hub datasets as LLaMA-Factory passes them to
  // load_dataset / MsDataset.load; unset: the environment's (HF_HUB_CACHE, HF_TOKEN).
  std::optional<std::string> cache_dir, hf_hub_token, ms_hub_token;
  uint64_t seed = 42;                       // from TrainingArguments
  Stage stage = Stage::sft;

  bool packing_enabled() const { return neat_packing || packing.value_or(stage == Stage::pt); }
};

// LLaMA-Factory's DataArguments checks that concern data alone; throws
// lf::Error naming the offending keys.
void validate(const DataOptions& options);

}  // namespace lf::data
