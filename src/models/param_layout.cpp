#include "models/param_layout.h"

namespace lf::models {

std::string layer_prefix(int64_t layer) { return "model.layers." + std::to_string(layer) + "."; }

std::vector<ParamDesc> param_layout(const ModelSpec& s) {
  const int64_t h = s.hidden_size, q = s.num_attention_heads * s.head_dim,
                kv = s.num_key_value_heads * s.head_dim, inter = s.intermediate_size;
  std::vector<ParamDesc> out;
  auto linear = [&](const std::string& name, int64_t rows, int64_t cols, bool bias) {
    out.push_back({name + ".weight", {rows, cols}, ParamKind::matrix});
    if (bias) out.push_back({name + ".bias", {rows}, ParamKind::bias});
  };
  out.push_back({"model.embed_tokens.weight", {s.vocab_size, h}, ParamKind::embedding});
  for (int64_t l = 0; l < s.num_hidden_layers; ++l) {
    const std::string p = layer_prefix(l);
    out.push_back({p + "input_layernorm.weight", {h}, ParamKind::norm});
    linear(p + "self_attn.q_proj", q, h, s.qkv_bias);
    linear(p + "self_attn.k_proj", kv, h, s.qkv_bias);
    linear(p + "self_attn.v_proj", kv, h, s.qkv_bias);
    linear(p + "self_attn.o_proj", h, q, s.o_bias);
    if (s.qk_norm) {
      out.push_back({p + "self_attn.q_norm.weight", {s.head_dim}, ParamKind::norm});
      out.push_back({p + "self_attn.k_norm.weight", {s.head_dim}, ParamKind::norm});
    }
    out.push_back({p + "post_attention_layernorm.weight", {h}, ParamKind::norm});
    linear(p + "mlp.gate_proj", inter, h, s.mlp_bias);
    linear(p + "mlp.up_proj", inter, h, s.mlp_bias);
    linear(p + "mlp.down_proj", h, inter, s.mlp_bias);
  }
  out.push_back({"model.norm.weight", {h}, ParamKind::norm});
  if (!s.tie_word_embeddings) out.push_back({"lm_head.weight", {s.vocab_size, h}, ParamKind::matrix});
  return out;
}

}  // namespace lf::models
