// Edge sizes and long inputs: sequence 2048 attention, a 100k vocabulary,
// empty reductions, strided matmul operands.
#include <gtest/gtest.h>

#include "cases.h"

namespace lf::test {
namespace {

TEST(Edges, AttentionSequence2048) {
  const int64_t B = 1, T = 2048, Hq = 2, Hkv = 1, D = 16;
  for (DType dt : {DType::bf16}) {
    Vec q = randn(B * T * Hq * D, 1, 1.0f, dt), k = randn(B * T * Hkv * D, 2, 1.0f, dt),
        v = randn(B * T * Hkv * D, 3, 1.0f, dt), dout = randn(q.size(), 4, 1.0f, dt);
    ops::AttentionParams p;
    Tensor Q = make(q, {B, T, Hq, D}, dt), K = make(k, {B, T, Hkv, D}, dt), V = make(v, {B, T, Hkv, D}, dt);
    auto r = ops::attention(Q, K, V, p);
    auto g = ops::attention_backward(make(dout, Q.shape(), dt), Q, K, V, r.out, r.lse, p);
    auto want = ref::attention(q, k, v, dout, B, T, T, Hq, Hkv, D, true, {}, {}, {});
    const Tol tol = tol_for(dt);
    EXPECT_TRUE(all_close(r.out.to_floats(), want.out, tol));
    EXPECT_TRUE(all_close(r.lse.to_floats(), want.lse, {1e-4, 1e-4}));
    EXPECT_TRUE(all_close(g.dq.to_floats(), want.dq, tol));
    EXPECT_TRUE(all_close(g.dk.to_floats(), want.dk, tol));
    EXPECT_TRUE(all_close(g.dv.to_floats(), want.dv, tol));
  }
}

TEST(Edges, CrossEntropyVocab100k) {
  const int64_t N = 3, H = 8, V = 100003;  // odd: the last chunk is partial
  const DType dt = DType::bf16;
  Vec h = randn(N * H, 1, 1.0f, dt), w = randn(V * H, 2, 1.0f, dt);
  std::vector<int64_t> labels{V - 1, -100, 12345};
  Tensor Hh = make(h, {N, H}, dt), W = make(w, {V, H}, dt), L = make_ints(labels, {N});
  auto r = ops::linear_cross_entropy(Hh, W, L);
  Tensor dw = ops::zeros({V, H}, DType::f32, Device::cpu());
  Tensor dh = ops::linear_cross_entropy_backward(Hh, W, L, r.lse, r.count, 1.0f, dw);
  DVec logits = ref::matmul(h, w, 1, N, H, V, false, true, false);
  auto want = ref::cross_entropy(logits, labels, N, V);
  EXPECT_EQ(r.count, 2);
  EXPECT_NEAR(r.loss.item(), want.loss, 1e-3 * std::abs(want.loss) + 1e-4);
  Vec dl(want.dlogits.begin(), want.dlogits.end());
  EXPECT_TRUE(all_close(dh.to_floats(), ref::matmul(dl, w, 1, N, V, H, false, false, false), {1e-3, 2e-2}));
  EXPECT_TRUE(all_close(dw.to_floats(), ref::matmul(dl, h, 1, V, N, H, true, false, false), {1e-4, 2e-2}));
}

TEST(Edges, AllLabelsIgnoredGivesZeroLossAndGradient) {
  Tensor h = make(randn(6, 1), {2, 3}, DType::f32), w = make(randn(12, 2), {4, 3}, DType::f32);
  Tensor labels = make_ints({-100, -100}, {2});
  auto r = ops::linear_cross_entropy(h, w, labels);
  EXPECT_EQ(r.count, 0);
  EXPECT_EQ(r.loss.item(), 0.0f);
  Tensor dw;
  for (float g : ops::linear_cross_entropy_backward(h, w, labels, r.lse, r.count, 1.0f, dw).to_floats())
    EXPECT_EQ(g, 0.0f);
}

TEST(Edges, CrossEntropyChunkOfMinusInfinityLogits) {
  // A vocabulary chunk masked to -inf (before any finite one) must not poison the row.
  ops::Backend& be = ops::backend_for(Device::cpu());
  Tensor labels = make_ints({3}, {1});
  Tensor m = ops::full({1}, -INFINITY, DType::f32, Device::cpu());
  Tensor s = ops::zeros({1}, DType::f32, Device::cpu()), t = ops::zeros({1}, DType::f32, Device::cpu());
  be.cross_entropy_chunk(make({-INFINITY, -INFINITY}, {1, 2}, DType::f32), labels, 0, m, s, t);
  be.cross_entropy_chunk(make({1.0f, 2.0f}, {1, 2}, DType::f32), labels, 2, m, s, t);
  const double lse = std::log(std::exp(1.0) + std::exp(2.0));
  EXPECT_NEAR(m.item() + std::log(s.item()), lse, 1e-6);
  EXPECT_EQ(t.item(), 2.0f);
}

TEST(Edges, StridedAndTransposedMatmulOperands) {
  const int64_t M = 6, K = 5, N = 7;
  Vec big = randn(M * 9, 1), b = randn(N * K, 2);
  // a: the first K columns of an [M, 9] matrix (row stride 9); b given as b^T's transpose view.
  Tensor A = make(big, {M, 9}, DType::f32).slice(1, 0, K);
  Tensor Bt = make(b, {N, K}, DType::f32).transpose(0, 1);
  Vec a(M * K);
  for (int64_t i = 0; i < M; ++i)
    for (int64_t k = 0; k < K; ++k) a[i * K + k] = big[i * 9 + k];
  DVec want = ref::matmul(a, b, 1, M, K, N, false, true, false);
  EXPECT_TRUE(all_close(ops::matmul(A, Bt).to_floats(), want, {1e-5, 1e-5}));
  // The same through an explicit transposed copy and trans flags.
  Tensor At = ops::contiguous(A.transpose(0, 1));
  EXPECT_TRUE(all_close(ops::matmul(At, make(b, {N, K}, DType::f32), true, true).to_floats(), want,
                        {1e-5, 1e-5}));
}

TEST(Edges, EmptyInnerDimensionGivesZeros) {
  Tensor a = Tensor::empty({3, 0}, DType::f32), b = Tensor::empty({0, 2}, DType::f32);
  for (float v : ops::matmul(a, b).to_floats()) EXPECT_EQ(v, 0.0f);
}

TEST(Edges, SingleTokenDecodeAgainstCache) {
  // One new query against a right-padded cache: kv_len 5 of capacity 8.
  const int64_t Tk = 8, D = 4;
  Vec q = randn(D, 1), k = randn(Tk * D, 2), v = randn(Tk * D, 3);
  ops::AttentionParams p;
  p.kv_lens = make_ints({5}, {1}, DType::i32);
  auto r = ops::attention(make(q, {1, 1, 1, D}, DType::f32), make(k, {1, Tk, 1, D}, DType::f32),
                          make(v, {1, Tk, 1, D}, DType::f32), p);
  auto want = ref::attention(q, k, v, {}, 1, 1, Tk, 1, 1, D, true, {}, {}, {5});
  EXPECT_TRUE(all_close(r.out.to_floats(), want.out, {1e-5, 1e-4}));
}

}  // namespace
}  // namespace lf::test
