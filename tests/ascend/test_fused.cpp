// Which CANN kernel each op takes (the numerics are checked by the ops
// conformance suite): packed segments and kv_lens as TND varlen sequences,
// 128-wide half RoPE through aclnnApplyRotaryPosEmb, AdamW through
// aclnnApplyAdamWV2 on Atlas A2; the documented fallbacks on a 910A. A kernel
// is shown to run by making it fail (CANN_SIM_FAULT=aicore:<Op>) and reading
// its name in the error raised at synchronisation.
#include "backends/ascend/varlen_plan.h"
#include "core/error.h"
#include "ops/ops.h"
#include "util.h"

namespace lf::test {
namespace {

using ascend::varlen_plan;
using Ends = std::vector<int64_t>;

const Device kNpu{DeviceType::npu, 0};

TEST(VarLenPlan, SegmentRunsBecomeSequences) {
  // Row 0: ids 7 7 7 2 | 5; row 1: one segment.
  auto p = varlen_plan(2, 5, 5, true, {7, 7, 7, 2, 5, 1, 1, 1, 1, 1}, {7, 7, 7, 2, 5, 1, 1, 1, 1, 1}, {});
  ASSERT_TRUE(p);
  EXPECT_EQ(p->q_end, (Ends{3, 4, 5, 10}));
  EXPECT_EQ(p->kv_end, (Ends{3, 4, 5, 10}));
}

TEST(VarLenPlan, MasksThatAreNotBlocksFallBack) {
  EXPECT_FALSE(varlen_plan(1, 4, 4, false, {0, 1, 0, 1}, {0, 1, 0, 1}, {}));      // id reappears
  EXPECT_FALSE(varlen_plan(1, 2, 2, false, {0, 1}, {1, 1}, {}));                  // q / k ids differ
  EXPECT_FALSE(varlen_plan(1, 2, 3, false, {0, 0}, {0, 0, 0}, {}));               // Tq != Tk
  EXPECT_FALSE(varlen_plan(1, 2, 2, false, {0, 0}, {0, 0}, {1}));                 // segments + short kv
  EXPECT_FALSE(varlen_plan(2, 3, 8, true, {}, {}, {8, 2}));                       // causal row < Tq
  EXPECT_FALSE(varlen_plan(1, 3, 8, false, {}, {}, {0}));                         // no keys at all
  std::vector<int64_t> many(3000);
  for (size_t i = 0; i < many.size(); ++i) many[i] = static_cast<int64_t>(i);
  EXPECT_FALSE(varlen_plan(1, 3000, 3000, false, many, many, {}));                // > 2048 sequences
}

TEST(VarLenPlan, KvLensPadKeysFormEmptyQuerySequences) {
  auto p = varlen_plan(2, 3, 8, true, {}, {}, {8, 5});
  ASSERT_TRUE(p);
  EXPECT_EQ(p->q_end, (Ends{3, 6, 6}));
  EXPECT_EQ(p->kv_end, (Ends{8, 13, 16}));
}

// Runs f and synchronises; returns the error text ("" when none).
template <typename F>
std::string error_of(F f) {
  try {
    f();
    ops::backend_for(kNpu).synchronize(0);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

struct Packed {
  Tensor q, k, v;
  ops::AttentionParams p;
};
Packed packed(Device d, bool segments) {
  constexpr int64_t B = 2, T = 6, H = 2, D = 8;
  Packed x;
  std::vector<float> data(B * T * H * D);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<float>(i % 7) * 0.1f - 0.3f;
  x.q = Tensor::from_vector(data, {B, T, H, D}, DType::f32, d);
  x.k = x.q.contiguous();
  x.v = x.q.contiguous();
  if (segments) {
    x.p.q_segments = Tensor::from_ints({0, 0, 0, 1, 1, 2, 4, 4, 4, 4, 4, 4}, {B, T}, DType::i32, d);
    x.p.k_segments = x.p.q_segments;
  } else {  // causal would leave row 1's first queries without keys: not varlen
    x.p.kv_lens = Tensor::from_ints({6, 4}, {B}, DType::i32, d);
    x.p.causal = false;
  }
  return x;
}

TEST(FusedPaths, SegmentsAndKvLensUseTheVarLenKernels) {
  if (!env_is("ASCEND_TEST_FUSED", "1")) GTEST_SKIP() << "run by ctest ascend.fused_paths";
  npu_runtime();
  for (bool segments : {true, false}) {
    Packed x = packed(kNpu, segments);
    ops::AttentionOut r;
    std::string fwd = error_of([&] { r = ops::attention(x.q, x.k, x.v, x.p); });
    EXPECT_TRUE(contains(fwd, "kernel aclnnFlashAttentionVarLenScore")) << fwd;
    std::string bwd = error_of([&] { ops::attention_backward(x.q, x.q, x.k, x.v, r.out, r.lse, x.p); });
    EXPECT_TRUE(contains(bwd, "kernel aclnnFlashAttentionUnpaddingScoreGrad")) << bwd;
  }
  Packed plain = packed(kNpu, true);
  plain.p = ops::AttentionParams();
  EXPECT_EQ(error_of([&] { ops::attention(plain.q, plain.k, plain.v, plain.p); }), "");
}

TEST(FusedPaths, HalfRopeOver128WideHeadsUsesApplyRotaryPosEmb) {
  if (!env_is("ASCEND_TEST_FUSED", "1")) GTEST_SKIP() << "run by ctest ascend.fused_paths";
  npu_runtime();
  Tensor pos = Tensor::from_ints({0, 1, 2}, {1, 3}, DType::i32, kNpu);
  Tensor x128 = ops::zeros({1, 3, 2, 128}, DType::f32, kNpu), x64 = ops::zeros({1, 3, 2, 64}, DType::f32, kNpu);
  EXPECT_TRUE(contains(error_of([&] { ops::rope(x128, pos, ops::RopeParams()); }), "kernel aclnnApplyRotaryPosEmb"));
  EXPECT_EQ(error_of([&] { ops::rope(x64, pos, ops::RopeParams()); }), "");
  Tensor wide = ops::zeros({1, 3, 80, 128}, DType::f32, kNpu);  // over the kernel's unified buffer
  EXPECT_EQ(error_of([&] { ops::rope(wide, pos, ops::RopeParams()); }), "");
}

TEST(FusedPaths, AdamWUsesApplyAdamWV2) {
  if (!env_is("ASCEND_TEST_FUSED", "1")) GTEST_SKIP() << "run by ctest ascend.fused_paths";
  npu_runtime();
  Tensor w = ops::zeros({4}, DType::f32, kNpu), m = ops::zeros({4}, DType::f32, kNpu),
         v = ops::zeros({4}, DType::f32, kNpu), g = ops::zeros({4}, DType::bf16, kNpu);
  EXPECT_TRUE(contains(error_of([&] { ops::adamw_step(w, g, m, v, ops::AdamWParams()); }),
                       "kernel aclnnApplyAdamWV2"));
}

// On a 910A none of these kernels exists: the fallbacks must give the CPU's results.
TEST(Soc910A, FusedOpFallbacksMatchTheCpu) {
  if (!env_is("CANN_SIM_SOC", "Ascend910A")) GTEST_SKIP() << "run by ctest ascend.soc_910a";
  npu_runtime();
  auto close = [](const Tensor& a, const Tensor& b) {
    std::vector<float> x = a.to_floats(), y = b.to_floats();
    ASSERT_EQ(x.size(), y.size());
    for (size_t i = 0; i < x.size(); ++i) EXPECT_NEAR(x[i], y[i], 1e-4f) << i;
  };
  for (bool segments : {true, false}) {
    Packed n = packed(kNpu, segments), c = packed(Device::cpu(), segments);
    close(ops::attention(n.q, n.k, n.v, n.p).out, ops::attention(c.q, c.k, c.v, c.p).out);
  }
  std::vector<float> data(3 * 2 * 128);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<float>(i % 11) * 0.2f - 1.0f;
  Tensor pos_n = Tensor::from_ints({0, 1, 2}, {1, 3}, DType::i32, kNpu);
  Tensor pos_c = Tensor::from_ints({0, 1, 2}, {1, 3}, DType::i32, Device::cpu());
  close(ops::rope(Tensor::from_vector(data, {1, 3, 2, 128}, DType::f32, kNpu), pos_n, ops::RopeParams()),
        ops::rope(Tensor::from_vector(data, {1, 3, 2, 128}, DType::f32, Device::cpu()), pos_c, ops::RopeParams()));
  std::vector<float> g{0.5f, -1.0f, 2.0f, 0.0f};
  Tensor wn = Tensor::from_vector(g, {4}, DType::f32, kNpu), wc = Tensor::from_vector(g, {4}, DType::f32, Device::cpu());
  Tensor mn = ops::zeros({4}, DType::f32, kNpu), vn = ops::zeros({4}, DType::f32, kNpu);
  Tensor mc = ops::zeros({4}, DType::f32, Device::cpu()), vc = ops::zeros({4}, DType::f32, Device::cpu());
  ops::AdamWParams p;
  p.weight_decay = 0.1f;
  ops::adamw_step(wn, Tensor::from_vector(g, {4}, DType::f32, kNpu), mn, vn, p);
  ops::adamw_step(wc, Tensor::from_vector(g, {4}, DType::f32, Device::cpu()), mc, vc, p);
  close(wn, wc);
}

}  // namespace
}  // namespace lf::test
