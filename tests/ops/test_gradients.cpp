// Every backward op against central finite differences of its forward op, in
// f32: for a random upstream gradient dy, d/dx sum(dy * f(x)) must equal the
// backward op's result at sampled coordinates.
#include <gtest/gtest.h>

#include <functional>

#include "cases.h"

namespace lf::test {
namespace {

using Inputs = std::vector<Vec>;
using Loss = std::function<double(const Inputs&)>;

double dot(const Tensor& y, const Vec& dy) {
  Vec v = y.to_floats();
  double s = 0.0;
  for (size_t i = 0; i < v.size(); ++i) s += double(v[i]) * dy[i];
  return s;
}

// Compares `grad` (analytic) with finite differences of `loss` w.r.t. inputs[which]
// at up to 16 evenly spread coordinates.
void check_fd(const Loss& loss, Inputs inputs, size_t which, const Vec& grad, const char* what,
              double h = 1e-2) {
  ASSERT_EQ(grad.size(), inputs[which].size()) << what;
  const size_t n = grad.size(), step = std::max<size_t>(1, n / 16);
  for (size_t i = 0; i < n; i += step) {
    const float x0 = inputs[which][i];
    inputs[which][i] = x0 + static_cast<float>(h);
    const double up = loss(inputs);
    inputs[which][i] = x0 - static_cast<float>(h);
    const double down = loss(inputs);
    inputs[which][i] = x0;
    const double fd = (up - down) / (2 * h);
    EXPECT_NEAR(grad[i], fd, 2e-3 + 1e-2 * std::abs(fd)) << what << " coordinate " << i;
  }
}

TEST(Gradients, Matmul) {
  const int64_t M = 5, K = 7, N = 3;
  Inputs in{randn(M * K, 1), randn(K * N, 2)};
  const Vec dy = randn(M * N, 3);
  Loss loss = [&](const Inputs& x) {
    return dot(ops::matmul(make(x[0], {M, K}, DType::f32), make(x[1], {K, N}, DType::f32)), dy);
  };
  Tensor a = make(in[0], {M, K}, DType::f32), b = make(in[1], {K, N}, DType::f32);
  Tensor g = make(dy, {M, N}, DType::f32);
  // The two backward products: dA = dC B^T, dB = A^T dC.
  check_fd(loss, in, 0, ops::matmul(g, b, false, true).to_floats(), "dA");
  check_fd(loss, in, 1, ops::matmul(a, g, true, false).to_floats(), "dB");
}

TEST(Gradients, RmsNorm) {
  const int64_t N = 3, H = 11;
  Inputs in{randn(N * H, 1), randn(H, 2)};
  const Vec dy = randn(N * H, 3);
  Loss loss = [&](const Inputs& x) {
    return dot(ops::rms_norm(make(x[0], {N, H}, DType::f32), make(x[1], {H}, DType::f32), 1e-5f).y, dy);
  };
  Tensor x = make(in[0], {N, H}, DType::f32), w = make(in[1], {H}, DType::f32);
  auto r = ops::rms_norm(x, w, 1e-5f);
  Tensor dw = ops::zeros({H}, DType::f32, Device::cpu());
  Tensor dx = ops::rms_norm_backward(make(dy, {N, H}, DType::f32), x, w, r.rstd, dw);
  check_fd(loss, in, 0, dx.to_floats(), "dx");
  check_fd(loss, in, 1, dw.to_floats(), "dw");
  // A frozen weight (undefined dw) still yields dx.
  Tensor none;
  EXPECT_TRUE(all_close(ops::rms_norm_backward(make(dy, {N, H}, DType::f32), x, w, r.rstd, none)
                            .to_floats(), to_double(dx.to_floats()), {1e-6, 1e-6}));
}

TEST(Gradients, RopeInverseIsTheGradient) {
  for (bool interleaved : {false, true}) {
    const int64_t B = 1, T = 4, Hh = 2, D = 8;
    Inputs in{randn(B * T * Hh * D, 1)};
    const Vec dy = randn(in[0].size(), 2);
    Tensor pos = make_ints({3, 0, 1, 7}, {B, T}, DType::i64);
    ops::RopeParams p;
    p.rotary_dim = 6;
    p.interleaved = interleaved;
    p.attention_factor = 1.1f;
    Loss loss = [&](const Inputs& x) { return dot(ops::rope(make(x[0], {B, T, Hh, D}, DType::f32), pos, p), dy); };
    check_fd(loss, in, 0, ops::rope(make(dy, {B, T, Hh, D}, DType::f32), pos, p, true).to_floats(),
             interleaved ? "interleaved" : "half");
  }
}

TEST(Gradients, SwigluAndActivations) {
  const int64_t n = 40;
  Inputs in{randn(n, 1, 2.0f), randn(n, 2)};
  const Vec dy = randn(n, 3);
  Loss loss = [&](const Inputs& x) {
    return dot(ops::swiglu(make(x[0], {n}, DType::f32), make(x[1], {n}, DType::f32)), dy);
  };
  Tensor dg, du;
  ops::swiglu_backward(make(dy, {n}, DType::f32), make(in[0], {n}, DType::f32),
                       make(in[1], {n}, DType::f32), dg, du);
  check_fd(loss, in, 0, dg.to_floats(), "dgate");
  check_fd(loss, in, 1, du.to_floats(), "dup");
  for (auto kind : {ops::Activation::silu, ops::Activation::gelu_tanh, ops::Activation::gelu}) {
    Loss l = [&](const Inputs& x) { return dot(ops::activation(kind, make(x[0], {n}, DType::f32)), dy); };
    check_fd(l, in, 0,
             ops::activation_backward(kind, make(dy, {n}, DType::f32), make(in[0], {n}, DType::f32))
                 .to_floats(),
             "activation");
  }
}

TEST(Gradients, AttentionGqaCausalPacked) {
  const int64_t B = 1, T = 9, Hq = 4, Hkv = 2, D = 4;
  Inputs in{randn(B * T * Hq * D, 1), randn(B * T * Hkv * D, 2), randn(B * T * Hkv * D, 3)};
  const Vec dy = randn(in[0].size(), 4);
  ops::AttentionParams p;
  p.q_segments = p.k_segments = make_ints({0, 0, 0, 0, 1, 1, 1, 1, 1}, {B, T}, DType::i32);
  auto run = [&](const Inputs& x) {
    return ops::attention(make(x[0], {B, T, Hq, D}, DType::f32), make(x[1], {B, T, Hkv, D}, DType::f32),
                          make(x[2], {B, T, Hkv, D}, DType::f32), p);
  };
  Loss loss = [&](const Inputs& x) { return dot(run(x).out, dy); };
  auto r = run(in);
  auto g = ops::attention_backward(make(dy, {B, T, Hq, D}, DType::f32), make(in[0], {B, T, Hq, D}, DType::f32),
                                   make(in[1], {B, T, Hkv, D}, DType::f32),
                                   make(in[2], {B, T, Hkv, D}, DType::f32), r.out, r.lse, p);
  check_fd(loss, in, 0, g.dq.to_floats(), "dq");
  check_fd(loss, in, 1, g.dk.to_floats(), "dk");
  check_fd(loss, in, 2, g.dv.to_floats(), "dv");
}

TEST(Gradients, LinearCrossEntropy) {
  const int64_t N = 5, H = 6, V = 37, chunk = 16;
  Inputs in{randn(N * H, 1), randn(V * H, 2)};
  Tensor labels = make_ints({3, -100, 36, 0, 17}, {N});
  Loss loss = [&](const Inputs& x) {
    return ops::linear_cross_entropy(make(x[0], {N, H}, DType::f32), make(x[1], {V, H}, DType::f32),
                                     labels, chunk).loss.item();
  };
  Tensor h = make(in[0], {N, H}, DType::f32), w = make(in[1], {V, H}, DType::f32);
  auto r = ops::linear_cross_entropy(h, w, labels, chunk);
  EXPECT_EQ(r.count, 4);
  Tensor dw = ops::zeros({V, H}, DType::f32, Device::cpu());
  Tensor dh = ops::linear_cross_entropy_backward(h, w, labels, r.lse, r.count, 1.0f, dw, chunk);
  check_fd(loss, in, 0, dh.to_floats(), "dhidden");
  check_fd(loss, in, 1, dw.to_floats(), "dweight");
}

TEST(Gradients, EmbeddingIsLinearInTheWeight) {
  const int64_t V = 6, H = 3;
  Tensor ids = make_ints({5, 0, 5, 2}, {2, 2});
  Inputs in{randn(V * H, 1)};
  const Vec dy = randn(4 * H, 2);
  Loss loss = [&](const Inputs& x) { return dot(ops::embedding(ids, make(x[0], {V, H}, DType::f32)), dy); };
  Tensor dw = ops::zeros({V, H}, DType::f32, Device::cpu());
  ops::embedding_backward_(dw, ids, make(dy, {2, 2, H}, DType::f32));
  check_fd(loss, in, 0, dw.to_floats(), "dweight");
}

}  // namespace
}  // namespace lf::test
