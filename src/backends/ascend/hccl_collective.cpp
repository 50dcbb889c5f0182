// The npu collective engine: HCCL, bootstrapped through dist/'s store — rank 0
// makes the root info on its NPU and publishes it, every rank builds its
// communicator from it (reference §4.3). Collectives run on a communication
// stream of their own, after what the compute stream had queued when they
// were started (an event), so backward's kernels keep running beside them.
#include "backends/ascend/hccl_collective.h"

#include <memory>

#include "acl/acl.h"
#include "backends/ascend/hccl_comm.h"
#include "backends/ascend/runtime.h"
#include "core/error.h"
#include "ops/collective.h"

namespace lf::ascend {
namespace {

aclrtEvent new_event() {
  aclrtEvent e = nullptr;
  // aclrtCreateEvent (acl_rt.h, reference §1.2 "events").
  runtime().check(aclrtCreateEvent(&e), "aclrtCreateEvent");
  return e;
}

// One collective queued on the communication stream: `ready` orders it after
// the compute stream's work, `done` marks its end.
class HcclWork : public ops::CollectiveWork {
 public:
  HcclWork(int device, const char* op, aclrtEvent ready, aclrtEvent done)
      : device_(device), op_(op), ready_(ready), done_(done) {}
  ~HcclWork() override {
    // An event is destroyed only after it has completed.
    if (!waited_) aclrtSynchronizeEvent(done_);
    aclrtDestroyEvent(done_);
    aclrtDestroyEvent(ready_);
  }
  HcclWork(const HcclWork&) = delete;
  HcclWork& operator=(const HcclWork&) = delete;

  void wait() override {
    if (waited_) return;
    waited_ = true;
    // Ops queued on the compute stream from now on see the result; waiting
    // here too makes a failed peer this call's error, not a later op's.
    runtime().check(aclrtStreamWaitEvent(runtime().stream(device_), done_), "aclrtStreamWaitEvent");
    runtime().check(aclrtSynchronizeEvent(done_), "aclrtSynchronizeEvent", op_);
  }

 private:
  int device_;
  const char* op_;
  aclrtEvent ready_, done_;
  bool waited_ = false;
};

class HcclCollective : public ops::Collective {
 public:
  HcclCollective(ops::KeyValueStore& store, const ops::CollectiveOptions& o)
      : device_(o.device.index) {
    const std::string key = o.prefix + "hccl/root_info";
    if (o.rank == 0) store.set(key, hccl_root_info(device_));
    comm_ = std::make_unique<HcclCommunicator>(o.world_size, store.get(key), o.rank, device_);
    runtime().stream(device_);  // makes the device current for the stream below
    runtime().check(aclrtCreateStream(&comm_stream_), "aclrtCreateStream");
  }
  ~HcclCollective() override {
    aclrtSynchronizeStream(comm_stream_);
    aclrtDestroyStream(comm_stream_);
  }
  HcclCollective(const HcclCollective&) = delete;
  HcclCollective& operator=(const HcclCollective&) = delete;

  const char* engine() const override { return "hccl"; }

  void all_reduce_sum(Tensor& t) override { all_reduce_sum_async(t)->wait(); }

  std::unique_ptr<ops::CollectiveWork> all_reduce_sum_async(Tensor& t) override {
    return on_comm_stream("HcclAllReduce", [&] { comm_->all_reduce_sum(t, comm_stream_); });
  }

  // Every collective goes through the one communication stream, so they run
  // in the order they were started, as HCCL needs on every rank.
  void broadcast(Tensor& t, int root) override {
    on_comm_stream("HcclBroadcast", [&] { comm_->broadcast(t, root, comm_stream_); })->wait();
  }

 private:
  template <typename Issue>
  std::unique_ptr<ops::CollectiveWork> on_comm_stream(const char* op, Issue issue) {
    aclrtEvent ready = new_event(), done = new_event();
    auto work = std::make_unique<HcclWork>(device_, op, ready, done);
    // aclrtRecordEvent / aclrtStreamWaitEvent (acl_rt.h, reference §1.2 "events").
    runtime().check(aclrtRecordEvent(ready, runtime().stream(device_)), "aclrtRecordEvent");
    runtime().check(aclrtStreamWaitEvent(comm_stream_, ready), "aclrtStreamWaitEvent");
    issue();
    runtime().check(aclrtRecordEvent(done, comm_stream_), "aclrtRecordEvent");
    return work;
  }

  int device_;
  std::unique_ptr<HcclCommunicator> comm_;
  aclrtStream comm_stream_ = nullptr;
};

}  // namespace

void register_hccl_collective() {
  ops::register_collective(DeviceType::npu, [](ops::KeyValueStore& store, const ops::CollectiveOptions& o) {
    return std::unique_ptr<ops::Collective>(new HcclCollective(store, o));
  });
}

}  // namespace lf::ascend
