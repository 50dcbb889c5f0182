#include "core/device.h"

#include <cctype>

#include "core/error.h"

namespace lf {

const char* device_type_name(DeviceType t) {
  switch (t) {
    case DeviceType::cpu: return "cpu";
    case DeviceType::npu: return "npu";
    case DeviceType::cuda: return "cuda";
  }
  return "?";
}

const char* visibility_variable_name(DeviceType t) {
  switch (t) {
    case DeviceType::cpu: return "";
    case DeviceType::npu: return "ASCEND_RT_VISIBLE_DEVICES";
    case DeviceType::cuda: return "CUDA_VISIBLE_DEVICES";
  }
  return "";
}

std::string Device::str() const {
  // "cpu" alone names the one CPU device; a wrong index stays visible in errors.
  if (type == DeviceType::cpu && index == 0) return "cpu";
  return std::string(device_type_name(type)) + ":" + std::to_string(index);
}

Device parse_device(const std::string& text) {
  std::string family = text;
  int index = 0;
  auto colon = text.find(':');
  if (colon != std::string::npos) {
    family = text.substr(0, colon);
    std::string idx = text.substr(colon + 1);
    bool digits = !idx.empty() && idx.size() < 6;
    for (char c : idx) digits = digits && std::isdigit(static_cast<unsigned char>(c));
    LF_CHECK(digits, "device '", text, "': the index after ':' must be a number, e.g. npu:0");
    index = std::stoi(idx);
  }
  Device d;
  if (family == "cpu") d.type = DeviceType::cpu;
  else if (family == "npu") d.type = DeviceType::npu;
  else if (family == "cuda" || family == "gpu") d.type = DeviceType::cuda;
  else fail("device '", text, "' is not known: use auto, cpu, npu, npu:N, cuda or cuda:N");
  d.index = index;
  return d;
}

}  // namespace lf
