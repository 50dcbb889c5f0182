// `llamafactory-cli create-model`: a real Hugging Face model directory with
// deterministic random weights, for demos and tests that need a model without
// a download.
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/dtype.h"
#include "models/model_spec.h"

namespace lf::models {

struct CreateModelOptions {
  std::filesystem::path output_dir;
  Arch arch = Arch::llama;
  int64_t hidden_size = 128;
  int64_t num_hidden_layers = 2;
  int64_t num_attention_heads = 4;
  std::optional<int64_t> num_key_value_heads;  // default: num_attention_heads / 2 when even
  std::optional<int64_t> intermediate_size;    // default: about 8/3 x hidden, rounded to 32
  int64_t max_position_embeddings = 2048;
  std::optional<bool> tie_word_embeddings;     // default: true for qwen2/qwen3, like the small Qwens
  // A tokenizer.json, or a directory holding one (tokenizer_config.json beside it is copied).
  std::filesystem::path tokenizer;
  uint64_t seed = 42;
  DType dtype = DType::bf16;
  double initializer_range = 0.02;  // std of the random matrices, as in transformers
  bool overwrite = false;  // replace a non-empty output_dir
};

// Writes config.json, generation_config.json, model.safetensors,
// tokenizer.json and tokenizer_config.json into output_dir, atomically.
void create_model(const CreateModelOptions& opt);

// examples/demo_tokenizer of this source tree, looked up from the running
// executable's directory upwards (build trees live inside the checkout) and
// then from the working directory.
std::filesystem::path find_demo_tokenizer();

// Deterministic N(0, std) values for a named tensor: the same (seed, name)
// gives the same values on every platform (no std:: distributions, whose
// output is implementation-defined).
std::vector<float> seeded_normal(uint64_t seed, const std::string& name, size_t n, float std);

}  // namespace lf::models
