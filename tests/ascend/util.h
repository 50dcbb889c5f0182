// Helpers for the Ascend backend tests: the registered npu runtime, and a
// guard that runs a scenario test only under its ctest environment.
#pragma once
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "core/runtime.h"
#include "ops/backend.h"

namespace lf::test {

inline DeviceRuntime& npu_runtime() {
  ops::init_backends();
  DeviceRuntime* rt = find_runtime(DeviceType::npu);
  EXPECT_NE(rt, nullptr);
  return *rt;
}

inline bool env_is(const char* name, const char* value) {
  const char* v = std::getenv(name);
  return v && std::string(v) == value;
}

inline bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

}  // namespace lf::test
