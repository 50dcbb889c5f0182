// The CPU collective engine: Gloo (Debian's libgloo) over its TCP transport.
// Gloo's rendezvous goes through dist/'s store (an adapter below), so no
// other port or file system is needed. Every collective runs on the group's
// communication thread, in the order started (cpu_comm_thread.h).
#include <gloo/allreduce.h>
#include <gloo/broadcast.h>
#include <gloo/math.h>
#include <gloo/rendezvous/context.h>
#include <gloo/rendezvous/prefix_store.h>
#include <gloo/rendezvous/store.h>
#include <gloo/transport/tcp/device.h>

#include <exception>

#include "backends/cpu/cpu_backend.h"
#include "backends/cpu/cpu_collective_gloo.h"
#include "backends/cpu/cpu_comm_thread.h"
#include "core/error.h"
#include "ops/collective.h"

namespace lf::cpu {
namespace {

// gloo::rendezvous::Store over ops::KeyValueStore.
class GlooStore : public gloo::rendezvous::Store {
 public:
  explicit GlooStore(ops::KeyValueStore& store) : store_(store) {}
  void set(const std::string& key, const std::vector<char>& data) override { store_.set(key, data); }
  std::vector<char> get(const std::string& key) override { return store_.get(key); }
  void wait(const std::vector<std::string>& keys) override { store_.wait(keys); }
  void wait(const std::vector<std::string>& keys, const std::chrono::milliseconds&) override {
    store_.wait(keys);  // the store applies ddp_timeout itself
  }

 private:
  ops::KeyValueStore& store_;
};

class GlooCollective : public ops::Collective {
 public:
  GlooCollective(ops::KeyValueStore& store, const ops::CollectiveOptions& o) : rank_(o.rank) {
    gloo::transport::tcp::attr attr;
    attr.hostname = o.local_address.empty() ? "127.0.0.1" : o.local_address;
    try {
      device_ = gloo::transport::tcp::CreateDevice(attr);
      GlooStore adapter(store);
      gloo::rendezvous::PrefixStore prefixed(o.prefix + "gloo", adapter);
      auto ctx = std::make_shared<gloo::rendezvous::Context>(o.rank, o.world_size);
      ctx->setTimeout(o.timeout);
      ctx->connectFullMesh(prefixed, device_);
      context_ = ctx;
    } catch (const Error&) {
      throw;
    } catch (const std::exception& e) {
      fail("gloo: rank ", o.rank, " could not connect to the other ", o.world_size - 1,
           " ranks from ", attr.hostname, ": ", e.what(),
           ". Check that every node reaches the others on any TCP port (firewall)");
    }
  }

  const char* engine() const override { return "gloo"; }

  void all_reduce_sum(Tensor& t) override { all_reduce_sum_async(t)->wait(); }

  // The job holds a copy of `t` (same storage), so the memory outlives it.
  std::unique_ptr<ops::CollectiveWork> all_reduce_sum_async(Tensor& t) override {
    check_tensor(t, "all_reduce");
    return comm_.post([this, t]() mutable {
      with_f32(t, "all_reduce", [&](float* p, size_t n) {
        gloo::AllreduceOptions opts(context_);
        opts.setOutput(p, n);
        opts.setReduceFunction(static_cast<void (*)(void*, const void*, const void*, size_t)>(
            &gloo::sum<float>));
        opts.setTag(tag_++);
        gloo::allreduce(opts);
      });
    });
  }

  void broadcast(Tensor& t, int root) override {
    check_tensor(t, "broadcast");
    comm_.post([this, t, root]() mutable {
      with_f32(t, "broadcast", [&](float* p, size_t n) {
        gloo::BroadcastOptions opts(context_);
        opts.setOutput(p, n);
        opts.setRoot(root);
        opts.setTag(tag_++);
        gloo::broadcast(opts);
      });
    })->wait();
  }

 private:
  static void check_tensor(const Tensor& t, const char* what) {
    LF_CHECK(t.device().type == DeviceType::cpu && t.is_contiguous(), "gloo ", what,
             " needs a contiguous cpu tensor, got ", t.describe());
  }

  // Runs op on t's values as contiguous f32 (converted in and out for bf16/f16).
  template <typename Op>
  void with_f32(Tensor& t, const char* what, Op op) {
    Tensor f = t.dtype() == DType::f32 ? t : t.to(DType::f32);
    try {
      if (f.numel() > 0) op(f.data<float>(), static_cast<size_t>(f.numel()));
    } catch (const std::exception& e) {
      fail("gloo ", what, " failed on rank ", rank_, ": ", e.what());
    }
    if (!f.same_storage(t)) t.copy_from(f.to(t.dtype()));
  }

  int rank_;
  uint32_t tag_ = 0;  // only used on comm_'s thread
  std::shared_ptr<gloo::transport::Device> device_;
  std::shared_ptr<gloo::Context> context_;
  CommThread comm_;  // last: stopped before the context goes
};

}  // namespace

void register_gloo_collective() {
  ops::register_collective(DeviceType::cpu, [](ops::KeyValueStore& store, const ops::CollectiveOptions& o) {
    return std::unique_ptr<ops::Collective>(new GlooCollective(store, o));
  });
}

}  // namespace lf::cpu
