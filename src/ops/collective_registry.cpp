#include <array>
#include <chrono>
#include <mutex>

#include "core/error.h"
#include "ops/backend.h"
#include "ops/collective.h"

namespace lf::ops {
namespace {
std::mutex g_mu;
std::array<CollectiveFactory, 3> g_factories;
// A collective that already ran when it was started.
class DoneWork : public CollectiveWork {
 public:
  explicit DoneWork(double seconds) : seconds_(seconds) {}
  void wait() override {}
  double seconds() const override { return seconds_; }

 private:
  double seconds_;
};

}  // namespace

std::unique_ptr<CollectiveWork> Collective::all_reduce_sum_async(Tensor& t) {
  auto start = std::chrono::steady_clock::now();
  all_reduce_sum(t);
  return std::make_unique<DoneWork>(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
}

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
