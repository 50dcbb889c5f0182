// A Backend that forwards every op to the CPU backend and counts the calls
// of a few ops, installed for the CPU device while it lives: it makes "no
// weight-gradient work for frozen weights" observable.
#pragma once
#include "ops/backend.h"
#include "ops/ops.h"

namespace lf::ag::gradcheck {

class CountingBackend final : public ops::Backend {
 public:
  CountingBackend() : inner_(ops::backend_for(Device::cpu())) {
    ops::register_backend(DeviceType::cpu, this);
  }
  ~CountingBackend() override { ops::register_backend(DeviceType::cpu, &inner_); }
  CountingBackend(const CountingBackend&) = delete;
  CountingBackend& operator=(const CountingBackend&) = delete;

  int matmuls = 0, embedding_backwards = 0, norm_weight_grads = 0;
  void reset() { matmuls = embedding_backwards = norm_weight_grads = 0; }

  const char* name() const override { return "counting"; }
  void matmul(const Tensor& a, const Tensor& b, Tensor& c, bool ta, bool tb, float alpha,
              float beta) override {
    ++matmuls;
    inner_.matmul(a, b, c, ta, tb, alpha, beta);
  }
  void rms_norm(const Tensor& x, const Tensor& w, float eps, Tensor& y, Tensor& rstd) override {
    inner_.rms_norm(x, w, eps, y, rstd);
  }
  void rms_norm_backward(const Tensor& dy, const Tensor& x, const Tensor& w, const Tensor& rstd,
                         Tensor& dx, Tensor& dw) override {
    norm_weight_grads += dw.defined();
    inner_.rms_norm_backward(dy, x, w, rstd, dx, dw);
  }
  void rope(const Tensor& x, const Tensor& pos, const ops::RopeParams& p, bool inverse,
            Tensor& y) override {
    inner_.rope(x, pos, p, inverse, y);
  }
  void swiglu(const Tensor& gate, const Tensor& up, Tensor& out) override {
    inner_.swiglu(gate, up, out);
  }
  void swiglu_backward(const Tensor& dout, const Tensor& gate, const Tensor& up, Tensor& dgate,
                       Tensor& dup) override {
    inner_.swiglu_backward(dout, gate, up, dgate, dup);
  }
  void activation(ops::Activation kind, const Tensor& x, Tensor& y) override {
    inner_.activation(kind, x, y);
  }
  void activation_backward(ops::Activation kind, const Tensor& dy, const Tensor& x,
                           Tensor& dx) override {
    inner_.activation_backward(kind, dy, x, dx);
  }
  void attention(const Tensor& q, const Tensor& k, const Tensor& v, const ops::AttentionParams& p,
                 Tensor& out, Tensor& lse) override {
    inner_.attention(q, k, v, p, out, lse);
  }
  void attention_backward(const Tensor& dout, const Tensor& q, const Tensor& k, const Tensor& v,
                          const Tensor& out, const Tensor& lse, const ops::AttentionParams& p,
                          Tensor& dq, Tensor& dk, Tensor& dv) override {
    inner_.attention_backward(dout, q, k, v, out, lse, p, dq, dk, dv);
  }
  void embedding(const Tensor& ids, const Tensor& weight, Tensor& out) override {
    inner_.embedding(ids, weight, out);
  }
  void embedding_backward(const Tensor& ids, const Tensor& dout, Tensor& dweight) override {
    ++embedding_backwards;
    inner_.embedding_backward(ids, dout, dweight);
  }
  void cross_entropy_chunk(const Tensor& logits, const Tensor& labels, int64_t col0,
                           Tensor& running_max, Tensor& running_sum, Tensor& target) override {
    inner_.cross_entropy_chunk(logits, labels, col0, running_max, running_sum, target);
  }
  void cross_entropy_chunk_backward(const Tensor& logits, const Tensor& labels, int64_t col0,
                                    const Tensor& lse, const Tensor& row_scale,
                                    Tensor& dlogits) override {
    inner_.cross_entropy_chunk_backward(logits, labels, col0, lse, row_scale, dlogits);
  }
  void add(const Tensor& a, const Tensor& b, float alpha, float beta, Tensor& out) override {
    inner_.add(a, b, alpha, beta, out);
  }
  void mul(const Tensor& a, const Tensor& b, Tensor& out) override { inner_.mul(a, b, out); }
  void scale(const Tensor& x, float s, Tensor& out) override { inner_.scale(x, s, out); }
  void bias_add(const Tensor& x, const Tensor& bias, Tensor& out) override {
    inner_.bias_add(x, bias, out);
  }
  void sum_rows(const Tensor& x, Tensor& out) override { inner_.sum_rows(x, out); }
  void cast(const Tensor& src, Tensor& dst) override { inner_.cast(src, dst); }
  void copy(const Tensor& src, Tensor& dst) override { inner_.copy(src, dst); }
  void fill(Tensor& out, float value) override { inner_.fill(out, value); }
  void dropout(const Tensor& x, float p, uint64_t seed, Tensor& out) override {
    inner_.dropout(x, p, seed, out);
  }
  void adamw(Tensor& param, const Tensor& grad, Tensor& m, Tensor& v,
             const ops::AdamWParams& p) override {
    inner_.adamw(param, grad, m, v, p);
  }
  void sum_squares(const Tensor& x, Tensor& out) override { inner_.sum_squares(x, out); }
  void topk(const Tensor& logits, int64_t k, Tensor& values, Tensor& indices) override {
    inner_.topk(logits, k, values, indices);
  }
  void synchronize(int device_index) override { inner_.synchronize(device_index); }

 private:
  ops::Backend& inner_;
};

}  // namespace lf::ag::gradcheck
