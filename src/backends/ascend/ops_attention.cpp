// Attention on the NPU with CANN's FlashAttention kernels (reference §3.1,
// §3.3), GQA through headNum:
//  * plain (and causal) attention: aclnnFlashAttentionScore(+Grad), layout
//    "BSND" (our [B, T, heads, D]); causal is sparseMode 3 (right-down: query
//    i sees keys up to Tk - Tq + i) with CANN's compressed 2048x2048 mask;
//  * packed segments and per-row kv_lens, on Atlas A2:
//    aclnnFlashAttentionVarLenScore / aclnnFlashAttentionUnpaddingScoreGrad,
//    layout "TND" with the sequences of varlen_plan.h, causal again as
//    sparseMode 3 per sequence. No T x T mask is built;
//  * masks varlen cannot express (ids that reappear in a row, segments with
//    kv_lens, causal rows shorter than Tq, other SoCs): the documented
//    fallback, FlashAttentionScore with an explicit [B, 1, Tq, Tk] bool mask
//    (1 = masked) built on the host.
// lse = softmaxMax + log(softmaxSum) from lane 0 of the kernel's statistics
// ([B, N, Tq, 8], or [N, T, 8] for TND); backward rebuilds them as
// (max = lse, sum = 1), which gives the same probabilities.
#include <cmath>
#include <map>
#include <mutex>
#include <string>

#include "aclnnop/aclnn_add.h"
#include "aclnnop/aclnn_copy.h"
#include "aclnnop/aclnn_flash_attention_score.h"
#include "aclnnop/aclnn_flash_attention_score_grad.h"
#include "aclnnop/aclnn_log.h"
#include "backends/ascend/backend.h"
#include "backends/ascend/kernels.h"
#include "backends/ascend/runtime.h"
#include "backends/ascend/varlen_plan.h"

