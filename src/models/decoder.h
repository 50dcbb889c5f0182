// The Llama-family decoder (Llama, Mistral, Qwen2, Qwen3) over the op set:
// pre-norm blocks of GQA attention with rotary positions and a SwiGLU MLP.
// Written once against ops/autograd; it never names a device.
#pragma once
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "autograd/var.h"
#include "core/tensor.h"
#include "models/kv_cache.h"
#include "models/linear.h"
#include "models/model_spec.h"
#include "ops/backend.h"

namespace lf::models {

struct DecoderLayer {
  ag::Var input_norm, post_attention_norm;  // [H]
  Linear q_proj, k_proj, v_proj, o_proj;
  ag::Var q_norm, k_norm;                   // [head_dim], Qwen3 only
  Linear gate_proj, up_proj, down_proj;
  // Inference only (Decoder::prepare_inference): q|k|v and gate|up stacked.
  Linear qkv_proj, gate_up_proj;
};

struct LoadOptions {
  DType dtype = DType::f32;  // compute dtype every weight is converted to
  Device device = Device::cpu();
};

class Decoder {
 public:
  // Reads config.json and the safetensors weights of a model directory; every
  // tensor the config implies must be present with the implied shape.
  static Decoder load(const std::filesystem::path& dir, const LoadOptions& opt);

  const ModelSpec& spec() const { return spec_; }
  DType dtype() const { return dtype_; }
  Device device() const { return device_; }

  // Every weight by its Hugging Face name (the tied lm_head appears once, as
  // model.embed_tokens.weight). Training replaces entries with parameters or
  // attaches adapters through these pointers, which stay valid as long as
  // this Decoder object is not moved.
  std::vector<std::pair<std::string, ag::Var*>> named_weights();
  std::vector<std::pair<std::string, Linear*>> named_linears();  // decoder linears, not lm_head
  const ag::Var& lm_head() const { return tied() ? embed_ : lm_head_; }

  // ---- training ----
  // Final hidden states [B*T, H] for ids [B, T]. positions: [B, T] (undefined:
  // 0..T-1 per row). attn carries packing segments / padding lengths.
  // With checkpointing, each layer keeps only its input for backward.
  ag::Var hidden_states(const Tensor& ids, const Tensor& positions,
                        const ops::AttentionParams& attn, bool gradient_checkpointing) const;
  // Mean next-token loss as transformers computes it: labels [B, T] are
  // shifted inside (position t predicts labels[t + 1]), -100 ignored.
  ag::Var loss(const Tensor& ids, const Tensor& labels, const Tensor& positions,
               const ops::AttentionParams& attn, bool gradient_checkpointing) const;

  // ---- inference (no gradients) ----
  // Runs ids [B, T] after the cache's current contents, appends their keys and
  // values, and returns f32 logits: [B, V] of the last position, or [B, T, V].
  Tensor forward(const Tensor& ids, KvCache& cache, bool all_positions = false) const;
  KvCache make_cache(int64_t batch, int64_t capacity) const;

  // ---- batched inference over a paged cache (no gradients) ----
  // Runs ids [B, T] of B independent sequences: row b's tokens sit at
  // positions [starts[b], starts[b] + T), and tables[b] (already reserved to
  // cover them) holds its blocks. Stores their keys and values and returns f32
  // logits [B, V] of each row's last position.
  Tensor forward_paged(const Tensor& ids, const std::vector<int64_t>& starts,
                       const std::vector<const std::vector<int32_t>*>& tables,
                       PagedKvCache& cache) const;
  PagedKvCache make_paged_cache(int64_t num_blocks, int64_t block_size) const;

  // Readies the model for serving. Stacks each layer's q/k/v and gate/up
  // weights into one matrix each and makes the separate weights row views of
  // it, so inference reads them in two products instead of five: a decode
  // step then starts fewer parallel regions and streams longer rows. Layers
  // whose linears carry adapters or trainable weights are left as they are;
  // gradients never flow through the stacked weights (they serve only without
  // grad), and an adapter attached later switches its layer back to the
  // separate products. Then hands every weight the inference products read to
  // ops::freeze_weight (a backend may keep a faster copy of each), so
  // the weights must not change afterwards. Merge adapters (merge_lora) first.
  void prepare_inference();

 private:
  using Attend = std::function<ag::Var(int64_t layer, const ag::Var& q, const ag::Var& k,
                                       const ag::Var& v)>;
  struct LinearSlot {
    std::string name;
    Linear* linear;
    bool bias;
  };
  std::vector<LinearSlot> linear_slots();
  bool tied() const { return spec_.tie_word_embeddings; }
  ag::Var layer_forward(int64_t layer, const ag::Var& x, const Tensor& positions,
                        const ops::RopeParams& rope, const Attend& attend) const;
  void check_window(int64_t length) const;

  ModelSpec spec_;
  DType dtype_ = DType::f32;
  Device device_;
  ag::Var embed_, final_norm_, lm_head_;
  std::vector<DecoderLayer> layers_;
};

}  // namespace lf::models
