// ModelSpec -> config.json, in the form transformers writes for each family.
#include <nlohmann/json.hpp>

#include "models/model_spec.h"

namespace lf::models {

using nlohmann::ordered_json;

namespace {

ordered_json rope_scaling_json(const RopeScaling& r) {
  if (r.kind == "default") return nullptr;
  ordered_json j = {{"rope_type", r.kind}, {"factor", r.factor}};
  if (r.original_max_position_embeddings > 0)
    j["original_max_position_embeddings"] = r.original_max_position_embeddings;
  if (r.kind == "llama3") {
    j["low_freq_factor"] = r.low_freq_factor;
    j["high_freq_factor"] = r.high_freq_factor;
  }
  if (r.kind == "yarn") {
    j["beta_fast"] = r.beta_fast;
    j["beta_slow"] = r.beta_slow;
    if (r.attention_factor) j["attention_factor"] = *r.attention_factor;
    if (r.mscale) j["mscale"] = *r.mscale;
    if (r.mscale_all_dim) j["mscale_all_dim"] = *r.mscale_all_dim;
  }
  return j;
}

ordered_json ids_json(const std::vector<int64_t>& ids) {
  if (ids.empty()) return nullptr;
  if (ids.size() == 1) return ids[0];
  return ids;
}

}  // namespace

std::string model_spec_to_json(const ModelSpec& s) {
  ordered_json j;
  j["architectures"] = {arch_class_name(s.arch)};
  j["model_type"] = arch_model_type(s.arch);
  j["vocab_size"] = s.vocab_size;
  j["hidden_size"] = s.hidden_size;
  j["intermediate_size"] = s.intermediate_size;
  j["num_hidden_layers"] = s.num_hidden_layers;
  j["num_attention_heads"] = s.num_attention_heads;
  j["num_key_value_heads"] = s.num_key_value_heads;
  j["head_dim"] = s.head_dim;
  j["hidden_act"] = "silu";
  j["max_position_embeddings"] = s.max_position_embeddings;
  j["initializer_range"] = s.initializer_range;
  j["rms_norm_eps"] = s.rms_norm_eps;
  j["rope_theta"] = s.rope_theta;
  j["rope_scaling"] = rope_scaling_json(s.rope_scaling);
  j["attention_dropout"] = 0.0;
  switch (s.arch) {
    case Arch::llama:
      j["attention_bias"] = s.qkv_bias;
      j["mlp_bias"] = s.mlp_bias;
      j["pretraining_tp"] = 1;
      break;
    case Arch::mistral:
      j["sliding_window"] = s.sliding_window ? ordered_json(*s.sliding_window) : nullptr;
      break;
    case Arch::qwen2:
    case Arch::qwen3:
      if (s.arch == Arch::qwen3) j["attention_bias"] = s.qkv_bias;
      j["use_sliding_window"] = s.sliding_window.has_value();
      j["sliding_window"] = s.sliding_window ? ordered_json(*s.sliding_window) : nullptr;
      j["max_window_layers"] = s.num_hidden_layers;
      break;
  }
  j["tie_word_embeddings"] = s.tie_word_embeddings;
  j["torch_dtype"] = dtype_name(s.torch_dtype);
  j["use_cache"] = true;
  j["bos_token_id"] = s.bos_token_id ? ordered_json(*s.bos_token_id) : nullptr;
  j["eos_token_id"] = ids_json(s.eos_token_ids);
  if (s.pad_token_id) j["pad_token_id"] = *s.pad_token_id;
  j["transformers_version"] = "4.51.0";
  return j.dump(2) + "\n";
}

}  // namespace lf::models
