// Plain, obviously-correct reference implementations in double precision:
// direct loops over the definitions, no blocking, no online tricks.
#pragma once
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "util.h"

namespace lf::test::ref {

// C[b] = alpha * op(A[b]) @ op(B[b or shared]) + beta * C[b]; A stored [batch, M, K]
// ([batch, K, M] when ta), B [batch?, K, N] ([.., N, K] when tb), all row-major.
inline DVec matmul(const Vec& a, const Vec& b, int64_t batch, int64_t M, int64_t K, int64_t N,
                   bool ta, bool tb, bool b_shared, float alpha = 1.0f, float beta = 0.0f,
                   const Vec& c0 = {}) {
  DVec c(static_cast<size_t>(batch * M * N));
  for (int64_t p = 0; p < batch; ++p) {
    const float* A = a.data() + p * M * K;
    const float* B = b.data() + (b_shared ? 0 : p * K * N);
    for (int64_t i = 0; i < M; ++i)
      for (int64_t j = 0; j < N; ++j) {
        double s = 0.0;
        for (int64_t k = 0; k < K; ++k)
          s += static_cast<double>(ta ? A[k * M + i] : A[i * K + k]) * (tb ? B[j * K + k] : B[k * N + j]);
        const size_t o = static_cast<size_t>((p * M + i) * N + j);
        c[o] = alpha * s + (c0.empty() ? 0.0 : beta * static_cast<double>(c0[o]));
      }
  }
  return c;
}

struct RmsNorm {
  DVec y, rstd, dx, dw;
};
inline RmsNorm rms_norm(const Vec& x, const Vec& w, const Vec& dy, int64_t N, int64_t H, float eps) {
  RmsNorm r{DVec(x.size()), DVec(N), DVec(x.size()), DVec(H, 0.0)};
  for (int64_t n = 0; n < N; ++n) {
    double ss = 0.0;
    for (int64_t i = 0; i < H; ++i) ss += double(x[n * H + i]) * x[n * H + i];
    const double rs = 1.0 / std::sqrt(ss / H + eps);
    r.rstd[n] = rs;
    double dot = 0.0;
    for (int64_t i = 0; i < H; ++i) {
      r.y[n * H + i] = x[n * H + i] * rs * w[i];
      if (!dy.empty()) {
        dot += double(dy[n * H + i]) * w[i] * x[n * H + i];
        r.dw[i] += double(dy[n * H + i]) * x[n * H + i] * rs;
      }
    }
    if (!dy.empty())
      for (int64_t i = 0; i < H; ++i)
        r.dx[n * H + i] = rs * (double(w[i]) * dy[n * H + i] - x[n * H + i] * rs * rs * dot / H);
  }
  return r;
}

// x: [B, T, heads, D]; positions [B, T]. sign = -1 for the inverse rotation.
inline DVec rope(const Vec& x, const std::vector<int64_t>& pos, int64_t B, int64_t T, int64_t heads,
                 int64_t D, double theta, int64_t rot, bool interleaved, double sign = 1.0,
                 const std::vector<float>& inv_freq = {}, double factor = 1.0) {
  DVec y(x.begin(), x.end());
  const int64_t half = rot / 2;
  for (int64_t bt = 0; bt < B * T; ++bt)
    for (int64_t h = 0; h < heads; ++h)
      for (int64_t i = 0; i < half; ++i) {
        const double f = inv_freq.empty() ? std::pow(theta, -2.0 * i / rot) : inv_freq[i];
        const double ang = pos[bt] * f, c = std::cos(ang) * factor, s = sign * std::sin(ang) * factor;
        const int64_t base = (bt * heads + h) * D;
        const int64_t i1 = interleaved ? 2 * i : i, i2 = interleaved ? 2 * i + 1 : i + half;
        y[base + i1] = x[base + i1] * c - x[base + i2] * s;
        y[base + i2] = x[base + i2] * c + x[base + i1] * s;
      }
  return y;
}

inline double silu(double x) { return x / (1.0 + std::exp(-x)); }
inline double dsilu(double x) {
  const double s = 1.0 / (1.0 + std::exp(-x));
  return s * (1.0 + x * (1.0 - s));
}
inline double gelu_tanh(double x) {
  return 0.5 * x * (1.0 + std::tanh(std::sqrt(2.0 / M_PI) * (x + 0.044715 * x * x * x)));
}
inline double gelu(double x) { return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0))); }

