#include "backends/ascend/varlen_plan.h"

#include <set>

namespace lf::ascend {
namespace {

// Runs of equal ids in each row become sequences of equal q and kv length.
std::optional<VarLenPlan> segment_plan(int64_t B, int64_t T, const std::vector<int64_t>& seg) {
  VarLenPlan plan;
  int64_t end = 0;
  for (int64_t b = 0; b < B; ++b) {
    std::set<int64_t> done;  // ids whose run in this row has ended
    for (int64_t t = 0; t < T; ++t) {
      const int64_t id = seg[b * T + t];
      if (done.count(id)) return std::nullopt;  // id split into two runs
      ++end;
      if (t + 1 == T || seg[b * T + t + 1] != id) {
        done.insert(id);
        plan.q_end.push_back(end);
        plan.kv_end.push_back(end);
      }
    }
  }
  return plan;
}

}  // namespace

std::optional<VarLenPlan> varlen_plan(int64_t B, int64_t Tq, int64_t Tk, bool causal,
                                      const std::vector<int64_t>& q_seg,
                                      const std::vector<int64_t>& k_seg,
                                      const std::vector<int64_t>& kv_lens) {
  std::optional<VarLenPlan> plan;
  if (!q_seg.empty()) {
    if (Tq != Tk || k_seg != q_seg) return std::nullopt;
    for (int64_t len : kv_lens)
      if (len != Tk) return std::nullopt;
    plan = segment_plan(B, Tq, q_seg);
  } else if (!kv_lens.empty()) {
    plan.emplace();
    for (int64_t b = 0; b < B; ++b) {
      const int64_t len = kv_lens[b];
      // Rows without keys, or (causal) leading queries before the first key,
      // would be fully masked, which the kernel does not support.
      if (len < 1 || len > Tk || (causal && len < Tq)) return std::nullopt;
      plan->q_end.push_back((b + 1) * Tq);
      plan->kv_end.push_back(b * Tk + len);
      if (len < Tk) {  // the padding keys: a sequence with no queries
        plan->q_end.push_back((b + 1) * Tq);
        plan->kv_end.push_back((b + 1) * Tk);
      }
    }
  }
  if (plan && plan->q_end.size() > kMaxVarLenSequences) return std::nullopt;
  return plan;
}

}  // namespace lf::ascend
