// FLOP accounting for one training token (shared/reference/performance-anchors.md §4.4).
// N counts the weights that take part in matrix products: every decoder linear
// plus lm_head; the embedding lookup and the norms do no multiply-adds worth
// counting. Per token:
//   forward            2N + attention 2·L·T·Hq·D (QKᵀ and PV, causal so half of 4·L·T·Hq·D)
//   LoRA backward      2N (activation gradients through the frozen weights, no weight
//                      gradients) + attention backward 4·L·T·Hq·D (dQ, dK, dV, dP)
//   full FT backward   4N + the same attention backward
//   each adapted W     6·r·(in + out): the two rank-r factors' forward, dx and dA/dB
//   recomputation      the decoder layers' forward again (checkpointing): 2·N_layers +
//                      attention forward + the adapters' forward, less each layer's
//                      down_proj product, whose value the re-run never reads
//                      (ag::UnreadOutput); lm_head is not re-run
#pragma once
#include <cstdint>

#include "models/decoder.h"

namespace lf::bench {

struct TokenFlops {
  double n_layers = 0, n_head = 0;  // weights in decoder linears / lm_head
  double n_unread = 0;              // weights of the products a re-run skips (down_proj)
  double model = 0;                 // per token, without recomputation
  double recompute = 0;             // extra per token with gradient checkpointing
};

// lora_rank 0 = full fine-tuning (6N); otherwise LoRA on every decoder linear.
TokenFlops token_flops(models::Decoder& model, int64_t seq_len, int64_t lora_rank);

}  // namespace lf::bench
