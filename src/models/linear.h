// A Hugging Face nn.Linear: weight [out, in], optional bias, and a slot for an
// adapter (LoRA) that adds its own term to the base projection. The decoder
// only ever calls forward(), so attaching an adapter changes no model code.
#pragma once
#include <memory>

#include "autograd/var.h"

namespace lf::models {

struct Linear;

// y = base(x) + delta(x): LoRA's B(A(dropout(x))) * scale, or any other
// additive adapter. `base_out` is passed so an adapter may reuse its shape.
class LinearAdapter {
 public:
  virtual ~LinearAdapter() = default;
  virtual ag::Var apply(const ag::Var& x, const ag::Var& base_out) const = 0;
  // The adapted layer's output; an adapter overrides it to fuse its term with
  // the base product (LoRA does), otherwise it is apply() on the base output.
  virtual ag::Var forward(const Linear& base, const ag::Var& x) const;
};

struct Linear {
  ag::Var weight;  // [out, in]
  ag::Var bias;    // [out] or undefined
  std::shared_ptr<const LinearAdapter> adapter;

  ag::Var forward(const ag::Var& x) const;
  // The weight and bias in the compute dtype: f32 master weights (full or
  // freeze fine-tuning with bf16/fp16) are cast where used, differentiably.
  ag::Var weight_as(DType dtype) const;
  ag::Var bias_as(DType dtype) const;
  int64_t in_features() const { return weight.shape()[1]; }
  int64_t out_features() const { return weight.shape()[0]; }
};

}  // namespace lf::models
