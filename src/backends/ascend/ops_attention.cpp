// Attention on the NPU with aclnnFlashAttentionScore(+Grad), layout "BSND"
// (our [B, T, heads, D]), GQA through headNum. Masks (reference §3.3):
// plain causal attention uses sparseMode 3 (right-down causal: query i sees
// keys up to Tk - Tq + i) with CANN's compressed 2048x2048 mask; padding
// (kv_lens) and packed-sequence segments use an explicit [B, 1, Tq, Tk] bool
// mask (1 = masked) built on the host from those small int tensors.
// lse = softmaxMax + log(softmaxSum) from the kernel's [B, N, Tq, 8] outputs;
// backward rebuilds them as (max = lse, sum = 1), which gives the same
// probabilities.
#include <cmath>
#include <map>
#include <mutex>

#include "aclnnop/aclnn_add.h"
#include "aclnnop/aclnn_copy.h"
#include "aclnnop/aclnn_flash_attention_score.h"
#include "aclnnop/aclnn_flash_attention_score_grad.h"
#include "aclnnop/aclnn_log.h"
#include "backends/ascend/backend.h"
#include "backends/ascend/kernels.h"

namespace lf::ascend {

using k::dev;

namespace {

constexpr int64_t kNoLimit = 2147483647;  // preTokens / nextTokens: unbounded

struct Mask {
  Tensor tensor;  // undefined: no mask
  int64_t sparse_mode = 0;
};

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

Mask make_mask(const Tensor& q, const Tensor& kt, const ops::AttentionParams& p) {
  const int64_t B = q.size(0), Tq = q.size(1), Tk = kt.size(1);
  Mask m;
  if (!p.q_segments.defined() && !p.kv_lens.defined()) {
    if (p.causal) {
      m.tensor = compressed_causal(q.device());
      m.sparse_mode = 3;
    }
    return m;
  }
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
  m.tensor = Tensor::from_ints(host, {B, 1, Tq, Tk}, DType::boolean, q.device());
  return m;
}

double scale_of(const ops::AttentionParams& p, const Tensor& q) {
  return p.scale != 0.0f ? p.scale : 1.0 / std::sqrt(static_cast<double>(q.size(3)));
}

}  // namespace

void AscendBackend::attention(const Tensor& q, const Tensor& kt, const Tensor& v,
                              const ops::AttentionParams& p, Tensor& out, Tensor& lse) {
  const int64_t B = q.size(0), Tq = q.size(1), N = q.size(2);
  Mask m = make_mask(q, kt, p);
  Tensor smax = k::like(q, {B, N, Tq, 8}, DType::f32), ssum = k::like(q, {B, N, Tq, 8}, DType::f32);
  {
    AclTensor tq(q), tk(kt), tv(v), tmax(smax), tsum(ssum), to(out);
    AclTensor tm = m.tensor.defined() ? AclTensor(m.tensor) : AclTensor();
    char layout[] = "BSND";
    LF_ACLNN(dev(q), FlashAttentionScore, tq.get(), tk.get(), tv.get(), nullptr, nullptr, nullptr,
             tm.get(), nullptr, scale_of(p, q), 1.0, kNoLimit, kNoLimit, N, layout, 0,
             m.sparse_mode, tmax.get(), tsum.get(), nullptr, to.get());
  }
  // lse = max + log(sum), from lane 0 of the [B, N, Tq, 8] statistics.
  Shape dims{B, N, Tq}, strides{N * Tq * 8, Tq * 8, 8};
  Tensor log_sum = k::like(q, dims, DType::f32);
  AclTensor tsum(ssum, dims, strides, 0), tmax(smax, dims, strides, 0), tlog(log_sum), tl(lse);
  LF_ACLNN(dev(q), Log, tsum.get(), tlog.get());
  AclScalar one(1.0);
  LF_ACLNN(dev(q), Add, tmax.get(), tlog.get(), one.get(), tl.get());
}

void AscendBackend::attention_backward(const Tensor& dout, const Tensor& q, const Tensor& kt,
                                       const Tensor& v, const Tensor& out, const Tensor& lse,
                                       const ops::AttentionParams& p, Tensor& dq, Tensor& dk,
                                       Tensor& dv) {
  const int64_t B = q.size(0), Tq = q.size(1), N = q.size(2);
  Mask m = make_mask(q, kt, p);
  Tensor smax = k::like(q, {B, N, Tq, 8}, DType::f32), ssum = k::like(q, {B, N, Tq, 8}, DType::f32);
  {
    AclTensor src(lse, {B, N, Tq, 1}, {N * Tq, Tq, 1, 1}, lse.offset()), dst(smax);
    LF_ACLNN(dev(q), InplaceCopy, dst.get(), src.get());  // broadcast over the 8 lanes
  }
  k::fill(ssum, 1.0);
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
