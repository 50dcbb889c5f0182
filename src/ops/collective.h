// Collectives between processes (one per device), from existing engines: Gloo
// on CPU, HCCL on NPU, NCCL on CUDA — never a home-made all-reduce. dist/ owns
// the rendezvous store; a backend family registers a factory that builds its
// engine's communicator, using the store only to exchange the engine's
// bootstrap bytes (Gloo's addresses, HCCL's root info).
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/device.h"
#include "core/tensor.h"

namespace lf::ops {

// The rendezvous key-value store as a collective engine sees it. Blocking
// calls give up after the store's timeout with an error naming the keys.
class KeyValueStore {
 public:
  virtual ~KeyValueStore() = default;
  virtual void set(const std::string& key, const std::vector<char>& value) = 0;
  // Waits until the key exists, then returns its value.
  virtual std::vector<char> get(const std::string& key) = 0;
  // Whether every key exists now (no waiting).
  virtual bool check(const std::vector<std::string>& keys) = 0;
  // Waits until every key exists.
  virtual void wait(const std::vector<std::string>& keys) = 0;
  // Atomically adds delta to the integer stored at key (0 when absent); returns the sum.
  virtual int64_t add(const std::string& key, int64_t delta) = 0;
};

struct CollectiveOptions {
  int rank = 0;
  int world_size = 1;
  Device device;             // this rank's device
  std::string prefix;        // store key namespace of this group
  std::chrono::milliseconds timeout{std::chrono::minutes(30)};  // ddp_timeout
  // The address other ranks reach this process at (Gloo's TCP transport);
  // empty: the address of this host's route to MASTER_ADDR, chosen by dist/.
  std::string local_address;
};

// A collective started by Collective::all_reduce_sum_async.
class CollectiveWork {
 public:
  virtual ~CollectiveWork() = default;
  // Returns once the result is in the tensor for whatever this rank does
  // next with it (host code on cpu; ops queued afterwards on a device), and
  // throws the engine's error if the collective failed.
  virtual void wait() = 0;
  // Seconds the engine spent running it (not queued behind earlier ones);
  // valid after wait(), 0 where the engine does not tell.
  virtual double seconds() const { return 0; }
};

class Collective {
 public:
  virtual ~Collective() = default;
  virtual const char* engine() const = 0;  // "gloo", "hccl", "nccl"
  // In place on contiguous tensors of this rank's device: element-wise sum
  // over ranks (f32, bf16, f16). Errors name the engine and, where the engine
  // tells, the peer rank that failed.
  virtual void all_reduce_sum(Tensor& t) = 0;
  virtual void broadcast(Tensor& t, int root) = 0;
  // Starts all_reduce_sum(t) and returns at once where the engine can run it
  // beside this rank's compute. `t` must be left alone (not read, written or
  // freed) until wait(). Collectives run in the order they are started, so
  // every rank must start the same ones in the same order. The default, for
  // engines without asynchronous collectives, runs it here and now.
  virtual std::unique_ptr<CollectiveWork> all_reduce_sum_async(Tensor& t);
};

using CollectiveFactory =
    std::function<std::unique_ptr<Collective>(KeyValueStore&, const CollectiveOptions&)>;

// Called by backends at start-up (from init_backends), one engine per family.
void register_collective(DeviceType type, CollectiveFactory factory);
// The engine for options.device's family; a clear error when none is compiled in.
std::unique_ptr<Collective> new_collective(KeyValueStore& store, const CollectiveOptions& options);

}  // namespace lf::ops
