#include "flops.h"

namespace lf::bench {

TokenFlops token_flops(models::Decoder& model, int64_t seq_len, int64_t lora_rank) {
  const models::ModelSpec& s = model.spec();
  TokenFlops f;
  double adapter_dims = 0;  // sum of in + out over the adapted linears
  for (auto& [name, lin] : model.named_linears()) {
    f.n_layers += static_cast<double>(lin->in_features() * lin->out_features());
    if (name.ends_with("down_proj")) f.n_unread += static_cast<double>(lin->in_features() * lin->out_features());
    adapter_dims += static_cast<double>(lin->in_features() + lin->out_features());
  }
  f.n_head = static_cast<double>(s.vocab_size * s.hidden_size);
  const double n = f.n_layers + f.n_head;
  const double attn_fwd = 2.0 * static_cast<double>(s.num_hidden_layers * seq_len *
                                                    s.num_attention_heads * s.head_dim);
  const double r = static_cast<double>(lora_rank);
  if (lora_rank > 0) {
    f.model = 4.0 * n + 3.0 * attn_fwd + 6.0 * r * adapter_dims;
    f.recompute = 2.0 * (f.n_layers - f.n_unread) + attn_fwd + 2.0 * r * adapter_dims;
  } else {
    f.model = 6.0 * n + 3.0 * attn_fwd;
    f.recompute = 2.0 * (f.n_layers - f.n_unread) + attn_fwd;
  }
  return f;
}

}  // namespace lf::bench
