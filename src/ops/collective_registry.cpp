#include <array>
#include <mutex>

#include "core/error.h"
#include "ops/backend.h"
#include "ops/collective.h"

namespace lf::ops {
namespace {
std::mutex g_mu;
std::array<CollectiveFactory, 3> g_factories;
}  // namespace

void register_collective(DeviceType type, CollectiveFactory factory) {
  std::lock_guard<std::mutex> lock(g_mu);
  g_factories[static_cast<int>(type)] = std::move(factory);
}

std::unique_ptr<Collective> new_collective(KeyValueStore& store, const CollectiveOptions& options) {
  init_backends();
  CollectiveFactory f;
  {
    std::lock_guard<std::mutex> lock(g_mu);
    f = g_factories[static_cast<int>(options.device.type)];
  }
  LF_CHECK(f, "no collective engine for ", options.device.str(),
           " in this build: multi-device training on ", device_type_name(options.device.type),
           " needs its backend's collective library (Gloo on cpu, HCCL on npu, NCCL on cuda).");
  return f(store, options);
}

}  // namespace lf::ops
