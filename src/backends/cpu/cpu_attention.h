// What the CPU attention kernels share: the geometry and masks of a call, the
// per-row softmax steps, and the two kernel families (f32 tiles for any
// inputs, bf16 tiles for bf16 inputs on CPUs with AVX-512 BF16).
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "backends/cpu/cpu_convert.h"
#include "backends/cpu/cpu_math.h"
#include "backends/cpu/cpu_vec.h"
#include "ops/backend.h"

namespace lf::cpu::attn {

// Queries per block, keys per tile.
constexpr int64_t kBq = 64;
constexpr int64_t kBk = 64;
constexpr float kNegInf = -std::numeric_limits<float>::infinity();

struct Geometry {
  int64_t B, Tq, Tk, Hq, Hkv, D, group;
  float scale;
  bool causal;
  const ops::AttentionParams* p;

  explicit Geometry(const Tensor& q, const Tensor& k, const ops::AttentionParams& prm)
      : B(q.size(0)), Tq(q.size(1)), Tk(k.size(1)), Hq(q.size(2)), Hkv(k.size(2)), D(q.size(3)),
        group(q.size(2) / k.size(2)), causal(prm.causal), p(&prm) {
    scale = prm.scale != 0.0f ? prm.scale : 1.0f / std::sqrt(static_cast<float>(D));
  }
  int64_t kv_len(int64_t b) const {
    return p->kv_lens.defined() ? load_index(p->kv_lens.raw_data(), p->kv_lens.dtype(), b) : Tk;
  }
  // Key index visible to query i when causal: i sits at key position kv_len - Tq + i.
  int64_t last_key(int64_t b, int64_t i) const {
    const int64_t kl = kv_len(b);
    return causal ? std::min(kl - 1, kl - Tq + i) : kl - 1;
  }
  // Keys j0 + jj with jj < the result pass the causal and kv_len tests for query i.
  int64_t visible_in_tile(int64_t b, int64_t i, int64_t j0, int64_t nk) const {
    return std::clamp<int64_t>(last_key(b, i) - j0 + 1, 0, nk);
  }
  bool same_segment(int64_t b, int64_t i, int64_t j) const {
    if (!p->q_segments.defined()) return true;
    return load_index(p->q_segments.raw_data(), p->q_segments.dtype(), b * Tq + i) ==
           load_index(p->k_segments.raw_data(), p->k_segments.dtype(), b * Tk + j);
  }
  // Offset (elements) of row (b, t, h) of a [B, T, H, D] tensor.
  int64_t row(int64_t b, int64_t t, int64_t T, int64_t h, int64_t H) const {
    return ((b * T + t) * H + h) * D;
  }
};

// Lane k holds k: a column index vector, to compare against a mask's limit.
inline vi32 lane_index() {
  vi32 v{};
  for (int64_t k = 0; k < kLanes; ++k) v[k] = static_cast<int32_t>(k);
  return v;
}

// Horizontal max and sum by halving (four dependent steps for 16 lanes, not
// sixteen as hmax / hsum): they run once per row and tile.
inline float tree_max(vf v) {
  float t[kLanes];
  vstore(t, v);
  for (int64_t w = kLanes / 2; w > 0; w /= 2)
    for (int64_t k = 0; k < w; ++k) t[k] = std::max(t[k], t[k + w]);
  return t[0];
}
inline float tree_sum(vf v) {
  float t[kLanes];
  vstore(t, v);
  for (int64_t w = kLanes / 2; w > 0; w /= 2)
    for (int64_t k = 0; k < w; ++k) t[k] += t[k + w];
  return t[0];
}

// Folds scores si[0, nk) of query i against keys j0.. (times `scale`) into the
// row's running max m and sum l, and writes the tile's unnormalised
// probabilities to p (f32 in place, or the bf16 operand of P V). Returns the
// factor the row's output accumulator must be rescaled by (1 when the max did
// not move). Written on vf vectors: the masked max does not auto-vectorise.
template <typename T>
float online_softmax_row(const Geometry& g, int64_t b, int64_t i, int64_t j0, int64_t nk,
                         float scale, float* si, T* p, float& m, float& l) {
  // Plain loops over vectors (the last one partial): for_lanes' lambdas were
  // not inlined here.
  const int64_t lim = g.visible_in_tile(b, i, j0, nk);
  const vi32 lanes = lane_index();
  vf mv = splat(kNegInf);
  for (int64_t j = 0; j < nk; j += kLanes) {
    const int64_t n = std::min(kLanes, nk - j);
    vf x = vload(si + j, n, kNegInf) * scale;
    x = lanes + static_cast<int32_t>(j) < static_cast<int32_t>(lim) ? x : splat(kNegInf);
    vstore(si + j, x, n);
    mv = mv > x ? mv : x;
  }
  float mt = tree_max(mv);
  if (g.p->q_segments.defined()) {
    mt = kNegInf;
    for (int64_t jj = 0; jj < lim; ++jj) {
      if (!g.same_segment(b, i, j0 + jj)) si[jj] = kNegInf;
      mt = std::max(mt, si[jj]);
    }
  }
  if (mt == kNegInf) {
    for (int64_t j = 0; j < nk; j += kLanes) vstore(p + j, vf{}, std::min(kLanes, nk - j));
    return 1.0f;
  }
  const float m_new = std::max(m, mt), corr = fast_exp(m - m_new);
  vf sum{};
  for (int64_t j = 0; j < nk; j += kLanes) {
    const int64_t n = std::min(kLanes, nk - j);
    const vf e = exp_approx(vload(si + j, n, kNegInf) - m_new);
    sum += e;
    vstore(p + j, e, n);
  }
  l = l * corr + tree_sum(sum);
  m = m_new;
  return corr;
}

// Backward for query i (log-sum-exp li, delta di = rowsum(dO * O)) against
// keys j0..: pi holds the raw scores Q K^T and becomes P; dpi holds dO V^T and
// becomes dS = P (dP - delta) scale, the scale folded in for dQ and dK.
inline void backward_row(const Geometry& g, int64_t b, int64_t i, int64_t j0, int64_t nk, float li,
                         float di, float* pi, float* dpi) {
  const int64_t lim = li == kNegInf ? 0 : g.visible_in_tile(b, i, j0, nk);
#pragma omp simd
  for (int64_t jj = 0; jj < nk; ++jj) pi[jj] = jj < lim ? fast_exp(pi[jj] * g.scale - li) : 0.0f;
  if (g.p->q_segments.defined())
    for (int64_t jj = 0; jj < lim; ++jj)
      if (!g.same_segment(b, i, j0 + jj)) pi[jj] = 0.0f;
#pragma omp simd
  for (int64_t jj = 0; jj < nk; ++jj) dpi[jj] = pi[jj] * (dpi[jj] - di) * g.scale;
}

void forward_f32(const Geometry& g, const Tensor& q, const Tensor& k, const Tensor& v, Tensor& out,
                 Tensor& lse);
void backward_f32(const Geometry& g, const Tensor& dout, const Tensor& q, const Tensor& k,
                  const Tensor& v, const Tensor& out, const Tensor& lse, Tensor& dq, Tensor& dk,
                  Tensor& dv);
void forward_bf16(const Geometry& g, const Tensor& q, const Tensor& k, const Tensor& v, Tensor& out,
                  Tensor& lse);
void backward_bf16(const Geometry& g, const Tensor& dout, const Tensor& q, const Tensor& k,
                   const Tensor& v, const Tensor& out, const Tensor& lse, Tensor& dq, Tensor& dk,
                   Tensor& dv);

}  // namespace lf::cpu::attn
