// LoRA (Hu et al.): y = W x + s * B(A(dropout(x))) with A [r, in], B [out, r],
// s = alpha / r (alpha / sqrt(r) with rsLoRA). A is Kaiming-uniform, B is zero,
// so a fresh adapter leaves the model's outputs unchanged. Adapters are saved
// and loaded in Hugging Face PEFT's format (adapter_config.json +
// adapter_model.safetensors, tensors named base_model.model.<module>.lora_A.weight).
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "autograd/var.h"
#include "models/decoder.h"

namespace lf::models {

struct LoraConfig {
  int64_t rank = 8;
  float alpha = 16.0f;
  float dropout = 0.0f;
  bool use_rslora = false;
  // "all" = every linear layer of the decoder (never lm_head), or module names
  // such as q_proj,v_proj matched against the last component of each path.
  std::vector<std::string> target = {"all"};
  // additional_target (PEFT's modules_to_save): modules whose path ends with
  // one of these names are trained fully and saved with the adapter.
  std::vector<std::string> modules_to_save;
  // Their weights by Hugging Face name, filled by train_modules_to_save() or
  // load_peft_adapter(): what save_peft_adapter() writes beside the factors.
  std::vector<std::pair<std::string, ag::Var>> saved_weights;
  float scale() const;
};

class LoraAdapter final : public LinearAdapter {
 public:
  LoraAdapter(ag::Var a, ag::Var b, float scale, float dropout)
      : a_(std::move(a)), b_(std::move(b)), scale_(scale), dropout_(dropout) {}
  // The unfused composition, base_out + s * B(A(dropout(x))): the reference
  // the fused forward() is tested against.
  ag::Var apply(const ag::Var& x, const ag::Var& base_out) const override;
  // One ag::lora_linear op: the adapter's term written into the base product.
  ag::Var forward(const Linear& base, const ag::Var& x) const override;
  const ag::Var& a() const { return a_; }
  const ag::Var& b() const { return b_; }
  float scale() const { return scale_; }

 private:
  ag::Var a_, b_;
  float scale_, dropout_;
};

// A module path and its adapter, e.g. {"model.layers.0.self_attn.q_proj", adapter}.
using AttachedLora = std::pair<std::string, std::shared_ptr<const LoraAdapter>>;

// Linears that `target` selects; an empty selection is an error naming the
// missing targets and the available module names.
std::vector<std::pair<std::string, Linear*>> select_lora_targets(
    Decoder& model, const std::vector<std::string>& target);

// Creates fresh f32 trainable adapters on the selected linears (deterministic
// for a seed). Returns them in module order.
std::vector<AttachedLora> attach_lora(Decoder& model, const LoraConfig& config, uint64_t seed);

// Makes the weights of config.modules_to_save f32 parameters in place and
// records them in config.saved_weights. A name matching no module, or a module
// that is also a LoRA target, is an error.
void train_modules_to_save(Decoder& model, LoraConfig& config);

// config.saved_weights with their PEFT tensor names (base_model.model.<name>:
// PEFT saves modules_to_save without its ".modules_to_save.default" infix).
std::vector<std::pair<std::string, ag::Var>> saved_module_parameters(const LoraConfig& config);

// The trainable parameters of attached adapters, with PEFT tensor names.
std::vector<std::pair<std::string, ag::Var>> lora_parameters(
    const std::vector<AttachedLora>& adapters);

// Writes adapter_config.json and adapter_model.safetensors into `dir` (which must exist).
void save_peft_adapter(const std::filesystem::path& dir, const std::vector<AttachedLora>& adapters,
                       const LoraConfig& config, const std::string& base_model_name_or_path);

// Reads a PEFT LoRA adapter and attaches it; `trainable` makes its tensors f32
// parameters (to continue training), otherwise they are constants in the
// model's compute dtype. The adapter's modules_to_save replace the model's
// weights (in config_out->saved_weights when trainable). Errors name the
// directory and the mismatch.
std::vector<AttachedLora> load_peft_adapter(const std::filesystem::path& dir, Decoder& model,
                                            bool trainable, LoraConfig* config_out = nullptr);

// W += s * B @ A for every attached adapter; the adapters are detached.
void merge_lora(Decoder& model);

}  // namespace lf::models
