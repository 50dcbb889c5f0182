// Conformance cases: each runs one op family (forward and backward) through the
// public ops API on a given device, from inputs drawn deterministically from a
// seed (random shapes, edge sizes included), and has a plain reference for the
// same inputs. test_conformance.cpp runs them on the CPU against the reference
// and on every other visible device against the CPU.
#pragma once
#include <functional>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "ops/ops.h"
#include "reference.h"
#include "util.h"

namespace lf::test {

using Outputs = std::map<std::string, Vec>;
using Expected = std::map<std::string, DVec>;

// Tolerances are per element, |got - want| <= atol + rtol * |want|: f32 cases
// allow for f32 accumulation order (1e-5..5e-4 relative); bf16 cases for outputs
// rounded to bf16 (2^-8 relative) after f32 compute, plus bf16 intermediates
// where the op has them (cross-entropy gradients, matmul outputs of long sums).
struct Case {
  std::string name;
  std::function<Outputs(Device, DType, uint64_t)> run;
  std::function<Expected(DType, uint64_t)> reference;
  Tol bf16_tol{2e-2, 2e-2};
  Tol f32_tol{2e-5, 2e-4};
};
inline void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

// Dimension sizes biased to edges: 1, odd, around a kernel block, and plain.
inline int64_t pick(std::mt19937_64& rng, std::initializer_list<int64_t> sizes) {
  std::vector<int64_t> v(sizes);
  return v[rng() % v.size()];
}

inline std::vector<int64_t> rand_ids(size_t n, int64_t V, uint64_t seed, double ignore_frac = 0.0) {
  std::mt19937_64 rng(seed);
  std::vector<int64_t> v(n);
  for (auto& x : v) x = (rng() % 1000) < ignore_frac * 1000 ? -100 : static_cast<int64_t>(rng() % V);
  return v;
}

inline Outputs host(std::initializer_list<std::pair<const char*, Tensor>> ts) {
  Outputs o;
  for (const auto& [name, t] : ts) o[name] = t.to_floats();
  return o;
}

// ---- matmul / linear ----
struct MatmulIn {
  int64_t batch, M, K, N;
  bool ta, tb, shared;
  Vec a, b, c0;
};
// decode: a few rows against a [N, K] weight (trans_b), which the CPU backend
// sends to its gemv kernel; lora: one of lora_linear's rank-r products (one
// small dimension), which it sends to its skinny kernels; general: oneDNN's.
enum class MatmulShapes { general, decode, lora };
inline MatmulIn matmul_in(DType dt, uint64_t seed, MatmulShapes shapes = MatmulShapes::general) {
  std::mt19937_64 rng(seed);
  MatmulIn in;
  in.batch = shapes == MatmulShapes::lora ? 1 : pick(rng, {1, 1, 3});
  if (shapes == MatmulShapes::decode) {
    in.M = pick(rng, {1, 2, 3, 8});
    in.K = pick(rng, {1, 17, 65, 769});
    in.N = pick(rng, {1, 3, 33, 100});
    in.ta = rng() & 1;
    in.tb = true;
  } else if (shapes == MatmulShapes::lora) {
    // tokens T, features F, rank r: x A^T, u B^T, dy B, du A, du^T x, dy^T u.
    const int64_t T = pick(rng, {5, 67, 203}), F = pick(rng, {3, 33, 97}), r = pick(rng, {1, 8, 13});
    const int64_t product = static_cast<int64_t>(rng() % 6);
    const int64_t mkn[6][3] = {{T, F, r}, {T, r, F}, {T, F, r}, {T, r, F}, {r, T, F}, {F, T, r}};
    in.M = mkn[product][0];
    in.K = mkn[product][1];
    in.N = mkn[product][2];
    in.ta = product >= 4;
    in.tb = product <= 1;
  } else {
    in.M = pick(rng, {1, 5, 17, 64});
    in.K = pick(rng, {1, 7, 32, 65});
    in.N = pick(rng, {1, 3, 16, 33});
    in.ta = rng() & 1;
    in.tb = rng() & 1;
  }
  in.shared = in.batch > 1 && (rng() & 1);
  in.a = randn(in.batch * in.M * in.K, seed + 1, 1.0f, dt);
  in.b = randn((in.shared ? 1 : in.batch) * in.K * in.N, seed + 2, 1.0f, dt);
  in.c0 = randn(in.batch * in.M * in.N, seed + 3);
  return in;
}
inline Case matmul_case(MatmulShapes shapes = MatmulShapes::general) {
  const char* names[] = {"matmul", "matmul_skinny", "matmul_lora"};
  return {names[static_cast<int>(shapes)],
          [shapes](Device d, DType dt, uint64_t seed) {
            MatmulIn in = matmul_in(dt, seed, shapes);
            Shape sa = in.ta ? Shape{in.batch, in.K, in.M} : Shape{in.batch, in.M, in.K};
            Shape sb = in.tb ? Shape{in.N, in.K} : Shape{in.K, in.N};
            if (!in.shared) sb.insert(sb.begin(), in.batch);
            Tensor a = make(in.a, sa, dt, d), b = make(in.b, sb, dt, d);
            Tensor c = ops::matmul(a, b, in.ta, in.tb);
            // In-place f32 accumulation (the weight-gradient pattern), alpha and beta.
            Tensor acc = make(in.c0, {in.batch, in.M, in.N}, DType::f32, d);
            ops::matmul_(acc, a, b, in.ta, in.tb, 0.5f, 1.0f);
            return host({{"c", c}, {"acc", acc}});
          },
          [shapes](DType dt, uint64_t seed) {
            MatmulIn in = matmul_in(dt, seed, shapes);
            return Expected{
                {"c", ref::matmul(in.a, in.b, in.batch, in.M, in.K, in.N, in.ta, in.tb, in.shared)},
                {"acc", ref::matmul(in.a, in.b, in.batch, in.M, in.K, in.N, in.ta, in.tb, in.shared,
                                    0.5f, 1.0f, in.c0)}};
          },
          {5e-2, 2e-2}};
}

inline Case linear_case() {
  auto gen = [](DType dt, uint64_t seed, int64_t* rows, int64_t* in_f, int64_t* out_f, Vec* x,
                Vec* w, Vec* bias) {
    std::mt19937_64 rng(seed);
    *rows = pick(rng, {1, 6, 13});
    *in_f = pick(rng, {8, 31});
    *out_f = pick(rng, {1, 24});
    *x = randn(*rows * *in_f, seed + 1, 1.0f, dt);
    *w = randn(*out_f * *in_f, seed + 2, 1.0f, dt);
    *bias = randn(*out_f, seed + 3, 1.0f, dt);
  };
  return {"linear",
          [gen](Device d, DType dt, uint64_t seed) {
            int64_t R, I, O;
            Vec x, w, b;
            gen(dt, seed, &R, &I, &O, &x, &w, &b);
            Tensor y = ops::linear(make(x, {1, R, I}, dt, d), make(w, {O, I}, dt, d), make(b, {O}, dt, d));
            return host({{"y", y}});
          },
          [gen](DType dt, uint64_t seed) {
            int64_t R, I, O;
            Vec x, w, b;
            gen(dt, seed, &R, &I, &O, &x, &w, &b);
            DVec y = ref::matmul(x, w, 1, R, I, O, false, true, false);
            for (int64_t r = 0; r < R; ++r)
              for (int64_t o = 0; o < O; ++o) y[r * O + o] += b[o];
            return Expected{{"y", y}};
          },
          {5e-2, 2e-2}};
}

// ---- rms_norm ----
inline Case rms_norm_case() {
  struct In { int64_t N, H; Vec x, w, dy; };
  auto gen = [](DType dt, uint64_t seed) {
    std::mt19937_64 rng(seed);
    In in{pick(rng, {1, 3, 10}), pick(rng, {1, 7, 64, 130}), {}, {}, {}};
    in.x = randn(in.N * in.H, seed + 1, 1.0f, dt);
    in.w = randn(in.H, seed + 2, 1.0f, dt);
    in.dy = randn(in.N * in.H, seed + 3, 1.0f, dt);
    return in;
  };
  return {"rms_norm",
          [gen](Device d, DType dt, uint64_t seed) {
            In in = gen(dt, seed);
            Tensor x = make(in.x, {in.N, in.H}, dt, d), w = make(in.w, {in.H}, dt, d);
            auto r = ops::rms_norm(x, w, 1e-6f);
            Tensor dw = ops::zeros({in.H}, DType::f32, d);
            Tensor dx = ops::rms_norm_backward(make(in.dy, {in.N, in.H}, dt, d), x, w, r.rstd, dw);
            return host({{"y", r.y}, {"rstd", r.rstd}, {"dx", dx}, {"dw", dw}});
          },
          [gen](DType dt, uint64_t seed) {
            In in = gen(dt, seed);
            auto r = ref::rms_norm(in.x, in.w, in.dy, in.N, in.H, 1e-6f);
            return Expected{{"y", r.y}, {"rstd", r.rstd}, {"dx", r.dx}, {"dw", r.dw}};
          },
          {5e-2, 3e-2}};
}

// ---- rope ----
inline Case rope_case() {
  struct In {
    int64_t B, T, heads, D, rot;
    bool interleaved;
    float theta;
    Vec x;
    std::vector<int64_t> pos;
  };
  auto gen = [](DType dt, uint64_t seed) {
    std::mt19937_64 rng(seed);
    In in{pick(rng, {1, 2}), pick(rng, {1, 5, 9}), pick(rng, {1, 3}), pick(rng, {2, 8, 64}), 0,
          static_cast<bool>(rng() & 1), rng() & 1 ? 10000.0f : 1000000.0f, {}, {}};
    in.rot = (rng() & 1) && in.D >= 4 ? in.D / 2 : in.D;
    in.x = randn(in.B * in.T * in.heads * in.D, seed + 1, 1.0f, dt);
    // Packed-sequence style positions: restart at 0 part-way through a row.
    for (int64_t b = 0; b < in.B; ++b)
      for (int64_t t = 0; t < in.T; ++t) in.pos.push_back(t < in.T / 2 ? t : t - in.T / 2 + 100 * b);
    return in;
  };
  return {"rope",
          [gen](Device d, DType dt, uint64_t seed) {
            In in = gen(dt, seed);
            Tensor x = make(in.x, {in.B, in.T, in.heads, in.D}, dt, d);
            Tensor pos = make_ints(in.pos, {in.B, in.T}, DType::i32, d);
            ops::RopeParams p;
            p.theta = in.theta;
            p.rotary_dim = in.rot;
            p.interleaved = in.interleaved;
            return host({{"y", ops::rope(x, pos, p)}, {"inv", ops::rope(x, pos, p, true)}});
          },
          [gen](DType dt, uint64_t seed) {
            In in = gen(dt, seed);
            return Expected{
                {"y", ref::rope(in.x, in.pos, in.B, in.T, in.heads, in.D, in.theta, in.rot, in.interleaved)},
                {"inv", ref::rope(in.x, in.pos, in.B, in.T, in.heads, in.D, in.theta, in.rot,
                                  in.interleaved, -1.0)}};
          },
          {2e-2, 2e-2},
          {1e-4, 1e-4}};
}

// ---- swiglu and activations ----
inline Case activation_case() {
  auto gen = [](DType dt, uint64_t seed, int64_t* n, Vec* g, Vec* u, Vec* dy) {
    std::mt19937_64 rng(seed);
    *n = pick(rng, {1, 17, 3000});
    *g = randn(*n, seed + 1, 3.0f, dt);
    *u = randn(*n, seed + 2, 1.0f, dt);
    *dy = randn(*n, seed + 3, 1.0f, dt);
  };
  return {"activation",
          [gen](Device d, DType dt, uint64_t seed) {
            int64_t n;
            Vec g, u, dy;
            gen(dt, seed, &n, &g, &u, &dy);
            Tensor G = make(g, {n}, dt, d), U = make(u, {n}, dt, d), DY = make(dy, {n}, dt, d);
            Tensor dg, du;
            ops::swiglu_backward(DY, G, U, dg, du);
            Outputs o = host({{"swiglu", ops::swiglu(G, U)}, {"dgate", dg}, {"dup", du}});
            const std::pair<const char*, ops::Activation> kinds[] = {
                {"silu", ops::Activation::silu}, {"gelu_tanh", ops::Activation::gelu_tanh},
                {"gelu", ops::Activation::gelu}};
            for (const auto& [name, kind] : kinds) {
              o[name] = ops::activation(kind, G).to_floats();
              o[std::string("d") + name] = ops::activation_backward(kind, DY, G).to_floats();
            }
            return o;
          },
          [gen](DType dt, uint64_t seed) {
            int64_t n;
            Vec g, u, dy;
            gen(dt, seed, &n, &g, &u, &dy);
            Expected e;
            auto fill = [&](const char* name, auto f) {
              DVec v(n);
              for (int64_t i = 0; i < n; ++i) v[i] = f(i);
              e[name] = v;
            };
            auto deriv = [](auto f, double x) { return (f(x + 1e-6) - f(x - 1e-6)) / 2e-6; };
            fill("swiglu", [&](int64_t i) { return ref::silu(g[i]) * u[i]; });
            fill("dgate", [&](int64_t i) { return double(dy[i]) * u[i] * ref::dsilu(g[i]); });
            fill("dup", [&](int64_t i) { return double(dy[i]) * ref::silu(g[i]); });
            fill("silu", [&](int64_t i) { return ref::silu(g[i]); });
            fill("dsilu", [&](int64_t i) { return dy[i] * ref::dsilu(g[i]); });
            fill("gelu_tanh", [&](int64_t i) { return ref::gelu_tanh(g[i]); });
            fill("dgelu_tanh", [&](int64_t i) { return dy[i] * deriv(ref::gelu_tanh, g[i]); });
            fill("gelu", [&](int64_t i) { return ref::gelu(g[i]); });
            fill("dgelu", [&](int64_t i) { return dy[i] * deriv(ref::gelu, g[i]); });
            return e;
          },
          {3e-2, 2e-2},
          {1e-4, 2e-4}};
}

// ---- attention ----
struct AttnIn {
  int64_t B, Tq, Tk, Hq, Hkv, D;
  bool causal;
  Vec q, k, v, dout;
  std::vector<int64_t> qseg, kseg, kv_lens;
};
inline AttnIn attention_in(DType dt, uint64_t seed) {
  std::mt19937_64 rng(seed);
  AttnIn in;
  in.B = pick(rng, {1, 2});
  in.Hkv = pick(rng, {1, 2});
  in.Hq = in.Hkv * pick(rng, {1, 3});
  in.D = pick(rng, {4, 16, 64});
  in.Tk = pick(rng, {1, 37, 70, 129});
  in.causal = rng() % 4 != 0;
  const int mode = static_cast<int>(rng() % 3);  // 0 plain, 1 packed segments, 2 kv_lens (cache)
  in.Tq = mode == 2 ? std::max<int64_t>(1, in.Tk / 3) : in.Tk;
  in.q = randn(in.B * in.Tq * in.Hq * in.D, seed + 1, 1.0f, dt);
  in.k = randn(in.B * in.Tk * in.Hkv * in.D, seed + 2, 1.0f, dt);
  in.v = randn(in.B * in.Tk * in.Hkv * in.D, seed + 3, 1.0f, dt);
  in.dout = randn(in.B * in.Tq * in.Hq * in.D, seed + 4, 1.0f, dt);
  if (mode == 1)
    for (int64_t b = 0; b < in.B; ++b)
      for (int64_t t = 0; t < in.Tk; ++t) in.kseg.push_back(t * 3 / in.Tk + b);
  in.qseg = in.kseg;
  if (mode == 2)
    for (int64_t b = 0; b < in.B; ++b) in.kv_lens.push_back(std::max(in.Tq, in.Tk - 5 * b));
  return in;
}
inline Case attention_case() {
  return {"attention",
          [](Device d, DType dt, uint64_t seed) {
            AttnIn in = attention_in(dt, seed);
            Tensor q = make(in.q, {in.B, in.Tq, in.Hq, in.D}, dt, d);
            Tensor k = make(in.k, {in.B, in.Tk, in.Hkv, in.D}, dt, d);
            Tensor v = make(in.v, {in.B, in.Tk, in.Hkv, in.D}, dt, d);
            ops::AttentionParams p;
            p.causal = in.causal;
            if (!in.qseg.empty()) {
              p.q_segments = make_ints(in.qseg, {in.B, in.Tq}, DType::i32, d);
              p.k_segments = make_ints(in.kseg, {in.B, in.Tk}, DType::i32, d);
            }
            if (!in.kv_lens.empty()) p.kv_lens = make_ints(in.kv_lens, {in.B}, DType::i32, d);
            auto r = ops::attention(q, k, v, p);
            auto g = ops::attention_backward(make(in.dout, q.shape(), dt, d), q, k, v, r.out, r.lse, p);
            return host({{"out", r.out}, {"lse", r.lse}, {"dq", g.dq}, {"dk", g.dk}, {"dv", g.dv}});
          },
          [](DType dt, uint64_t seed) {
            AttnIn in = attention_in(dt, seed);
            auto r = ref::attention(in.q, in.k, in.v, in.dout, in.B, in.Tq, in.Tk, in.Hq, in.Hkv,
                                    in.D, in.causal, in.qseg, in.kseg, in.kv_lens);
            return Expected{{"out", r.out}, {"lse", r.lse}, {"dq", r.dq}, {"dk", r.dk}, {"dv", r.dv}};
          },
          {3e-2, 3e-2},
          {5e-5, 5e-4}};
}

// ---- embedding ----
inline Case embedding_case() {
  auto gen = [](DType dt, uint64_t seed, int64_t* N, int64_t* V, int64_t* H, std::vector<int64_t>* ids,
                Vec* w, Vec* dout) {
    std::mt19937_64 rng(seed);
    *N = pick(rng, {1, 9, 40});
    *V = pick(rng, {1, 5, 300});
    *H = pick(rng, {1, 24});
    *ids = rand_ids(*N, *V, seed + 1);  // repeats included: gradients must add up
    *w = randn(*V * *H, seed + 2, 1.0f, dt);
    *dout = randn(*N * *H, seed + 3, 1.0f, dt);
  };
  return {"embedding",
          [gen](Device d, DType dt, uint64_t seed) {
            int64_t N, V, H;
            std::vector<int64_t> ids;
            Vec w, dout;
            gen(dt, seed, &N, &V, &H, &ids, &w, &dout);
            Tensor I = make_ints(ids, {N}, DType::i64, d);
            Tensor dw = ops::zeros({V, H}, DType::f32, d);
            ops::embedding_backward_(dw, I, make(dout, {N, H}, dt, d));
            return host({{"out", ops::embedding(I, make(w, {V, H}, dt, d))}, {"dweight", dw}});
          },
          [gen](DType dt, uint64_t seed) {
            int64_t N, V, H;
            std::vector<int64_t> ids;
            Vec w, dout;
            gen(dt, seed, &N, &V, &H, &ids, &w, &dout);
            DVec out(N * H), dw(V * H, 0.0);
            for (int64_t n = 0; n < N; ++n)
              for (int64_t h = 0; h < H; ++h) {
                out[n * H + h] = w[ids[n] * H + h];
                dw[ids[n] * H + h] += dout[n * H + h];
              }
            return Expected{{"out", out}, {"dweight", dw}};
          }};
}

// ---- cross-entropy ----
struct CeIn {
  int64_t N, H, V, chunk;
  Vec hidden, weight;
  std::vector<int64_t> labels;
};
inline CeIn ce_in(DType dt, uint64_t seed) {
  std::mt19937_64 rng(seed);
  CeIn in{pick(rng, {1, 7, 20}), pick(rng, {1, 16, 33}), pick(rng, {2, 97, 500}), 0, {}, {}, {}};
  in.chunk = pick(rng, {1, 64, 8192});
  in.hidden = randn(in.N * in.H, seed + 1, 1.0f, dt);
  in.weight = randn(in.V * in.H, seed + 2, 0.5f, dt);
  in.labels = rand_ids(in.N, in.V, seed + 3, 0.25);
  return in;
}
inline Case cross_entropy_case() {
  return {"cross_entropy",
          [](Device d, DType dt, uint64_t seed) {
            CeIn in = ce_in(dt, seed);
            Tensor h = make(in.hidden, {in.N, in.H}, dt, d), w = make(in.weight, {in.V, in.H}, dt, d);
            Tensor lab = make_ints(in.labels, {in.N}, DType::i64, d);
            auto r = ops::linear_cross_entropy(h, w, lab, in.chunk);
            Tensor dw = ops::zeros({in.V, in.H}, DType::f32, d);
            Tensor dh = ops::linear_cross_entropy_backward(h, w, lab, r.lse, r.count, 2.0f, dw, in.chunk);
            Tensor logits = ops::matmul(h, w, false, true);
            Outputs o = host({{"loss", r.loss}, {"lse", r.lse}, {"dhidden", dh}, {"dweight", dw}});
            o["count"] = {static_cast<float>(r.count)};
            o["plain_loss"] = {ops::cross_entropy(ops::cast(logits, DType::f32), lab)};
            return o;
          },
          [](DType dt, uint64_t seed) {
            CeIn in = ce_in(dt, seed);
            DVec logits = ref::matmul(in.hidden, in.weight, 1, in.N, in.H, in.V, false, true, false);
            auto r = ref::cross_entropy(logits, in.labels, in.N, in.V, 2.0);
            Vec dl(r.dlogits.begin(), r.dlogits.end());
            return Expected{{"loss", {r.loss}},
                            {"lse", r.lse},
                            {"count", {double(r.count)}},
                            {"plain_loss", {r.loss}},
                            {"dhidden", ref::matmul(dl, in.weight, 1, in.N, in.V, in.H, false, false, false)},
                            {"dweight", ref::matmul(dl, in.hidden, 1, in.V, in.N, in.H, true, false, false)}};
          },
          {5e-2, 3e-2},
          {2e-4, 5e-4}};
}

// ---- elementwise, casts, copies ----
inline Case elementwise_case() {
  auto gen = [](DType dt, uint64_t seed, int64_t* R, int64_t* C, Vec* a, Vec* b, Vec* bias) {
    std::mt19937_64 rng(seed);
    *R = pick(rng, {1, 3, 70});
    *C = pick(rng, {1, 5, 2100});
    *a = randn(*R * *C, seed + 1, 1.0f, dt);
    *b = randn(*R * *C, seed + 2, 1.0f, dt);
    *bias = randn(*C, seed + 3, 1.0f, dt);
  };
  return {"elementwise",
          [gen](Device d, DType dt, uint64_t seed) {
            int64_t R, C;
            Vec a, b, bias;
            gen(dt, seed, &R, &C, &a, &b, &bias);
            Tensor A = make(a, {R, C}, dt, d), B = make(b, {R, C}, dt, d);
            Tensor acc = ops::cast(A.clone(), DType::f32);
            ops::add_(acc, B, -2.0f);
            Tensor sc = ops::scale(A, 3.0f);
            ops::scale_(sc, 0.5f);
            Tensor rows = ops::zeros({C}, DType::f32, d);
            ops::sum_rows_(rows, A);
            Tensor strided = ops::full({C, R}, 7.0f, dt, d);  // A^T written through a transposed view
            Tensor view = strided.transpose(0, 1);
            ops::copy_(view, A);
            return host({{"add", ops::add(A, B, 0.5f, 2.0f)}, {"add_", acc}, {"mul", ops::mul(A, B)},
                         {"scale", sc}, {"bias_add", ops::bias_add(A, make(bias, {C}, dt, d))},
                         {"sum_rows", rows}, {"transpose", ops::contiguous(A.transpose(0, 1))},
                         {"copy_", strided}});
          },
          [gen](DType dt, uint64_t seed) {
            int64_t R, C;
            Vec a, b, bias;
            gen(dt, seed, &R, &C, &a, &b, &bias);
            Expected e;
            DVec add(R * C), acc(R * C), mul(R * C), sc(R * C), ba(R * C), rows(C, 0.0), tr(R * C);
            for (int64_t r = 0; r < R; ++r)
              for (int64_t c = 0; c < C; ++c) {
                const int64_t i = r * C + c;
                add[i] = 0.5 * a[i] + 2.0 * b[i];
                acc[i] = double(a[i]) - 2.0 * b[i];
                mul[i] = double(a[i]) * b[i];
                sc[i] = 1.5 * a[i];
                ba[i] = double(a[i]) + bias[c];
                rows[c] += a[i];
                tr[c * R + r] = a[i];
              }
            return Expected{{"add", add}, {"add_", acc}, {"mul", mul}, {"scale", sc}, {"bias_add", ba},
                            {"sum_rows", rows}, {"transpose", tr}, {"copy_", tr}};
          },
          {2e-2, 1e-2},
          {1e-5, 1e-5}};
}

// ---- optimiser ----
inline Case optimizer_case() {
  auto gen = [](DType dt, uint64_t seed, int64_t* n, Vec* w, Vec* g1, Vec* g2) {
    std::mt19937_64 rng(seed);
    *n = pick(rng, {1, 33, 5000});
    *w = randn(*n, seed + 1);
    *g1 = randn(*n, seed + 2, 1.0f, dt);
    *g2 = randn(*n, seed + 3, 0.1f, dt);
  };
  return {"optimizer",
          [gen](Device d, DType dt, uint64_t seed) {
            int64_t n;
            Vec w, g1, g2;
            gen(dt, seed, &n, &w, &g1, &g2);
            Tensor W = make(w, {n}, DType::f32, d), m = ops::zeros({n}, DType::f32, d),
                   v = ops::zeros({n}, DType::f32, d);
            ops::AdamWParams p;
            p.lr = 0.01f;
            p.weight_decay = 0.1f;
            Tensor G1 = make(g1, {n}, dt, d), G2 = make(g2, {n}, dt, d);
            const float norm = ops::global_grad_norm({G1, Tensor(), G2});
            p.grad_scale = 0.5f;
            ops::adamw_step(W, G1, m, v, p);
            p.step = 2;
            p.grad_scale = 1.0f;
            ops::adamw_step(W, G2, m, v, p);
            Outputs o = host({{"param", W}, {"m", m}, {"v", v}});
            o["norm"] = {norm};
            return o;
          },
          [gen](DType dt, uint64_t seed) {
            int64_t n;
            Vec w, g1, g2;
            gen(dt, seed, &n, &w, &g1, &g2);
            DVec W(w.begin(), w.end()), m(n, 0.0), v(n, 0.0);
            double ss = 0.0;
            for (int64_t i = 0; i < n; ++i) ss += double(g1[i]) * g1[i] + double(g2[i]) * g2[i];
            const double lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-8, wd = 0.1;
            for (int step = 1; step <= 2; ++step)
              for (int64_t i = 0; i < n; ++i) {
                const double g = step == 1 ? 0.5 * g1[i] : g2[i];
                W[i] *= 1.0 - lr * wd;
                m[i] = b1 * m[i] + (1 - b1) * g;
                v[i] = b2 * v[i] + (1 - b2) * g * g;
                const double mh = m[i] / (1 - std::pow(b1, step)), vh = v[i] / (1 - std::pow(b2, step));
                W[i] -= lr * mh / (std::sqrt(vh) + eps);
              }
            return Expected{{"param", W}, {"m", m}, {"v", v}, {"norm", {std::sqrt(ss)}}};
          },
          {1e-4, 1e-3},
          {1e-5, 1e-4}};
}

// ---- sampling (greedy is exact; a seeded draw must pick a top-k token) ----
inline Case sampling_case() {
  auto gen = [](DType dt, uint64_t seed, int64_t* V, Vec* logits, std::vector<int64_t>* hist) {
    std::mt19937_64 rng(seed);
    *V = pick(rng, {1, 10, 1000});
    *logits = randn(*V, seed + 1, 3.0f, dt);
    *hist = rand_ids(3, *V, seed + 2);
  };
  return {"sampling",
          [gen](Device d, DType dt, uint64_t seed) {
            int64_t V;
            Vec logits;
            std::vector<int64_t> hist;
            gen(dt, seed, &V, &logits, &hist);
            Tensor L = make(logits, {V}, dt, d);
            std::mt19937_64 rng(seed);
            ops::SamplingParams p;
            p.repetition_penalty = 1.3f;
            p.do_sample = false;
            const int64_t greedy = ops::sample(L, p, hist, rng);
            p.do_sample = true;
            p.top_k = 1;
            const int64_t top1 = ops::sample(L, p, hist, rng);
            return Outputs{{"greedy", {float(greedy)}}, {"top1", {float(top1)}}};
          },
          [gen](DType dt, uint64_t seed) {
            int64_t V;
            Vec logits;
            std::vector<int64_t> hist;
            gen(dt, seed, &V, &logits, &hist);
            int64_t best = 0;
            double best_v = -INFINITY;
            for (int64_t i = 0; i < V; ++i) {
              double x = logits[i];
              if (std::find(hist.begin(), hist.end(), i) != hist.end()) x = x > 0 ? x / 1.3 : x * 1.3;
              if (x > best_v) best_v = x, best = i;
            }
            return Expected{{"greedy", {double(best)}}, {"top1", {double(best)}}};
          },
          {0, 0},
          {0, 0}};
}

inline std::vector<Case> conformance_cases() {
  return {matmul_case(),
          matmul_case(MatmulShapes::decode),
          matmul_case(MatmulShapes::lora),
          linear_case(),
          rms_norm_case(),
          rope_case(),
          activation_case(),
          attention_case(),
          embedding_case(),
          cross_entropy_case(),
          elementwise_case(),
          optimizer_case(),
          sampling_case()};
}

}  // namespace lf::test
