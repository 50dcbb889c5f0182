// The env report against a fake accelerator runtime registered in this
// process: what a user of an NPU host (or a CPU-only one) would see.
#include <gtest/gtest.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>

#include "cli/env_report.h"
#include "core/runtime.h"
#include "ops/backend.h"

using lf::cli::EnvLines;

namespace {

// Pretends to be an accelerator family with `count` devices.
class FakeRuntime final : public lf::DeviceRuntime {
 public:
  FakeRuntime(lf::DeviceType type, int count, std::string reason)
      : type_(type), count_(count), reason_(std::move(reason)) {}
  lf::DeviceType type() const override { return type_; }
  int device_count() override { return count_; }
  std::string unavailable_reason() override { return reason_; }
  lf::DeviceInfo info(int) override { return {"FakeChip", size_t{64} << 30, size_t{60} << 30}; }
  std::vector<std::pair<std::string, std::string>> env_lines() override {
    return {{"Fake type", "FakeChip"}, {"Fake runtime version", "1.2.3"}};
  }
  void* raw_alloc(int, size_t) override { return nullptr; }
  void raw_free(int, void*) override {}
  void copy_from_host(int, void*, const void*, size_t) override {}
  void copy_to_host(int, void*, const void*, size_t) override {}
  void copy_on_device(int, void*, const void*, size_t) override {}
  void synchronize(int) override {}
  void copy_strided(int, void*, const void*, lf::DType, const std::vector<int64_t>&,
                    const std::vector<int64_t>&, int64_t) override {}
  void convert(int, void*, lf::DType, const void*, lf::DType, size_t) override {}

 private:
  lf::DeviceType type_;
  int count_;
  std::string reason_;
};

std::string value_of(const EnvLines& lines, const std::string& key) {
  for (const auto& [k, v] : lines) {
    if (k == key) return v;
  }
  return "<absent>";
}

// The accelerator family that sorts first after cpu, named only through the generic list.
lf::DeviceType first_accelerator() { return lf::kAllDeviceTypes[1]; }
lf::DeviceType second_accelerator() { return lf::kAllDeviceTypes[2]; }

std::string label(lf::DeviceType t) {
  std::string s = lf::device_type_name(t);
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

// Tests run in definition order (and ctest runs each in its own process), so
// this one sees no fake runtime.
TEST(EnvReport, FamiliesNotCompiledSaySo) {
  lf::ops::init_backends();
  EnvLines lines = lf::cli::collect_env();
  for (lf::DeviceType t : lf::kAllDeviceTypes) {
    if (lf::find_runtime(t)) continue;
    EXPECT_EQ(value_of(lines, label(t)), "not compiled");
  }
  EXPECT_EQ(value_of(lines, "Default data directory"),
            std::filesystem::is_directory("data") ? "detected" : "not detected");
}

TEST(EnvReport, AcceleratorWithDevicesAndWrongVariableHint) {
  lf::ops::init_backends();
  const lf::DeviceType acc = first_accelerator(), other = second_accelerator();
  lf::register_runtime(std::make_unique<FakeRuntime>(acc, 2, ""));
  setenv(lf::visibility_variable_name(acc), "3,1", 1);
  setenv(lf::visibility_variable_name(other), "0", 1);
  EnvLines lines = lf::cli::collect_env();
  EXPECT_EQ(value_of(lines, label(acc) + " number"), "2");
  EXPECT_EQ(value_of(lines, label(acc) + " memory"), "64.00 GB");
  EXPECT_EQ(value_of(lines, "Fake runtime version"), "1.2.3");
  std::string acc_name = lf::device_type_name(acc);
  EXPECT_EQ(value_of(lines, "Visible devices"),
            acc_name + ":0, " + acc_name + ":1 (selected by " +
                lf::visibility_variable_name(acc) + "=3,1)");
  EXPECT_EQ(value_of(lines, "Default device"), acc_name + ":0");
  std::string hint = value_of(lines, "Hint");
  EXPECT_NE(hint.find(std::string(lf::visibility_variable_name(other)) + " is set"),
            std::string::npos) << hint;
  EXPECT_NE(hint.find(std::string("use ") + lf::visibility_variable_name(acc)), std::string::npos)
      << hint;
  unsetenv(lf::visibility_variable_name(acc));
  unsetenv(lf::visibility_variable_name(other));
}

TEST(EnvReport, AcceleratorWithoutDevicesGivesTheReason) {
  const lf::DeviceType acc = first_accelerator();
  lf::register_runtime(std::make_unique<FakeRuntime>(acc, 0, "no driver found"));
  EnvLines lines = lf::cli::collect_env();
  EXPECT_EQ(value_of(lines, label(acc) + " number"), "0 (no driver found)");
  EXPECT_EQ(value_of(lines, "Default device"), "cpu");
  EXPECT_EQ(value_of(lines, "Hint"), "<absent>");
}

TEST(EnvReport, FormatIsBlankLineDashLinesBlankLine) {
  EXPECT_EQ(lf::cli::format_env({{"a", "1"}, {"b c", "2"}}), "\n- a: 1\n- b c: 2\n\n");
}
