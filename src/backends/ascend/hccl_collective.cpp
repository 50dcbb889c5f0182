// The npu collective engine: HCCL, bootstrapped through dist/'s store — rank 0
// makes the root info on its NPU and publishes it, every rank builds its
// communicator from it (reference §4.3).
#include "backends/ascend/hccl_collective.h"

#include <memory>

#include "backends/ascend/hccl_comm.h"
#include "backends/ascend/runtime.h"
#include "core/error.h"
#include "ops/collective.h"

namespace lf::ascend {
namespace {

class HcclCollective : public ops::Collective {
 public:
  HcclCollective(ops::KeyValueStore& store, const ops::CollectiveOptions& o)
      : device_(o.device.index) {
    const std::string key = o.prefix + "hccl/root_info";
    if (o.rank == 0) store.set(key, hccl_root_info(device_));
    comm_ = std::make_unique<HcclCommunicator>(o.world_size, store.get(key), o.rank, device_);
  }
  const char* engine() const override { return "hccl"; }
  // Collectives are queued on the NPU's stream; waiting for them here makes a
  // failed peer surface as this call's error, not a later op's.
  void all_reduce_sum(Tensor& t) override {
    comm_->all_reduce_sum(t);
    runtime().synchronize(device_);
  }
  void broadcast(Tensor& t, int root) override {
    comm_->broadcast(t, root);
    runtime().synchronize(device_);
  }

 private:
  int device_;
  std::unique_ptr<HcclCommunicator> comm_;
};

}  // namespace

void register_hccl_collective() {
  ops::register_collective(DeviceType::npu, [](ops::KeyValueStore& store, const ops::CollectiveOptions& o) {
    return std::unique_ptr<ops::Collective>(new HcclCollective(store, o));
  });
}

}  // namespace lf::ascend
