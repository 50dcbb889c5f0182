// The conformance harness (the pattern of ggml's test-backend-ops): every op
// case runs on the CPU against the plain reference, and on every other visible
// device of every compiled backend family against the CPU. Accelerator families
// are discovered at run time, so a new backend needs no change here.
#include <gtest/gtest.h>

#include "cases.h"
#include "core/runtime.h"

namespace lf::test {
namespace {

constexpr uint64_t kSeeds[] = {11, 22, 33};
constexpr DType kDtypes[] = {DType::f32, DType::bf16};
// The CPU also runs float16 (computed through f32; checked with the bf16
// tolerances, which f16's finer mantissa satisfies).
constexpr DType kCpuDtypes[] = {DType::f32, DType::bf16, DType::f16};

std::vector<Device> accelerator_devices() {
  ops::init_backends();
  std::vector<Device> out;
  for (DeviceType t : {DeviceType::npu, DeviceType::cuda}) {
    DeviceRuntime* rt = find_runtime(t);
    if (!rt) continue;
    for (int i = 0; i < rt->device_count(); ++i) out.push_back(Device{t, i});
  }
  return out;
}

void expect_outputs(const Outputs& got, const Expected& want, Tol tol) {
  for (const auto& [name, w] : want) {
    auto it = got.find(name);
    ASSERT_NE(it, got.end()) << "missing output " << name;
    EXPECT_TRUE(all_close(it->second, w, tol)) << "output " << name;
  }
}

class Conformance : public ::testing::TestWithParam<Case> {};

TEST_P(Conformance, CpuMatchesReference) {
  const Case& c = GetParam();
  for (DType dt : kCpuDtypes)
    for (uint64_t seed : kSeeds) {
      SCOPED_TRACE(std::string(dtype_name(dt)) + " seed " + std::to_string(seed));
      expect_outputs(c.run(Device::cpu(), dt, seed), c.reference(dt, seed),
                     dt == DType::f32 ? c.f32_tol : c.bf16_tol);
    }
}

TEST_P(Conformance, AcceleratorsMatchCpu) {
  const std::vector<Device> devices = accelerator_devices();
  if (devices.empty()) GTEST_SKIP() << "no accelerator backend compiled in or no device visible";
  const Case& c = GetParam();
  for (const Device& d : devices)
    for (DType dt : kDtypes)
      for (uint64_t seed : kSeeds) {
        SCOPED_TRACE(d.str() + " " + dtype_name(dt) + " seed " + std::to_string(seed));
        Outputs cpu = c.run(Device::cpu(), dt, seed);
        Expected want;
        for (const auto& [name, v] : cpu) want[name] = to_double(v);
        expect_outputs(c.run(d, dt, seed), want, dt == DType::f32 ? c.f32_tol : c.bf16_tol);
      }
}

INSTANTIATE_TEST_SUITE_P(Ops, Conformance, ::testing::ValuesIn(conformance_cases()),
                         [](const ::testing::TestParamInfo<Case>& info) { return info.param.name; });

}  // namespace
}  // namespace lf::test
