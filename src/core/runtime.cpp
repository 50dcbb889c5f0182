#include "core/runtime.h"

#include <array>
#include <mutex>

#include "core/error.h"
#include "core/host_runtime.h"

namespace lf {
namespace {

struct Registry {
  std::mutex mu;
  std::array<std::unique_ptr<DeviceRuntime>, 3> by_type;
  Registry() { by_type[0] = make_host_runtime(); }
};

Registry& registry() {
  static Registry r;
  return r;
}

}  // namespace

void register_runtime(std::unique_ptr<DeviceRuntime> rt) {
  auto& r = registry();
  std::lock_guard<std::mutex> lock(r.mu);
  r.by_type[static_cast<int>(rt->type())] = std::move(rt);
}

DeviceRuntime* find_runtime(DeviceType t) {
  auto& r = registry();
  std::lock_guard<std::mutex> lock(r.mu);
  return r.by_type[static_cast<int>(t)].get();
}

DeviceRuntime& runtime_for(const Device& d) {
  DeviceRuntime* rt = find_runtime(d.type);
  LF_CHECK(rt, "device ", d.str(), ": this build has no ", device_type_name(d.type),
           " backend. Rebuild with it enabled (see docs/) or use device=cpu.");
  if (d.type == DeviceType::cpu) {
    LF_CHECK(d.index == 0, "device ", d.str(), " does not exist: the CPU is device cpu");
    return *rt;
  }
  int n = rt->device_count();
  if (d.index < 0 || d.index >= n) {
    std::string why = n == 0 ? rt->unavailable_reason() : "";
    fail("device ", d.str(), " does not exist: ", n, " ", device_type_name(d.type),
         " device(s) visible", why.empty() ? "" : " (" + why + ")",
         n > 0 ? ". Use an index below " + std::to_string(n) : "",
         ". Check `llamafactory-cli env`", *rt->visibility_variable()
             ? std::string(" and ") + rt->visibility_variable()
             : std::string(), ".");
  }
  return *rt;
}

Device resolve_device(const std::string& setting) {
  if (setting.empty() || setting == "auto") {
    for (DeviceType t : {DeviceType::npu, DeviceType::cuda}) {
      DeviceRuntime* rt = find_runtime(t);
      if (rt && rt->device_count() > 0) return Device{t, 0};
    }
    return Device::cpu();
  }
  Device d = parse_device(setting);
  runtime_for(d);
  return d;
}

}  // namespace lf
