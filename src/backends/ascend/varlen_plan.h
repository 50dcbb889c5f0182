// How attention with packed segments or per-row kv_lens maps onto CANN's
// variable-length FlashAttention (aclnnFlashAttentionVarLenScore, layout
// "TND"): the batch rows are flattened into T = B * T tokens, and each
// attending block becomes one sequence given by cumulative ends (reference
// §3.1 "FA variants"; lengths [2, 2, 0, 2] are passed as [2, 4, 4, 6]). This
// costs O(B * T) host work instead of an O(T^2) mask. No vendor types here.
#pragma once
#include <cstdint>
#include <optional>
#include <vector>

namespace lf::ascend {

struct VarLenPlan {
  std::vector<int64_t> q_end, kv_end;  // cumulative ends over B*Tq query / B*Tk key rows
};

// The kernel's limits: at most 2048 sequences; every sequence with queries has
// keys (no fully masked rows), and with right-down causal Sq <= Skv.
constexpr size_t kMaxVarLenSequences = 2048;

// The plan for ops::AttentionParams semantics, or nullopt when the masks are
// not back-to-back blocks (the caller then builds an explicit mask):
//  * segments (q_seg [B*Tq], k_seg [B*Tk]; Tq == Tk, equal ids, no kv_lens
//    shorter than Tk): each run of one id is a sequence; an id that reappears
//    later in its row is not a run;
//  * kv_lens only: row b is a sequence of Tq queries over its first kv_lens[b]
//    keys, followed by a sequence of no queries over its padding keys.
// `causal` must then be right-down causal within each sequence (sparseMode 3).
std::optional<VarLenPlan> varlen_plan(int64_t B, int64_t Tq, int64_t Tk, bool causal,
                                      const std::vector<int64_t>& q_seg,
                                      const std::vector<int64_t>& k_seg,
                                      const std::vector<int64_t>& kv_lens);

}  // namespace lf::ascend
