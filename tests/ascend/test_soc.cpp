// The dtype policy by SoC: Atlas A2 (910B) has bf16 and full-precision FP32
// matmul; 910A-class chips have neither, so FP32 matmul must not ask for
// cubeMathType KEEP_DTYPE (the simulator rejects it, as CANN does).
#include <map>

#include "ops/ops.h"
#include "util.h"

namespace lf::test {
namespace {

TEST(Soc910A, NoBf16AndFp32MatmulStillRuns) {
  if (!env_is("CANN_SIM_SOC", "Ascend910A")) GTEST_SKIP() << "run by ctest ascend.soc_910a";
  std::map<std::string, std::string> env;
  for (auto& [k, v] : npu_runtime().env_lines()) env[k] = v;
  EXPECT_EQ(env["NPU type"], "Ascend910A");
  EXPECT_EQ(env["NPU bf16"].rfind("no", 0), 0u) << env["NPU bf16"];
  const Device npu{DeviceType::npu, 0};
  Tensor a = Tensor::from_vector({1, 2, 3, 4}, {2, 2}, DType::f32, npu);
  EXPECT_EQ(ops::matmul(a, a).to_floats(), (std::vector<float>{7, 10, 15, 22}));
}

}  // namespace
}  // namespace lf::test
