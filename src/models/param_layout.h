// The Hugging Face names and shapes of every weight a ModelSpec implies
// (model.embed_tokens.weight, model.layers.N.self_attn.q_proj.weight, ...).
// Loading checks a checkpoint against this list; create-model writes it.
#pragma once
#include <string>
#include <vector>

#include "core/tensor.h"
#include "models/model_spec.h"

namespace lf::models {

enum class ParamKind { embedding, matrix, bias, norm };

struct ParamDesc {
  std::string name;
  Shape shape;
  ParamKind kind;
};

std::string layer_prefix(int64_t layer);  // "model.layers.3."
std::vector<ParamDesc> param_layout(const ModelSpec& spec);

}  // namespace lf::models