namespace lf::ascend {

using k::dev;

namespace {

constexpr int64_t kNoLimit = 2147483647;  // preTokens / nextTokens: unbounded

// triu(ones(2048, 2048), 1) as a bool tensor, built once per device.
Tensor compressed_causal(const Device& d) {
  static std::mutex mu;
  static std::map<int, Tensor> cache;
  std::lock_guard<std::mutex> lock(mu);
  Tensor& t = cache[d.index];
  if (!t.defined()) {
    constexpr int64_t n = 2048;
    std::vector<int64_t> m(static_cast<size_t>(n * n));
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < n; ++j) m[i * n + j] = j > i;
    t = Tensor::from_ints(m, {n, n}, DType::boolean, d);
  }
  return t;
}

// The mask argument and sparseMode of one kernel call.
struct Mask {
  Tensor tensor;  // undefined: no mask
  int64_t sparse_mode = 0;
};

Mask causal_or_none(const Tensor& q, bool causal) {
  Mask m;
  if (causal) {
    m.tensor = compressed_causal(q.device());
    m.sparse_mode = 3;
  }
  return m;
}

// The explicit [B, 1, Tq, Tk] mask of the fallback path.
Mask host_mask(const Tensor& q, const Tensor& kt, const ops::AttentionParams& p) {
  const int64_t B = q.size(0), Tq = q.size(1), Tk = kt.size(1);
  std::vector<int64_t> lens = p.kv_lens.defined() ? p.kv_lens.to_ints() : std::vector<int64_t>(B, Tk);
  std::vector<int64_t> qs = p.q_segments.defined() ? p.q_segments.to_ints() : std::vector<int64_t>();
  std::vector<int64_t> ks = p.k_segments.defined() ? p.k_segments.to_ints() : qs;
  std::vector<int64_t> host(static_cast<size_t>(B * Tq * Tk));
  for (int64_t b = 0; b < B; ++b)
    for (int64_t i = 0; i < Tq; ++i)
      for (int64_t j = 0; j < Tk; ++j) {
        bool masked = j >= lens[b] || (p.causal && j > lens[b] - Tq + i);
        if (!qs.empty()) masked = masked || qs[b * Tq + i] != ks[b * Tk + j];
        host[(b * Tq + i) * Tk + j] = masked;
      }
  Mask m;
  m.tensor = Tensor::from_ints(host, {B, 1, Tq, Tk}, DType::boolean, q.device());
  return m;
}

// The TND plan when this call can use the varlen kernels: segments or kv_lens
// given, an Atlas A2 SoC (the only one FlashAttentionVarLenScore lists), and
// tensors whose [B, T] rows flatten to T without a copy.
std::optional<VarLenPlan> plan_for(const Tensor& q, const Tensor& kt, const Tensor& v,
                                   const ops::AttentionParams& p,
                                   std::initializer_list<const Tensor*> others) {
  if (!p.q_segments.defined() && !p.kv_lens.defined()) return std::nullopt;
  const std::string soc = runtime().soc_name();
  if (soc.rfind("Ascend910B", 0) != 0 || soc.size() <= 10) return std::nullopt;
  for (const Tensor* t : others)
    if (!t->is_contiguous()) return std::nullopt;
  if (!q.is_contiguous() || !kt.is_contiguous() || !v.is_contiguous()) return std::nullopt;
  std::vector<int64_t> qs = p.q_segments.defined() ? p.q_segments.to_ints() : std::vector<int64_t>();
  std::vector<int64_t> ks = p.k_segments.defined() ? p.k_segments.to_ints() : qs;
  std::vector<int64_t> lens = p.kv_lens.defined() ? p.kv_lens.to_ints() : std::vector<int64_t>();
  return varlen_plan(q.size(0), q.size(1), kt.size(1), p.causal, qs, ks, lens);
}

// [B, T, H, D] contiguous as TND [B*T, H, D].
AclTensor tnd(const Tensor& t) {
  return k::reshaped(t, {t.size(0) * t.size(1), t.size(2), t.size(3)});
}

double scale_of(const ops::AttentionParams& p, const Tensor& q) {
  return p.scale != 0.0f ? p.scale : 1.0 / std::sqrt(static_cast<double>(q.size(3)));
}

// lse [B, N, Tq] = max + log(sum), read from lane 0 of the statistics through
// `strides` (element strides of b, n, i in the statistics tensors).
void lse_from_stats(const Tensor& q, const Tensor& smax, const Tensor& ssum, const Shape& strides,
                    Tensor& lse) {
  const Shape dims{q.size(0), q.size(2), q.size(1)};
  Tensor log_sum = k::like(q, dims, DType::f32);
  AclTensor tsum(ssum, dims, strides, 0), tmax(smax, dims, strides, 0), tlog(log_sum), tl(lse);
  LF_ACLNN(dev(q), Log, tsum.get(), tlog.get());
  AclScalar one(1.0);
  LF_ACLNN(dev(q), Add, tmax.get(), tlog.get(), one.get(), tl.get());
}

// Statistics for backward from lse [B, N, Tq]: max = lse in all 8 lanes of
// `smax` (its [b, n, i] lane 0 at `strides`), sum = 1.
void stats_from_lse(const Tensor& q, const Tensor& lse, const Shape& strides, Tensor& smax,
                    Tensor& ssum) {
  const int64_t B = q.size(0), N = q.size(2), Tq = q.size(1);
  AclTensor src(lse, {B, N, Tq, 1}, {N * Tq, Tq, 1, 1}, lse.offset());
  AclTensor dst(smax, {B, N, Tq, 8}, {strides[0], strides[1], strides[2], 1}, 0);
  LF_ACLNN(dev(q), InplaceCopy, dst.get(), src.get());  // broadcast over the 8 lanes
  k::fill(ssum, 1.0);
}

}  // namespace

