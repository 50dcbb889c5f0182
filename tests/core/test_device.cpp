#include <gtest/gtest.h>

#include "core/device.h"
#include "core/error.h"
#include "core/runtime.h"

using namespace lf;

namespace {

std::string error_of(const std::string& setting) {
  try {
    resolve_device(setting);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(Device, ParseAndPrint) {
  EXPECT_EQ(parse_device("cpu"), Device::cpu());
  EXPECT_EQ(parse_device("npu").str(), "npu:0");
  EXPECT_EQ(parse_device("npu:3").str(), "npu:3");
  EXPECT_EQ(parse_device("cuda:1").str(), "cuda:1");
  EXPECT_THROW(parse_device("tpu"), Error);
  EXPECT_THROW(parse_device("npu:"), Error);
  EXPECT_THROW(parse_device("npu:-1"), Error);
  EXPECT_THROW(parse_device("cuda:1x"), Error);
}

TEST(Device, AutoFallsBackToCpuWithoutAccelerators) {
  bool any_accelerator = false;
  for (DeviceType t : kAllDeviceTypes) {
    DeviceRuntime* rt = find_runtime(t);
    if (t != Device::cpu().type && rt && rt->device_count() > 0) any_accelerator = true;
  }
  if (any_accelerator) GTEST_SKIP() << "this machine has an accelerator runtime";
  EXPECT_EQ(resolve_device("auto"), Device::cpu());
  EXPECT_EQ(resolve_device(""), Device::cpu());
  EXPECT_EQ(resolve_device("cpu"), Device::cpu());
}

TEST(Device, DevicesThatDoNotExistAreClearErrors) {
  std::string e = error_of("cpu:1");
  EXPECT_NE(e.find("cpu:1 does not exist"), std::string::npos) << e;
  for (DeviceType t : kAllDeviceTypes) {
    DeviceRuntime* rt = find_runtime(t);
    std::string name = device_type_name(t);
    if (name == "cpu") continue;
    // Far beyond any real device count.
    e = error_of(name + ":999");
    ASSERT_NE(e, "") << name;
    if (!rt) {
      EXPECT_NE(e.find("this build has no " + name + " backend"), std::string::npos) << e;
    } else {
      EXPECT_NE(e.find(name + ":999 does not exist"), std::string::npos) << e;
    }
  }
  e = error_of("tpu");
  EXPECT_NE(e.find("use auto, cpu, npu, npu:N, cuda or cuda:N"), std::string::npos) << e;
}

TEST(Device, VisibilityVariableNames) {
  EXPECT_STREQ(visibility_variable_name(parse_device("npu").type), "ASCEND_RT_VISIBLE_DEVICES");
  EXPECT_STREQ(visibility_variable_name(parse_device("cuda").type), "CUDA_VISIBLE_DEVICES");
  EXPECT_STREQ(visibility_variable_name(DeviceType::cpu), "");
}
