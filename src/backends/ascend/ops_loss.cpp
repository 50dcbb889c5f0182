// Embedding and chunked cross-entropy on the NPU.
// The cross-entropy chunk keeps an online log-sum-exp per row: with the
// chunk's row max m_c (aclnnMaxDim) and s_c = sum exp(x - m_c), the running
// (max, sum) becomes (M, sum e^(max - M) + s_c e^(m_c - M)), M = max(max, m_c)
// (aclnnClampMinTensor). Label columns are picked with aclnnGather; a row's
// label counts only when it falls in this chunk, a 0/1 weight computed with
// clamps, so no comparison kernels are needed.
#include "aclnnop/aclnn_arange.h"
#include "aclnnop/aclnn_clamp.h"
#include "aclnnop/aclnn_embedding.h"
#include "aclnnop/aclnn_embedding_dense_backward.h"
#include "aclnnop/aclnn_exp.h"
#include "aclnnop/aclnn_gather.h"
#include "aclnnop/aclnn_max_dim.h"
#include "aclnnop/aclnn_mul.h"
#include "aclnnop/aclnn_sub.h"
#include "backends/ascend/backend.h"
#include "backends/ascend/kernels.h"

namespace lf::ascend {

using k::dev;

namespace {

constexpr uint64_t kNoPadding = ~0ull;  // paddingIdx that matches no row

// For labels [N] and chunk columns [col0, col0 + C): the clamped column of
// each label (int64 [N]) and a 0/1 f32 weight saying whether it is in range.
void label_columns(const Tensor& labels, int64_t col0, int64_t C, Tensor& col, Tensor& in_range) {
  const int64_t N = labels.size(0);
  Tensor idx = k::like(labels, {N}, DType::i64);
  k::adds(labels, static_cast<double>(-col0), idx);
  k::clamp(idx, 0, static_cast<double>(C - 1), col);
  // in_range = clamp(idx + 1, 0, 1) * clamp(C - idx, 0, 1) (integers).
  Tensor f = k::f32(idx), lo = k::like(labels, {N}, DType::f32), hi = k::like(labels, {N}, DType::f32);
  k::adds(f, 1.0, lo);
  k::clamp(lo, 0.0, 1.0, lo);
  k::muls(f, -1.0, hi);
  k::adds(hi, static_cast<double>(C), hi);
  k::clamp(hi, 0.0, 1.0, hi);
  k::mul(lo, hi, in_range);
}

void dense_scatter(const Tensor& grad, const Tensor& ids, uint64_t rows, Tensor& out) {
  AclTensor g(grad), i(ids), o(out);
  LF_ACLNN(dev(out), EmbeddingDenseBackward, g.get(), i.get(), rows, kNoPadding, false, o.get());
}

}  // namespace

void AscendBackend::embedding(const Tensor& ids, const Tensor& weight, Tensor& out) {
  AclTensor w(weight), i(ids), o(out);
  LF_ACLNN(dev(out), Embedding, w.get(), i.get(), o.get());
}

void AscendBackend::embedding_backward(const Tensor& ids, const Tensor& dout, Tensor& dweight) {
  Tensor g = k::f32(dout);
  Tensor dense = k::like(dweight, dweight.shape(), DType::f32);
  dense_scatter(g, ids, static_cast<uint64_t>(dweight.size(0)), dense);
  k::inplace_add(dweight, dense, 1.0);
}

void AscendBackend::cross_entropy_chunk(const Tensor& logits, const Tensor& labels, int64_t col0,
                                        Tensor& running_max, Tensor& running_sum,
                                        Tensor& target_logit) {
  const int64_t N = logits.size(0), C = logits.size(1);
  Tensor cmax = k::like(logits, {N}, logits.dtype()), arg = k::like(logits, {N}, DType::i64);
  {
    AclTensor tl(logits), tm(cmax), ta(arg);
    LF_ACLNN(dev(logits), MaxDim, tl.get(), 1, false, tm.get(), ta.get());
  }
  Tensor m = k::f32(cmax);
  Tensor shifted = k::like(logits, {N, C}, DType::f32);
  {
    AclTensor tl(logits), tm = k::reshaped(m, {N, 1}), ts(shifted);
    AclScalar one(1.0);
    LF_ACLNN(dev(logits), Sub, tl.get(), tm.get(), one.get(), ts.get());
  }
  k::exp(shifted, shifted);
  Tensor sc = k::like(logits, {N}, DType::f32);
  k::reduce_sum(shifted, {1}, false, sc);

  Tensor top = k::like(logits, {N}, DType::f32);
  {
    AclTensor tr(running_max), tm(m), tt(top);
    LF_ACLNN(dev(logits), ClampMinTensor, tr.get(), tm.get(), tt.get());
  }
  Tensor e = k::like(logits, {N}, DType::f32);
  k::sub(running_max, top, e);
  k::exp(e, e);
  k::mul(running_sum, e, running_sum);
  k::sub(m, top, e);
  k::exp(e, e);
  k::mul(e, sc, e);
  k::inplace_add(running_sum, e, 1.0);
  k::copy(top, running_max);

  Tensor col = k::like(labels, {N}, DType::i64), in_range = k::like(logits, {N}, DType::f32);
  label_columns(labels, col0, C, col, in_range);
  Tensor picked = k::like(logits, {N, 1}, logits.dtype());
  {
    AclTensor tl(logits), tc = k::reshaped(col, {N, 1}), tp(picked);
    LF_ACLNN(dev(logits), Gather, tl.get(), 1, tc.get(), tp.get());
  }
  Tensor contrib = k::like(logits, {N}, DType::f32);
  k::mul(picked.view({N}), in_range, contrib);
  k::inplace_add(target_logit, contrib, 1.0);
}

void AscendBackend::cross_entropy_chunk_backward(const Tensor& logits, const Tensor& labels,
                                                 int64_t col0, const Tensor& lse,
                                                 const Tensor& row_scale, Tensor& dlogits) {
  const int64_t N = logits.size(0), C = logits.size(1);
  Tensor prob = k::like(logits, {N, C}, DType::f32);
  {
    AclTensor tl(logits), tz = k::reshaped(lse, {N, 1}), tp(prob);
    AclScalar one(1.0);
    LF_ACLNN(dev(logits), Sub, tl.get(), tz.get(), one.get(), tp.get());
  }
  k::exp(prob, prob);
  // One-hot of the in-range labels: scatter in_range[i] to flat index i*C + col[i].
  Tensor col = k::like(labels, {N}, DType::i64), in_range = k::like(logits, {N}, DType::f32);
  label_columns(labels, col0, C, col, in_range);
  Tensor flat = k::like(labels, {N}, DType::i64);
  {
    AclScalar start(0.0, ACL_INT64), end(static_cast<double>(N * C), ACL_INT64),
        step(static_cast<double>(C), ACL_INT64);
    AclTensor tf(flat);
    LF_ACLNN(dev(logits), Arange, start.get(), end.get(), step.get(), tf.get());
  }
  k::inplace_add(flat, col, 1.0);
  Tensor onehot = k::like(logits, {N * C, 1}, DType::f32);
  dense_scatter(in_range.view({N, 1}), flat, static_cast<uint64_t>(N * C), onehot);
  k::inplace_add(prob, onehot.view({N, C}), -1.0);
  // Rows labelled -100 get 0: keep = clamp((label + 100)^2, 0, 1).
  Tensor keep = k::like(labels, {N}, DType::f32);
  k::cast(labels, keep);
  k::adds(keep, 100.0, keep);
  k::mul(keep, keep, keep);
  k::clamp(keep, 0.0, 1.0, keep);
  k::mul(keep, row_scale, keep);
  AclTensor tp(prob), tk = k::reshaped(keep, {N, 1}), td(dlogits);
  LF_ACLNN(dev(logits), Mul, tp.get(), tk.get(), td.get());
}

}  // namespace lf::ascend
