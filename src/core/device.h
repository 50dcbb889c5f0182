// A device is a family (cpu, npu, cuda) and an index among the visible devices
// of that family, numbered from 0 after the visibility variable is applied.
#pragma once
#include <string>

namespace lf {

enum class DeviceType { cpu, npu, cuda };
// Every family, so code above ops/ can iterate without naming one.
inline constexpr DeviceType kAllDeviceTypes[] = {DeviceType::cpu, DeviceType::npu,
                                                 DeviceType::cuda};

struct Device {
  DeviceType type = DeviceType::cpu;
  int index = 0;

  static Device cpu() { return {DeviceType::cpu, 0}; }
  bool operator==(const Device& o) const { return type == o.type && index == o.index; }
  bool operator!=(const Device& o) const { return !(*this == o); }
  std::string str() const;  // "cpu", "npu:0", "cuda:1"
};

const char* device_type_name(DeviceType t);  // "cpu", "npu", "cuda"
// The vendor runtime's visibility variable ("" for cpu). Known even when the
// family is not compiled in, so `env` can tell a user who set the wrong one.
const char* visibility_variable_name(DeviceType t);

// Parses a `device` value: cpu | npu | npu:N | cuda | cuda:N. "auto" is
// resolved by resolve_device() in core/runtime.h, not here.
Device parse_device(const std::string& text);

}  // namespace lf
