// The CPU backend: the reference implementation of ops/backend.h that runs
// everywhere. Matmul goes through oneDNN; the rest are fused loops written for
// the compiler to vectorise and OpenMP to spread over OMP_NUM_THREADS threads.
// Each group of ops lives in its own cpu_*.cpp file.
#pragma once
#include "ops/backend.h"

namespace lf::cpu {

class CpuBackend final : public ops::Backend {
 public:
  const char* name() const override { return "cpu"; }
  std::vector<std::pair<std::string, std::string>> env_lines() const override;

  void matmul(const Tensor& a, const Tensor& b, Tensor& c, bool trans_a, bool trans_b, float alpha,
              float beta) override;
  void freeze_weight(const Tensor& w) override;
  void rms_norm(const Tensor& x, const Tensor& w, float eps, Tensor& y, Tensor& rstd) override;
  void rms_norm_backward(const Tensor& dy, const Tensor& x, const Tensor& w, const Tensor& rstd,
                         Tensor& dx, Tensor& dw) override;
  void rope(const Tensor& x, const Tensor& positions, const ops::RopeParams& p, bool inverse,
            Tensor& y) override;
  void swiglu(const Tensor& gate, const Tensor& up, Tensor& out) override;
  void swiglu_backward(const Tensor& dout, const Tensor& gate, const Tensor& up, Tensor& dgate,
                       Tensor& dup) override;
  void activation(ops::Activation kind, const Tensor& x, Tensor& y) override;
  void activation_backward(ops::Activation kind, const Tensor& dy, const Tensor& x,
                           Tensor& dx) override;
  void attention(const Tensor& q, const Tensor& k, const Tensor& v, const ops::AttentionParams& p,
                 Tensor& out, Tensor& lse) override;
  void attention_backward(const Tensor& dout, const Tensor& q, const Tensor& k, const Tensor& v,
                          const Tensor& out, const Tensor& lse, const ops::AttentionParams& p,
                          Tensor& dq, Tensor& dk, Tensor& dv) override;
  void paged_attention(const Tensor& q, const Tensor& k_pool, const Tensor& v_pool,
                       const Tensor& block_tables, const Tensor& kv_lens, float scale,
                       Tensor& out) override;
  void embedding(const Tensor& ids, const Tensor& weight, Tensor& out) override;
  void embedding_backward(const Tensor& ids, const Tensor& dout, Tensor& dweight) override;
  void cross_entropy_chunk(const Tensor& logits, const Tensor& labels, int64_t col0,
                           Tensor& running_max, Tensor& running_sum, Tensor& target_logit) override;
  void cross_entropy_chunk_backward(const Tensor& logits, const Tensor& labels, int64_t col0,
                                    const Tensor& lse, const Tensor& row_scale,
                                    Tensor& dlogits) override;
  void add(const Tensor& a, const Tensor& b, float alpha, float beta, Tensor& out) override;
  void mul(const Tensor& a, const Tensor& b, Tensor& out) override;
  void scale(const Tensor& x, float s, Tensor& out) override;
  void bias_add(const Tensor& x, const Tensor& bias, Tensor& out) override;
  void sum_rows(const Tensor& x, Tensor& out) override;
  void cast(const Tensor& src, Tensor& dst) override;
  void copy(const Tensor& src, Tensor& dst) override;
  void fill(Tensor& out, float value) override;
  void dropout(const Tensor& x, float p, uint64_t seed, Tensor& out) override;
  void adamw(Tensor& param, const Tensor& grad, Tensor& m, Tensor& v,
             const ops::AdamWParams& p) override;
  void sum_squares(const Tensor& x, Tensor& out) override;
  void topk(const Tensor& logits, int64_t k, Tensor& values, Tensor& indices) override;
  void synchronize(int) override {}
};

CpuBackend& cpu_backend();

}  // namespace lf::cpu