struct Attention {
  DVec out, lse, dq, dk, dv;
};
// q [B, Tq, Hq, D], k/v [B, Tk, Hkv, D]; segments (may be empty) [B, Tq] / [B, Tk];
// kv_lens (may be empty) [B]. dout empty = forward only. Materialises the full
// score matrix per (b, h): fine for a reference.
inline Attention attention(const Vec& q, const Vec& k, const Vec& v, const Vec& dout, int64_t B,
                           int64_t Tq, int64_t Tk, int64_t Hq, int64_t Hkv, int64_t D, bool causal,
                           const std::vector<int64_t>& qseg, const std::vector<int64_t>& kseg,
                           const std::vector<int64_t>& kv_lens, double scale = 0.0) {
  if (scale == 0.0) scale = 1.0 / std::sqrt(double(D));
  const int64_t G = Hq / Hkv;
  Attention r{DVec(q.size(), 0.0), DVec(B * Hq * Tq), DVec(q.size(), 0.0), DVec(k.size(), 0.0),
              DVec(v.size(), 0.0)};
  auto qi = [&](int64_t b, int64_t t, int64_t h) { return ((b * Tq + t) * Hq + h) * D; };
  auto ki = [&](int64_t b, int64_t t, int64_t h) { return ((b * Tk + t) * Hkv + h) * D; };
  for (int64_t b = 0; b < B; ++b) {
    const int64_t kl = kv_lens.empty() ? Tk : kv_lens[b];
    for (int64_t h = 0; h < Hq; ++h) {
      const int64_t hk = h / G;
      for (int64_t i = 0; i < Tq; ++i) {
        std::vector<double> p(Tk, 0.0);
        double m = -std::numeric_limits<double>::infinity();
        std::vector<bool> ok(Tk);
        for (int64_t j = 0; j < Tk; ++j) {
          ok[j] = j < kl && (!causal || j <= kl - Tq + i) &&
                  (qseg.empty() || qseg[b * Tq + i] == kseg[b * Tk + j]);
          if (!ok[j]) continue;
          double s = 0.0;
          for (int64_t d = 0; d < D; ++d) s += double(q[qi(b, i, h) + d]) * k[ki(b, j, hk) + d];
          p[j] = s * scale;
          m = std::max(m, p[j]);
        }
        double l = 0.0;
        for (int64_t j = 0; j < Tk; ++j) l += ok[j] ? std::exp(p[j] - m) : 0.0;
        r.lse[(b * Hq + h) * Tq + i] = l > 0 ? m + std::log(l) : -INFINITY;
        for (int64_t j = 0; j < Tk; ++j) p[j] = ok[j] ? std::exp(p[j] - m) / l : 0.0;
        for (int64_t j = 0; j < Tk; ++j)
          for (int64_t d = 0; d < D; ++d) r.out[qi(b, i, h) + d] += p[j] * v[ki(b, j, hk) + d];
        if (dout.empty()) continue;
        // dP = dO V^T; dS = P * (dP - sum_j P dP); dQ = scale dS K; dK += scale dS^T Q; dV += P^T dO.
        std::vector<double> dp(Tk, 0.0);
        double dot = 0.0;
        for (int64_t j = 0; j < Tk; ++j) {
          for (int64_t d = 0; d < D; ++d) dp[j] += double(dout[qi(b, i, h) + d]) * v[ki(b, j, hk) + d];
          dot += p[j] * dp[j];
        }
        for (int64_t j = 0; j < Tk; ++j) {
          const double ds = p[j] * (dp[j] - dot) * scale;
          for (int64_t d = 0; d < D; ++d) {
            r.dq[qi(b, i, h) + d] += ds * k[ki(b, j, hk) + d];
            r.dk[ki(b, j, hk) + d] += ds * q[qi(b, i, h) + d];
            r.dv[ki(b, j, hk) + d] += p[j] * dout[qi(b, i, h) + d];
          }
        }
      }
    }
  }
  return r;
}

struct CrossEntropy {
  double loss = 0.0;
  int64_t count = 0;
  DVec lse, dlogits;  // dlogits [N, V] of (dloss * mean loss)
};
inline CrossEntropy cross_entropy(const DVec& logits, const std::vector<int64_t>& labels, int64_t N,
                                  int64_t V, double dloss = 1.0) {
  CrossEntropy r;
  r.lse.assign(N, 0.0);
  r.dlogits.assign(N * V, 0.0);
  for (int64_t n = 0; n < N; ++n) {
    if (labels[n] == -100) continue;
    double m = -INFINITY, s = 0.0;
    for (int64_t j = 0; j < V; ++j) m = std::max(m, logits[n * V + j]);
    for (int64_t j = 0; j < V; ++j) s += std::exp(logits[n * V + j] - m);
    r.lse[n] = m + std::log(s);
    r.loss += r.lse[n] - logits[n * V + labels[n]];
    r.count++;
  }
  if (r.count) r.loss /= r.count;
  for (int64_t n = 0; n < N && r.count; ++n) {
    if (labels[n] == -100) continue;
    for (int64_t j = 0; j < V; ++j)
      r.dlogits[n * V + j] = dloss / r.count * (std::exp(logits[n * V + j] - r.lse[n]) - (j == labels[n]));
  }
  return r;
}

}  // namespace lf::test::ref
