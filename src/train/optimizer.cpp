#include "train/optimizer.h"

#include <cmath>
#include <regex>

#include "core/error.h"
#include "ops/ops.h"

namespace lf::train {

bool uses_weight_decay(const std::string& name) {
  static const std::regex no_decay(R"(bias|layernorm|rmsnorm|(?:^|\.)norm(?:$|\.)|_norm(?:$|\.))",
                                   std::regex::icase);
  return !std::regex_search(name, no_decay);
}

AdamW::AdamW(std::vector<NamedParam> params, AdamWConfig config)
    : params_(std::move(params)), config_(config) {
  for (const auto& p : params_) {
    const Tensor& v = p.var.value();
    LF_CHECK(p.var.is_parameter() && v.dtype() == DType::f32, "optimizer: parameter ", p.name,
             " must be an f32 trainable parameter, got ", v.describe());
    m_.push_back(ops::zeros(v.shape(), DType::f32, v.device()));
    v_.push_back(ops::zeros(v.shape(), DType::f32, v.device()));
  }
}

float AdamW::step(float lr, float grad_scale) {
  std::vector<Tensor> grads;
  for (const auto& p : params_) {
    if (p.var.grad().defined()) grads.push_back(p.var.grad());
  }
  float norm = grads.empty() ? 0.0f : ops::global_grad_norm(grads) * std::fabs(grad_scale);
  if (!std::isfinite(norm)) {
    for (auto& p : params_) p.var.clear_grad();
    return norm;
  }
  float clip = 1.0f;
  if (config_.max_grad_norm > 0 && norm > config_.max_grad_norm) {
    clip = config_.max_grad_norm / (norm + 1e-6f);
  }
  ++step_;
  for (size_t i = 0; i < params_.size(); ++i) {
    ag::Var& var = params_[i].var;
    if (!var.grad().defined()) continue;
    ops::AdamWParams a;
    a.lr = lr;
    a.beta1 = config_.beta1;
    a.beta2 = config_.beta2;
    a.eps = config_.eps;
    a.weight_decay = uses_weight_decay(params_[i].name) ? config_.weight_decay : 0.0f;
    a.step = step_;
    a.grad_scale = grad_scale * clip;
    Tensor value = var.value();
    ops::adamw_step(value, var.grad(), m_[i], v_[i], a);
    var.clear_grad();
  }
  return norm;
}

std::map<std::string, Tensor> AdamW::state_tensors() const {
  std::map<std::string, Tensor> out;
  for (size_t i = 0; i < params_.size(); ++i) {
    out[params_[i].name + ".exp_avg"] = m_[i];
    out[params_[i].name + ".exp_avg_sq"] = v_[i];
  }
  return out;
}

void AdamW::load_state(const std::map<std::string, Tensor>& tensors, int64_t step) {
  for (size_t i = 0; i < params_.size(); ++i) {
    for (auto [suffix, dst] : {std::pair{".exp_avg", &m_[i]}, std::pair{".exp_avg_sq", &v_[i]}}) {
      auto it = tensors.find(params_[i].name + suffix);
      LF_CHECK(it != tensors.end(), "optimizer state has no ", params_[i].name, suffix,
               ": the checkpoint was written for different trainable parameters "
               "(another finetuning_type or lora_target?)");
      LF_CHECK(it->second.shape() == dst->shape(), "optimizer state ", params_[i].name, suffix,
               " has shape ", shape_str(it->second.shape()), ", expected ",
               shape_str(dst->shape()));
      dst->copy_from(it->second);
    }
  }
  step_ = step;
}

}  // namespace lf::train
