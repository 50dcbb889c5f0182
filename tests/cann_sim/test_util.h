// Shared set-up for the simulator tests: ACL initialised once per process,
// device 0 current, and a device buffer filled from host floats.
#pragma once
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "acl/acl.h"
#include "aclnn/aclnn_base.h"

namespace cann_sim_test {

inline void init_device0() {
  static bool done = [] {
    aclError rc = aclInit(nullptr);
    return (rc == ACL_SUCCESS || rc == ACL_ERROR_REPEAT_INITIALIZE) && aclrtSetDevice(0) == ACL_SUCCESS;
  }();
  ASSERT_TRUE(done);
}

// Skips a scenario test unless the environment of its ctest registration is set.
inline bool env_is(const char* name, const char* value) {
  const char* v = std::getenv(name);
  return v && std::string(v) == value;
}

struct DeviceFloats {
  void* ptr = nullptr;
  size_t n = 0;
  explicit DeviceFloats(const std::vector<float>& host) : n(host.size()) {
    EXPECT_EQ(aclrtMalloc(&ptr, n * 4, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    EXPECT_EQ(aclrtMemcpy(ptr, n * 4, host.data(), n * 4, ACL_MEMCPY_HOST_TO_DEVICE), ACL_SUCCESS);
  }
  ~DeviceFloats() { aclrtFree(ptr); }
  std::vector<float> read() const {
    std::vector<float> out(n);
    EXPECT_EQ(aclrtMemcpy(out.data(), n * 4, ptr, n * 4, ACL_MEMCPY_DEVICE_TO_HOST), ACL_SUCCESS);
    return out;
  }
  aclTensor* tensor(std::vector<int64_t> dims, std::vector<int64_t> strides, int64_t offset = 0,
                    aclDataType t = ACL_FLOAT) const {
    int64_t storage = static_cast<int64_t>(n);
    return aclCreateTensor(dims.data(), dims.size(), t, strides.data(), offset, ACL_FORMAT_ND,
                           &storage, 1, ptr);
  }
};

}  // namespace cann_sim_test
