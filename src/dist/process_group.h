// The group of worker processes of one distributed run: rank 0 serves the
// rendezvous store on MASTER_PORT, every rank connects, registers and checks
// that the job agrees with itself (world size, processes per node, unique
// ranks), then builds its device family's collective engine through the store.
// Errors name the rank or setting at fault; nothing waits past ddp_timeout.
#pragma once
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "dist/dist_env.h"
#include "ops/collective.h"

namespace lf::dist {

class TcpStore;
class TcpStoreServer;

class ProcessGroup {
 public:
  // Rendezvous and engine set-up for `env` (distributed) on `device`.
  ProcessGroup(const DistEnv& env, Device device, std::chrono::milliseconds timeout);
  ~ProcessGroup();
  ProcessGroup(const ProcessGroup&) = delete;
  ProcessGroup& operator=(const ProcessGroup&) = delete;

  int rank() const { return env_.rank; }
  int world_size() const { return env_.world_size; }
  bool is_main() const { return env_.rank == 0; }
  const char* engine() const { return collective_->engine(); }

  // In place, summed over ranks; a failure names the dead rank when one is known.
  void all_reduce_sum(Tensor& t);
  // The same, started beside this rank's compute where the engine can
  // (ops::Collective::all_reduce_sum_async); wait() reports failures as above.
  std::unique_ptr<ops::CollectiveWork> all_reduce_sum_async(Tensor& t);
  // Host scalars summed over ranks (through the engine, on this rank's device).
  std::vector<double> all_reduce_sum(const std::vector<double>& values);
  void broadcast(Tensor& t, int root);
  // Every rank waits here until all reached the barrier of the same name.
  void barrier(const std::string& name);
  // Orderly end: a last barrier, then rank 0 keeps the store up until every
  // other rank has left it.
  void finish();

 private:
  [[noreturn]] void fail_collective(const char* what, const std::exception& e);
  void rendezvous();

  DistEnv env_;
  Device device_;
  std::chrono::milliseconds timeout_;
  std::unique_ptr<TcpStoreServer> server_;
  std::unique_ptr<TcpStore> store_;
  std::unique_ptr<ops::Collective> collective_;
  bool finished_ = false;
};

}  // namespace lf::dist
