// A Hugging Face config.json turned into the typed description of a decoder.
// One decoder implementation covers the Llama family by these switches:
// Llama 2/3.x, Mistral, Qwen2/2.5 (q/k/v bias), Qwen3 (q/k RMSNorm).
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/dtype.h"

namespace lf::models {

enum class Arch { llama, mistral, qwen2, qwen3 };

// "LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM, Qwen3ForCausalLM".
std::string supported_architectures();
const char* arch_class_name(Arch a);  // "Qwen2ForCausalLM"
const char* arch_model_type(Arch a);  // "qwen2"
Arch parse_arch(const std::string& model_type);  // "llama" | "mistral" | "qwen2" | "qwen3"

// rope_scaling of config.json; kind "default" means none.
struct RopeScaling {
  std::string kind = "default";  // default | linear | dynamic | llama3 | yarn
  double factor = 1.0;
  double low_freq_factor = 1.0, high_freq_factor = 4.0;     // llama3
  int64_t original_max_position_embeddings = 0;             // llama3, yarn (0: absent)
  double beta_fast = 32.0, beta_slow = 1.0;                 // yarn
  std::optional<double> attention_factor, mscale, mscale_all_dim;  // yarn
  bool truncate = true;                                     // yarn
};

struct ModelSpec {
  Arch arch = Arch::llama;
  int64_t vocab_size = 0;
  int64_t hidden_size = 0;
  int64_t intermediate_size = 0;
  int64_t num_hidden_layers = 0;
  int64_t num_attention_heads = 0;
  int64_t num_key_value_heads = 0;
  int64_t head_dim = 0;
  int64_t max_position_embeddings = 0;
  double rms_norm_eps = 1e-6;
  double initializer_range = 0.02;  // std of random weights (create-model)
  double rope_theta = 10000.0;
  RopeScaling rope_scaling;
  bool tie_word_embeddings = false;
  bool qkv_bias = false;   // Qwen2 always; Llama/Qwen3 with attention_bias
  bool o_bias = false;     // Llama's attention_bias covers o_proj too
  bool mlp_bias = false;   // Llama's mlp_bias
  bool qk_norm = false;    // Qwen3: RMSNorm over each head of q and k
  // Keys further back than this are not attended to; absent = full attention.
  std::optional<int64_t> sliding_window;
  DType torch_dtype = DType::f32;
  std::optional<int64_t> bos_token_id;
  std::vector<int64_t> eos_token_ids;
  std::optional<int64_t> pad_token_id;
};

// Parses config.json text; `origin` (a path) prefixes every error.
ModelSpec parse_model_spec(const std::string& config_json, const std::string& origin);
// Reads DIR/config.json.
ModelSpec load_model_spec(const std::filesystem::path& dir);
// The config.json Hugging Face transformers loads for this spec.
std::string model_spec_to_json(const ModelSpec& spec);

// Rotary frequencies after rope_scaling, for sequences up to `seq_len`
// positions (only "dynamic" depends on it).
struct RopeFrequencies {
  std::vector<float> inv_freq;  // head_dim / 2 values
  float attention_factor = 1.0f;
};
RopeFrequencies rope_frequencies(const ModelSpec& spec, int64_t seq_len);

}  // namespace lf::models
