#include "op_timer.h"

#include <utility>

#include "bench_clock.h"

namespace lf::bench {

OpTimer& OpTimer::install() {
  static OpTimer timer(ops::backend_for(Device::cpu()));
  ops::register_backend(DeviceType::cpu, &timer);
  return timer;
}

template <class Fn>
void OpTimer::timed(const std::string& op, Fn&& fn, double flops) {
  if (!phase_) {
    std::forward<Fn>(fn)();
    return;
  }
  const double t0 = now_seconds();
  std::forward<Fn>(fn)();
  const double s = now_seconds() - t0;
  Total& t = totals_[std::string(phase_) + op];
  t.seconds += s;
  t.calls++;
  t.flops += flops;
}

void OpTimer::matmul(const Tensor& a, const Tensor& b, Tensor& c, bool trans_a, bool trans_b,
                     float alpha, float beta) {
  // Shapes name the product (forward x@W^T, dx = dy@W, LoRA's rank-8 factors, ...).
  const int64_t k = trans_a ? a.size(a.dim() - 2) : a.size(a.dim() - 1);
  const double flops = 2.0 * static_cast<double>(c.numel()) * static_cast<double>(k);
  std::string key = "matmul " + std::string(dtype_name(a.dtype())) + " " + shape_str(a.shape()) +
                    (trans_a ? "^T" : "") + " @ " + shape_str(b.shape()) + (trans_b ? "^T" : "");
  timed(key, [&] { inner_.matmul(a, b, c, trans_a, trans_b, alpha, beta); }, flops);
}

void OpTimer::rms_norm(const Tensor& x, const Tensor& w, float eps, Tensor& y, Tensor& rstd) {
  timed("rms_norm", [&] { inner_.rms_norm(x, w, eps, y, rstd); });
}
void OpTimer::rms_norm_backward(const Tensor& dy, const Tensor& x, const Tensor& w,
                                const Tensor& rstd, Tensor& dx, Tensor& dw) {
  timed("rms_norm_backward", [&] { inner_.rms_norm_backward(dy, x, w, rstd, dx, dw); });
}
void OpTimer::rope(const Tensor& x, const Tensor& positions, const ops::RopeParams& p,
                   bool inverse, Tensor& y) {
  timed(inverse ? "rope (inverse)" : "rope", [&] { inner_.rope(x, positions, p, inverse, y); });
}
void OpTimer::swiglu(const Tensor& gate, const Tensor& up, Tensor& out) {
  timed("swiglu", [&] { inner_.swiglu(gate, up, out); });
}
void OpTimer::swiglu_backward(const Tensor& dout, const Tensor& gate, const Tensor& up,
                              Tensor& dgate, Tensor& dup) {
  timed("swiglu_backward", [&] { inner_.swiglu_backward(dout, gate, up, dgate, dup); });
}
void OpTimer::activation(ops::Activation kind, const Tensor& x, Tensor& y) {
  timed("activation", [&] { inner_.activation(kind, x, y); });
}
void OpTimer::activation_backward(ops::Activation kind, const Tensor& dy, const Tensor& x,
                                  Tensor& dx) {
  timed("activation_backward", [&] { inner_.activation_backward(kind, dy, x, dx); });
}
void OpTimer::attention(const Tensor& q, const Tensor& k, const Tensor& v,
                        const ops::AttentionParams& p, Tensor& out, Tensor& lse) {
  timed("attention", [&] { inner_.attention(q, k, v, p, out, lse); });
}
void OpTimer::attention_backward(const Tensor& dout, const Tensor& q, const Tensor& k,
                                 const Tensor& v, const Tensor& out, const Tensor& lse,
                                 const ops::AttentionParams& p, Tensor& dq, Tensor& dk,
                                 Tensor& dv) {
  timed("attention_backward",
        [&] { inner_.attention_backward(dout, q, k, v, out, lse, p, dq, dk, dv); });
}
void OpTimer::embedding(const Tensor& ids, const Tensor& weight, Tensor& out) {
  timed("embedding", [&] { inner_.embedding(ids, weight, out); });
}
void OpTimer::embedding_backward(const Tensor& ids, const Tensor& dout, Tensor& dweight) {
  timed("embedding_backward", [&] { inner_.embedding_backward(ids, dout, dweight); });
}
void OpTimer::cross_entropy_chunk(const Tensor& logits, const Tensor& labels, int64_t col0,
                                  Tensor& running_max, Tensor& running_sum, Tensor& target_logit) {
  timed("cross_entropy_chunk", [&] {
    inner_.cross_entropy_chunk(logits, labels, col0, running_max, running_sum, target_logit);
  });
}
void OpTimer::cross_entropy_chunk_backward(const Tensor& logits, const Tensor& labels,
                                           int64_t col0, const Tensor& lse,
                                           const Tensor& row_scale, Tensor& dlogits) {
  timed("cross_entropy_chunk_backward", [&] {
    inner_.cross_entropy_chunk_backward(logits, labels, col0, lse, row_scale, dlogits);
  });
}
void OpTimer::add(const Tensor& a, const Tensor& b, float alpha, float beta, Tensor& out) {
  timed("add", [&] { inner_.add(a, b, alpha, beta, out); });
}
void OpTimer::mul(const Tensor& a, const Tensor& b, Tensor& out) {
  timed("mul", [&] { inner_.mul(a, b, out); });
}
void OpTimer::scale(const Tensor& x, float s, Tensor& out) {
  timed("scale", [&] { inner_.scale(x, s, out); });
}
void OpTimer::bias_add(const Tensor& x, const Tensor& bias, Tensor& out) {
  timed("bias_add", [&] { inner_.bias_add(x, bias, out); });
}
void OpTimer::sum_rows(const Tensor& x, Tensor& out) {
  timed("sum_rows", [&] { inner_.sum_rows(x, out); });
}
void OpTimer::cast(const Tensor& src, Tensor& dst) {
  timed("cast " + std::string(dtype_name(src.dtype())) + "->" + dtype_name(dst.dtype()),
        [&] { inner_.cast(src, dst); });
}
void OpTimer::copy(const Tensor& src, Tensor& dst) {
  timed("copy", [&] { inner_.copy(src, dst); });
}
void OpTimer::fill(Tensor& out, float value) {
  timed("fill", [&] { inner_.fill(out, value); });
}
void OpTimer::dropout(const Tensor& x, float p, uint64_t seed, Tensor& out) {
  timed("dropout", [&] { inner_.dropout(x, p, seed, out); });
}
void OpTimer::adamw(Tensor& param, const Tensor& grad, Tensor& m, Tensor& v,
                    const ops::AdamWParams& p) {
  timed("adamw", [&] { inner_.adamw(param, grad, m, v, p); });
}
void OpTimer::sum_squares(const Tensor& x, Tensor& out) {
  timed("sum_squares", [&] { inner_.sum_squares(x, out); });
}
void OpTimer::topk(const Tensor& logits, int64_t k, Tensor& values, Tensor& indices) {
  timed("topk", [&] { inner_.topk(logits, k, values, indices); });
}

}  // namespace lf::bench
