// The CPU backend is registered and reports its oneDNN version for `env`.
#include <gtest/gtest.h>

#include <regex>

#include "ops/backend.h"

namespace lf::ops {
namespace {

TEST(CpuBackend, RegisteredWithOneDnnVersionLine) {
  Backend& b = backend_for(Device::cpu());
  EXPECT_STREQ(b.name(), "cpu");
  auto lines = b.env_lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].first, "oneDNN version");
  EXPECT_TRUE(std::regex_match(lines[0].second, std::regex(R"(\d+\.\d+\.\d+)"))) << lines[0].second;
}

}  // namespace
}  // namespace lf::ops
