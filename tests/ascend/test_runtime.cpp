// The ACL runtime behind npu devices: discovery, memory, copies, env lines,
// visibility renumbering and the reasons an NPU is unavailable.
#include <map>

#include "core/allocator.h"
#include "core/error.h"
#include "core/tensor.h"
#include "util.h"

namespace lf::test {
namespace {

std::map<std::string, std::string> env_map() {
  std::map<std::string, std::string> m;
  for (auto& [k, v] : npu_runtime().env_lines()) m[k] = v;
  return m;
}

TEST(Runtime, FindsTheSimulatedDevices) {
  DeviceRuntime& rt = npu_runtime();
  EXPECT_EQ(rt.device_count(), 2);
  EXPECT_EQ(rt.unavailable_reason(), "");
  DeviceInfo info = rt.info(1);
  EXPECT_EQ(info.name, "Ascend910B2");
  EXPECT_EQ(info.total_bytes, size_t{64} << 30);
  EXPECT_STREQ(rt.visibility_variable(), "ASCEND_RT_VISIBLE_DEVICES");
}

TEST(Runtime, EnvLinesNameTheNpuAndCann) {
  auto m = env_map();
  EXPECT_EQ(m["NPU type"], "Ascend910B2");
  EXPECT_EQ(m["NPU bf16"], "yes");
  EXPECT_EQ(m["CANN version"], "8.1.RC1");
}

TEST(Runtime, CopiesRoundTripThroughBothDevices) {
  npu_runtime();
  Tensor h = Tensor::from_vector({1, 2, 3, 4, 5, 6}, {2, 3});
  Tensor d0 = h.to(Device{DeviceType::npu, 0});
  Tensor d1 = d0.to(Device{DeviceType::npu, 1});  // npu -> npu goes through the host
  Tensor t = d1.transpose(0, 1).contiguous();        // aclnnInplaceCopy of a strided view
  EXPECT_EQ(t.to_floats(), (std::vector<float>{1, 4, 2, 5, 3, 6}));
  Tensor b = d0.to(DType::bf16);                      // aclnnCast
  EXPECT_EQ(b.to_floats(), h.to_floats());
  Tensor s = d0.slice(1, 1, 3).contiguous();          // unaligned source: not aclrtMemcpyAsync
  EXPECT_EQ(s.to_floats(), (std::vector<float>{2, 3, 5, 6}));
}

TEST(Runtime, AllocationsComeFromTheCache) {
  npu_runtime();
  Device d{DeviceType::npu, 0};
  size_t before = allocator_for(d).stats().device_allocs;
  for (int i = 0; i < 4; ++i) Tensor::empty({1024}, DType::f32, d);
  EXPECT_LE(allocator_for(d).stats().device_allocs, before + 1);
}

TEST(Visible, AscendRtVisibleDevicesOneMakesSimDeviceOneNpuZero) {
  if (!env_is("ASCEND_RT_VISIBLE_DEVICES", "1")) GTEST_SKIP() << "run by ctest ascend.visible";
  DeviceRuntime& rt = npu_runtime();
  ASSERT_EQ(rt.device_count(), 1);
  // Simulated device 0 has 1024 MB, device 1 has 2048 MB.
  EXPECT_EQ(rt.info(0).total_bytes, size_t{2048} << 20);
  EXPECT_THROW(runtime_for(Device{DeviceType::npu, 1}), Error);
}

TEST(Hidden, EveryDeviceHiddenIsExplained) {
  if (!env_is("ASCEND_RT_VISIBLE_DEVICES", "7")) GTEST_SKIP() << "run by ctest ascend.hidden";
  DeviceRuntime& rt = npu_runtime();
  EXPECT_EQ(rt.device_count(), 0);
  EXPECT_TRUE(contains(rt.unavailable_reason(), "ASCEND_RT_VISIBLE_DEVICES=\"7\" hides every NPU"))
      << rt.unavailable_reason();
  try {
    runtime_for(Device{DeviceType::npu, 0});
    FAIL() << "npu:0 should not exist";
  } catch (const Error& e) {
    EXPECT_TRUE(contains(e.what(), "hides every NPU")) << e.what();
  }
}

TEST(NoToolkit, MissingToolkitEnvironmentIsExplained) {
  if (!env_is("ASCEND_TOOLKIT_HOME", "")) GTEST_SKIP() << "run by ctest ascend.no_toolkit";
  DeviceRuntime& rt = npu_runtime();
  EXPECT_EQ(rt.device_count(), 0);
  EXPECT_TRUE(contains(rt.unavailable_reason(), "set_env.sh")) << rt.unavailable_reason();
}

TEST(NoDriver, AMissingDriverIsExplained) {
  if (!env_is("CANN_SIM_FAULT", "nodriver")) GTEST_SKIP() << "run by ctest ascend.no_driver";
  DeviceRuntime& rt = npu_runtime();
  EXPECT_EQ(rt.device_count(), 0);
  std::string why = rt.unavailable_reason();
  EXPECT_TRUE(contains(why, "507899 ACL_ERROR_RT_DRV_INTERNAL_ERROR")) << why;
  EXPECT_TRUE(contains(why, "install the driver and firmware")) << why;
}

TEST(Oom, OutOfMemoryNamesSizesAndRemedy) {
  if (!env_is("CANN_SIM_HBM_MB", "16")) GTEST_SKIP() << "run by ctest ascend.oom";
  npu_runtime();
  try {
    Tensor::empty({int64_t{8} << 20}, DType::f32, Device{DeviceType::npu, 0});  // 32 MiB
    FAIL() << "the allocation should not fit in 16 MiB";
  } catch (const Error& e) {
    std::string m = e.what();
    EXPECT_TRUE(contains(m, "207001 ACL_ERROR_RT_MEMORY_ALLOCATION")) << m;
    EXPECT_TRUE(contains(m, "EL0004")) << m;
    EXPECT_TRUE(contains(m, "per_device_train_batch_size")) << m;
    EXPECT_TRUE(contains(m, "npu:0")) << m;
  }
}

}  // namespace
}  // namespace lf::test
