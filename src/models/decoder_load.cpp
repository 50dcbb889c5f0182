// Decoder::load and the name -> weight plumbing.
#include <map>

#include "core/error.h"
#include "core/log.h"
#include "models/decoder.h"
#include "models/param_layout.h"
#include "models/safetensors.h"

namespace lf::models {

Decoder Decoder::load(const std::filesystem::path& dir, const LoadOptions& opt) {
  LF_CHECK(is_floating(opt.dtype), "model compute dtype must be a float type, got ",
           dtype_name(opt.dtype));
  Decoder m;
  m.spec_ = load_model_spec(dir);
  m.dtype_ = opt.dtype;
  m.device_ = opt.device;
  m.layers_.resize(static_cast<size_t>(m.spec_.num_hidden_layers));
  WeightSet weights = WeightSet::open(dir);
  auto slots = m.named_weights();
  std::map<std::string, ag::Var*> slot;
  for (auto& [name, var] : slots) slot[name] = var;

  for (const ParamDesc& p : param_layout(m.spec_)) {
    LF_CHECK(weights.contains(p.name), weights.origin(), ": the checkpoint has no tensor \"",
             p.name, "\", which ", (dir / "config.json").string(), " implies (",
             arch_class_name(m.spec_.arch), ")");
    const TensorEntry& e = weights.entry(p.name);
    LF_CHECK(e.shape == p.shape, weights.file_of(p.name).path(), ": tensor \"", p.name,
             "\" has shape ", shape_str(e.shape), " but config.json implies ", shape_str(p.shape));
    auto it = slot.find(p.name);
    LF_CHECK(it != slot.end(), "internal: no slot for weight ", p.name);
    *it->second = ag::Var(weights.load(p.name, opt.dtype, opt.device));
  }
  log::info("loaded ", arch_class_name(m.spec_.arch), " from ", dir.string(), " (",
            m.spec_.num_hidden_layers, " layers, ", dtype_name(opt.dtype), " on ",
            opt.device.str(), ")");
  return m;
}

std::vector<Decoder::LinearSlot> Decoder::linear_slots() {
  std::vector<LinearSlot> out;
  for (int64_t l = 0; l < spec_.num_hidden_layers; ++l) {
    DecoderLayer& L = layers_[static_cast<size_t>(l)];
    const std::string p = layer_prefix(l);
    out.push_back({p + "self_attn.q_proj", &L.q_proj, spec_.qkv_bias});
    out.push_back({p + "self_attn.k_proj", &L.k_proj, spec_.qkv_bias});
    out.push_back({p + "self_attn.v_proj", &L.v_proj, spec_.qkv_bias});
    out.push_back({p + "self_attn.o_proj", &L.o_proj, spec_.o_bias});
    out.push_back({p + "mlp.gate_proj", &L.gate_proj, spec_.mlp_bias});
    out.push_back({p + "mlp.up_proj", &L.up_proj, spec_.mlp_bias});
    out.push_back({p + "mlp.down_proj", &L.down_proj, spec_.mlp_bias});
  }
  return out;
}

std::vector<std::pair<std::string, Linear*>> Decoder::named_linears() {
  std::vector<std::pair<std::string, Linear*>> out;
  for (const LinearSlot& s : linear_slots()) out.emplace_back(s.name, s.linear);
  return out;
}

std::vector<std::pair<std::string, ag::Var*>> Decoder::named_weights() {
  std::vector<std::pair<std::string, ag::Var*>> out;
  out.emplace_back("model.embed_tokens.weight", &embed_);
  for (const LinearSlot& s : linear_slots()) {
    out.emplace_back(s.name + ".weight", &s.linear->weight);
    if (s.bias) out.emplace_back(s.name + ".bias", &s.linear->bias);
  }
  for (int64_t l = 0; l < spec_.num_hidden_layers; ++l) {
    DecoderLayer& L = layers_[static_cast<size_t>(l)];
    const std::string p = layer_prefix(l);
    out.emplace_back(p + "input_layernorm.weight", &L.input_norm);
    out.emplace_back(p + "post_attention_layernorm.weight", &L.post_attention_norm);
    if (spec_.qk_norm) {
      out.emplace_back(p + "self_attn.q_norm.weight", &L.q_norm);
      out.emplace_back(p + "self_attn.k_norm.weight", &L.k_norm);
    }
  }
  out.emplace_back("model.norm.weight", &final_norm_);
  if (!tied()) out.emplace_back("lm_head.weight", &lm_head_);
  return out;
}

}  // namespace lf::models
