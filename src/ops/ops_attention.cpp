// Causal / padded / packed attention with grouped-query heads.
#include "ops/ops.h"
#include "ops/ops_check.h"

namespace lf::ops {
using detail::Arg;

namespace {

// Checks q, k, v and the mask tensors; returns params whose tensors are contiguous.
AttentionParams check_attention(const char* op, const Tensor& q, const Tensor& k, const Tensor& v,
                                const AttentionParams& p) {
  for (const Arg& a : {Arg{"q", q}, Arg{"k", k}, Arg{"v", v}}) {
    detail::require_float(op, a);
    detail::require_dim(op, a, 4);
  }
  const auto all = [&] { return detail::describe_args({{"q", q}, {"k", k}, {"v", v}}); };  // on failure only
  LF_CHECK(k.shape() == v.shape(), op, ": k and v must have the same shape: ", all());
  LF_CHECK(q.size(0) == k.size(0) && q.size(3) == k.size(3), op,
           ": q [B, Tq, Hq, D] and k, v [B, Tk, Hkv, D] disagree on B or D: ", all());
  LF_CHECK(k.size(2) > 0 && q.size(2) % k.size(2) == 0, op,
           ": query heads must be a multiple of key/value heads (GQA): ", all());
  const int64_t B = q.size(0);
  AttentionParams c = p;
  LF_CHECK(p.q_segments.defined() == p.k_segments.defined(), op,
           ": give both q_segments and k_segments or neither");
  if (p.q_segments.defined()) {
    detail::require_index(op, {"q_segments", p.q_segments});
    detail::require_index(op, {"k_segments", p.k_segments});
    detail::require_shape(op, {"q_segments", p.q_segments}, {B, q.size(1)});
    detail::require_shape(op, {"k_segments", p.k_segments}, {B, k.size(1)});
    c.q_segments = p.q_segments.contiguous();
    c.k_segments = p.k_segments.contiguous();
  }
  if (p.kv_lens.defined()) {
    detail::require_index(op, {"kv_lens", p.kv_lens});
    detail::require_shape(op, {"kv_lens", p.kv_lens}, {B});
    // Backends index keys by these lengths, so they are checked (B values, one sync).
    for (int64_t len : p.kv_lens.to_ints())
      LF_CHECK(len >= 0 && len <= k.size(1), op, ": kv_lens value ", len,
               " is outside [0, Tk] with Tk = ", k.size(1));
    c.kv_lens = p.kv_lens.contiguous();
  }
  return c;
}

}  // namespace

AttentionOut attention(const Tensor& q, const Tensor& k, const Tensor& v, const AttentionParams& p) {
  Device d = detail::common_device("attention", {{"q", q}, {"k", k}, {"v", v},
                                                 {"q_segments", p.q_segments},
                                                 {"k_segments", p.k_segments},
                                                 {"kv_lens", p.kv_lens}});
  AttentionParams c = check_attention("attention", q, k, v, p);
  AttentionOut r{Tensor::empty(q.shape(), q.dtype(), d),
                 Tensor::empty({q.size(0), q.size(2), q.size(1)}, DType::f32, d)};
  if (q.numel())
    backend_for(d).attention(q.contiguous(), k.contiguous(), v.contiguous(), c, r.out, r.lse);
  return r;
}

AttentionGrads attention_backward(const Tensor& dout, const Tensor& q, const Tensor& k,
                                  const Tensor& v, const Tensor& out, const Tensor& lse,
                                  const AttentionParams& p) {
  const char* op = "attention_backward";
  Device d = detail::common_device(op, {{"dout", dout}, {"q", q}, {"k", k}, {"v", v},
                                        {"out", out}, {"lse", lse},
                                        {"q_segments", p.q_segments},
                                        {"k_segments", p.k_segments}, {"kv_lens", p.kv_lens}});
  AttentionParams c = check_attention(op, q, k, v, p);
  detail::require_float(op, {"dout", dout});
  detail::require_shape(op, {"dout", dout}, q.shape());
  detail::require_shape(op, {"out", out}, q.shape());
  detail::require_shape(op, {"lse", lse}, {q.size(0), q.size(2), q.size(1)});
  LF_CHECK(lse.dtype() == DType::f32, op, ": lse must be float32, got ", lse.describe());
  AttentionGrads g{Tensor::empty(q.shape(), q.dtype(), d), Tensor::empty(k.shape(), k.dtype(), d),
                   Tensor::empty(v.shape(), v.dtype(), d)};
  if (q.numel() && k.numel())
    backend_for(d).attention_backward(dout.contiguous(), q.contiguous(), k.contiguous(),
                                      v.contiguous(), out.contiguous(), lse.contiguous(), c, g.dq,
                                      g.dk, g.dv);
  return g;
}

}  // namespace lf::ops
