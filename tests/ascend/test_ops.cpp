// Backend behaviour beyond numerics (the op conformance suite in tests/ops
// compares every op on npu against the CPU): kernel failures surface at
// synchronisation naming the op, and sampling never needs the AI CPU
// multinomial kernel.
#include "core/error.h"
#include "ops/ops.h"
#include "util.h"

namespace lf::test {
namespace {

const Device kNpu{DeviceType::npu, 0};

TEST(Ops, FusedSwiGluMatchesTheSeparateHalves) {
  npu_runtime();
  // gate_up [2, 4]: gate = first two columns, up = last two (a fused projection).
  Tensor gu = Tensor::from_vector({1, -1, 2, 3, 0.5f, 2, -1, 4}, {2, 4}, DType::f32, kNpu);
  Tensor gate = gu.slice(1, 0, 2), up = gu.slice(1, 2, 4);
  Tensor fused = ops::swiglu(gate, up);                          // aclnnSwiGlu
  Tensor split = ops::swiglu(gate.contiguous(), up.contiguous());  // aclnnSilu + aclnnMul
  std::vector<float> a = fused.to_floats(), b = split.to_floats();
  ASSERT_EQ(a.size(), 4u);
  for (size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], b[i], 1e-6f);
  EXPECT_NEAR(a[0], 1.0f / (1.0f + std::exp(-1.0f)) * 2.0f, 1e-6f);
}

TEST(AicoreFault, KernelFailureNamesTheOpsAtSynchronize) {
  if (!env_is("CANN_SIM_FAULT", "aicore:Mul")) GTEST_SKIP() << "run by ctest ascend.aicore_fault";
  npu_runtime();
  Tensor a = Tensor::from_vector({1, 2}, {2}, DType::f32, kNpu);
  Tensor c = ops::mul(a, a);  // queued; the failure is only known at sync
  try {
    ops::backend_for(kNpu).synchronize(0);
    FAIL() << "the simulated aicore fault should surface here";
  } catch (const Error& e) {
    std::string m = e.what();
    EXPECT_TRUE(contains(m, "aclnnMul")) << m;
    EXPECT_TRUE(contains(m, "507015 ACL_ERROR_RT_AICORE_EXCEPTION")) << m;
    EXPECT_TRUE(contains(m, "ASCEND_LAUNCH_BLOCKING=1")) << m;
  }
}

TEST(LaunchBlocking, TheFailingOpIsNamedAtItsLaunch) {
  if (!env_is("ASCEND_LAUNCH_BLOCKING", "1")) GTEST_SKIP() << "run by ctest ascend.launch_blocking";
  npu_runtime();
  Tensor a = Tensor::from_vector({1, 2}, {2}, DType::f32, kNpu);
  Tensor b = ops::scale(a, 2.0f);  // aclnnMuls: fine
  try {
    ops::mul(a, b);  // aclnnMul fails, and with blocking launches it fails right here
    FAIL() << "the simulated aicore fault should surface at the launch";
  } catch (const Error& e) {
    std::string m = e.what();
    EXPECT_TRUE(contains(m, "in op one of [aclnnMul]")) << m;
  }
}

TEST(MultinomialFault, TopkSamplingWorksWhenTheAiCpuKernelIsBroken) {
  if (!env_is("CANN_SIM_FAULT", "multinomial")) GTEST_SKIP() << "run by ctest ascend.multinomial_fault";
  npu_runtime();
  Tensor logits = Tensor::from_vector({0.1f, 3.0f, -1.0f, 2.0f, 5.0f, 0.0f}, {2, 3}, DType::f32, kNpu);
  Tensor values = Tensor::empty({2, 2}, DType::f32, kNpu), idx = Tensor::empty({2, 2}, DType::i32, kNpu);
  ops::backend_for(kNpu).topk(logits, 2, values, idx);
  ops::backend_for(kNpu).synchronize(0);
  EXPECT_EQ(idx.to_ints(), (std::vector<int64_t>{1, 0, 1, 0}));
  EXPECT_EQ(values.to_floats(), (std::vector<float>{3.0f, 0.1f, 5.0f, 2.0f}));
}

}  // namespace
}  // namespace lf::test