void AscendBackend::attention(const Tensor& q, const Tensor& kt, const Tensor& v,
                              const ops::AttentionParams& p, Tensor& out, Tensor& lse) {
  const int64_t B = q.size(0), Tq = q.size(1), N = q.size(2);
  const std::optional<VarLenPlan> plan = plan_for(q, kt, v, p, {&out});
  if (plan) {
    const int64_t T = B * Tq;
    Mask m = causal_or_none(q, p.causal);
    Tensor smax = k::like(q, {N, T, 8}, DType::f32), ssum = k::like(q, {N, T, 8}, DType::f32);
    {
      AclTensor tq = tnd(q), tk = tnd(kt), tv = tnd(v), to = tnd(out), tmax(smax), tsum(ssum);
      AclTensor tm = m.tensor.defined() ? AclTensor(m.tensor) : AclTensor();
      AclIntArray q_end(plan->q_end), kv_end(plan->kv_end);
      char layout[] = "TND";
      LF_ACLNN(dev(q), FlashAttentionVarLenScore, tq.get(), tk.get(), tv.get(), nullptr, nullptr,
               nullptr, tm.get(), nullptr, q_end.get(), kv_end.get(), scale_of(p, q), 1.0, kNoLimit,
               kNoLimit, N, layout, 0, m.sparse_mode, tmax.get(), tsum.get(), nullptr, to.get());
    }
    lse_from_stats(q, smax, ssum, {Tq * 8, T * 8, 8}, lse);
    return;
  }
  Mask m = p.q_segments.defined() || p.kv_lens.defined() ? host_mask(q, kt, p) : causal_or_none(q, p.causal);
  Tensor smax = k::like(q, {B, N, Tq, 8}, DType::f32), ssum = k::like(q, {B, N, Tq, 8}, DType::f32);
  {
    AclTensor tq(q), tk(kt), tv(v), tmax(smax), tsum(ssum), to(out);
    AclTensor tm = m.tensor.defined() ? AclTensor(m.tensor) : AclTensor();
    char layout[] = "BSND";
    LF_ACLNN(dev(q), FlashAttentionScore, tq.get(), tk.get(), tv.get(), nullptr, nullptr, nullptr,
             tm.get(), nullptr, scale_of(p, q), 1.0, kNoLimit, kNoLimit, N, layout, 0,
             m.sparse_mode, tmax.get(), tsum.get(), nullptr, to.get());
  }
  lse_from_stats(q, smax, ssum, {N * Tq * 8, Tq * 8, 8}, lse);
}

void AscendBackend::attention_backward(const Tensor& dout, const Tensor& q, const Tensor& kt,
                                       const Tensor& v, const Tensor& out, const Tensor& lse,
                                       const ops::AttentionParams& p, Tensor& dq, Tensor& dk,
                                       Tensor& dv) {
  const int64_t B = q.size(0), Tq = q.size(1), N = q.size(2);
  const std::optional<VarLenPlan> plan = plan_for(q, kt, v, p, {&dout, &out, &dq, &dk, &dv});
  if (plan) {
    const int64_t T = B * Tq;
    Mask m = causal_or_none(q, p.causal);
    Tensor smax = k::like(q, {N, T, 8}, DType::f32), ssum = k::like(q, {N, T, 8}, DType::f32);
    stats_from_lse(q, lse, {Tq * 8, T * 8, 8}, smax, ssum);
    AclTensor tq = tnd(q), tk = tnd(kt), tv = tnd(v), tdy = tnd(dout), to = tnd(out), tdq = tnd(dq),
              tdk = tnd(dk), tdv = tnd(dv), tmax(smax), tsum(ssum);
    AclTensor tm = m.tensor.defined() ? AclTensor(m.tensor) : AclTensor();
    AclIntArray q_end(plan->q_end), kv_end(plan->kv_end);
    char layout[] = "TND";
    LF_ACLNN(dev(q), FlashAttentionUnpaddingScoreGrad, tq.get(), tk.get(), tv.get(), tdy.get(),
             nullptr, nullptr, nullptr, tm.get(), tmax.get(), tsum.get(), nullptr, to.get(), nullptr,
             q_end.get(), kv_end.get(), scale_of(p, q), 1.0, kNoLimit, kNoLimit, N, layout, 0,
             m.sparse_mode, tdq.get(), tdk.get(), tdv.get(), nullptr);
    return;
  }
  Mask m = p.q_segments.defined() || p.kv_lens.defined() ? host_mask(q, kt, p) : causal_or_none(q, p.causal);
  Tensor smax = k::like(q, {B, N, Tq, 8}, DType::f32), ssum = k::like(q, {B, N, Tq, 8}, DType::f32);
  stats_from_lse(q, lse, {N * Tq * 8, Tq * 8, 8}, smax, ssum);
  AclTensor tq(q), tk(kt), tv(v), tdy(dout), tmax(smax), tsum(ssum), to(out), tdq(dq), tdk(dk),
      tdv(dv);
  AclTensor tm = m.tensor.defined() ? AclTensor(m.tensor) : AclTensor();
  char layout[] = "BSND";
  LF_ACLNN(dev(q), FlashAttentionScoreGrad, tq.get(), tk.get(), tv.get(), tdy.get(), nullptr,
           nullptr, nullptr, tm.get(), tmax.get(), tsum.get(), nullptr, to.get(), nullptr,
           scale_of(p, q), 1.0, kNoLimit, kNoLimit, N, layout, 0, m.sparse_mode, tdq.get(),
           tdk.get(), tdv.get(), nullptr);
}

}  // namespace lf::ascend
