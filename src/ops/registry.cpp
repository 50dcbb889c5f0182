#include <array>
#include <mutex>

#include "core/error.h"
#include "ops/backend.h"

namespace lf::ops {
namespace {
std::mutex g_mu;
std::array<Backend*, 3> g_backends{};
}  // namespace

void register_backend(DeviceType type, Backend* backend) {
  std::lock_guard<std::mutex> lock(g_mu);
  g_backends[static_cast<int>(type)] = backend;
}

Backend& backend_for(const Device& d) {
  init_backends();
  std::lock_guard<std::mutex> lock(g_mu);
  Backend* b = g_backends[static_cast<int>(d.type)];
  LF_CHECK(b, "no compute backend for ", d.str(), " in this build. Rebuild with the ",
           device_type_name(d.type), " backend enabled, or set device=cpu.");
  return *b;
}

Backend* find_backend(DeviceType type) {
  init_backends();
  std::lock_guard<std::mutex> lock(g_mu);
  return g_backends[static_cast<int>(type)];
}

}  // namespace lf::ops
