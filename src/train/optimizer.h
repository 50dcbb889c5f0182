// AdamW over the trainable parameters (f32 master weights, f32 moments), with
// Hugging Face Trainer's rules: no weight decay on biases and norm weights,
// global-norm gradient clipping before the step.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "autograd/var.h"
#include "ops/backend.h"

namespace lf::train {

struct NamedParam {
  std::string name;  // Hugging Face module path, e.g. model.layers.0.self_attn.q_proj.lora_A.weight
  ag::Var var;       // f32 leaf created with ag::Var::parameter
};

// HF's get_decay_parameter_names: names with bias / layernorm / rmsnorm / norm get no decay.
bool uses_weight_decay(const std::string& name);

struct AdamWConfig {
  float beta1 = 0.9f, beta2 = 0.999f, eps = 1e-8f, weight_decay = 0.0f;
  float max_grad_norm = 1.0f;  // <= 0 disables clipping
};

class AdamW {
 public:
  AdamW(std::vector<NamedParam> params, AdamWConfig config);

  // One update with learning rate `lr`; `grad_scale` multiplies every gradient
  // first (1/accumulation or a loss-scale undo). Returns the gradient norm
  // before clipping (of the scaled gradients). Clears the gradients afterwards.
  // Returns NaN (and skips the update) when a gradient is not finite.
  float step(float lr, float grad_scale = 1.0f);

  int64_t steps_taken() const { return step_; }
  const std::vector<NamedParam>& params() const { return params_; }
  // For checkpoints: "<name>.exp_avg" / "<name>.exp_avg_sq" tensors and the step count.
  std::map<std::string, Tensor> state_tensors() const;
  void load_state(const std::map<std::string, Tensor>& tensors, int64_t step);

 private:
  std::vector<NamedParam> params_;
  std::vector<Tensor> m_, v_;
  AdamWConfig config_;
  int64_t step_ = 0;
};

}  // namespace lf::train
