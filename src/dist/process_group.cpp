#include "dist/process_group.h"

#include <unistd.h>

#include <csignal>
#include <functional>
#include <map>
#include <sstream>
#include <thread>

#include "core/error.h"
#include "core/log.h"
#include "dist/tcp_store.h"

namespace lf::dist {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

std::vector<char> bytes(const std::string& s) { return {s.begin(), s.end()}; }
std::string text(const std::vector<char>& v) { return {v.begin(), v.end()}; }

// What each rank tells the others about itself at rendezvous.
struct Record {
  int rank = 0, world_size = 1, local_world_size = 1, node_rank = 0, local_rank = 0;
  std::string host;

  std::string encode() const {
    std::ostringstream os;
    os << rank << ' ' << world_size << ' ' << local_world_size << ' ' << node_rank << ' '
       << local_rank << ' ' << host;
    return os.str();
  }
  static Record decode(const std::string& s) {
    Record r;
    std::istringstream is(s);
    is >> r.rank >> r.world_size >> r.local_world_size >> r.node_rank >> r.local_rank >> r.host;
    return r;
  }
};

std::string record_key(int rank, int64_t copy) {
  return "lf/rdzv/rank/" + std::to_string(rank) + "/" + std::to_string(copy);
}
const char* kErrorKey = "lf/rdzv/error";
// A duplicate rank is usually the echo of a deeper disagreement (nodes with
// different process counts compute overlapping ranks), so it is reported only
// when no other error shows up shortly after.
const char* kDuplicateKey = "lf/rdzv/duplicate";
const char* kVerdictKey = "lf/rdzv/verdict";

// The first disagreement of `r` with rank 0's record, or "".
std::string disagreement(const Record& zero, const Record& r) {
  std::ostringstream os;
  if (r.node_rank != zero.node_rank && r.local_world_size != zero.local_world_size) {
    os << "node " << r.node_rank << " runs " << r.local_world_size << " process"
       << (r.local_world_size == 1 ? "" : "es") << " per node but node " << zero.node_rank
       << " runs " << zero.local_world_size
       << ": make NPROC_PER_NODE (or the visible devices) equal on every node";
  } else if (r.world_size != zero.world_size) {
    os << "rank " << r.rank << " (node " << r.node_rank << ", " << r.host << ") has WORLD_SIZE="
       << r.world_size << " but rank 0 has WORLD_SIZE=" << zero.world_size
       << ": start every node with the same NNODES and NPROC_PER_NODE";
  }
  return os.str();
}

}  // namespace

ProcessGroup::ProcessGroup(const DistEnv& env, Device device, std::chrono::milliseconds timeout)
    : env_(env), device_(device), timeout_(timeout) {
  LF_CHECK(env.distributed(), "a process group needs WORLD_SIZE > 1");
  std::signal(SIGPIPE, SIG_IGN);  // a dead peer's socket must give an error, not kill us
  if (env.rank == 0) server_ = std::make_unique<TcpStoreServer>(env.master_port);
  store_ = std::make_unique<TcpStore>(env.master_addr, env.master_port, env.rank, timeout);
  rendezvous();
  ops::CollectiveOptions o;
  o.rank = env.rank;
  o.world_size = env.world_size;
  o.device = device;
  o.prefix = "lf/pg/";
  o.timeout = timeout;
  o.local_address = store_->local_address();
  try {
    collective_ = ops::new_collective(*store_, o);
  } catch (const std::exception& e) {
    fail_collective("set-up", e);
  }
}

ProcessGroup::~ProcessGroup() = default;

void ProcessGroup::rendezvous() {
  char host[256] = "unknown";
  ::gethostname(host, sizeof host - 1);
  Record me{env_.rank, env_.world_size, env_.local_world_size, env_.node_rank, env_.local_rank, host};
  int64_t copy = store_->add("lf/rdzv/count/" + std::to_string(env_.rank), 1);
  store_->set(record_key(env_.rank, copy), bytes(me.encode()));
  auto deadline = Clock::now() + timeout_;
  // Every rank reports a failed rendezvous, so rank 0 keeps the store up
  // (briefly) until the others have read the verdict and left.
  auto leave_with = [&](const std::string& why) {
    if (env_.rank == 0) store_->set(kVerdictKey, bytes(why));
    store_->goodbye();
    if (server_) server_->wait_for_clients(env_.world_size, std::min<std::chrono::milliseconds>(timeout_, 5s));
    fail("rendezvous at ", store_->where(), " failed: ", why);
  };
  auto reject = [&](const std::string& why) {
    store_->set(kErrorKey, bytes(why));
    leave_with(why);
  };
  auto pending_error = [&] {
    std::vector<char> v;
    if (store_->try_get(kErrorKey, &v)) leave_with(text(v));
    if (store_->try_get(kDuplicateKey, &v)) {
      std::this_thread::sleep_for(std::min<std::chrono::milliseconds>(timeout_ / 4, 500ms));
      std::vector<char> deeper;
      leave_with(text(store_->try_get(kErrorKey, &deeper) ? deeper : v));
    }
  };
  auto check_unique = [&] {
    if (copy == 1) return;
    store_->set(kDuplicateKey,
                bytes("RANK=" + std::to_string(env_.rank) + " is used by more than one worker (one on node " +
                      std::to_string(env_.node_rank) + ", " + host +
                      "): every worker needs its own RANK; check NODE_RANK and NPROC_PER_NODE on every node"));
    pending_error();
  };

  if (env_.rank != 0) {
    std::vector<char> v;
    while (!store_->try_get(record_key(0, 1), &v)) {
      pending_error();
      LF_CHECK(Clock::now() < deadline, "rank 0 never registered at ", store_->where(),
               " within ddp_timeout");
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    std::string why = disagreement(Record::decode(text(v)), me);
    if (!why.empty()) reject(why);
    check_unique();
    while (!store_->try_get(kVerdictKey, &v)) {
      pending_error();
      store_->check({});  // fails naming a rank that died meanwhile
      LF_CHECK(Clock::now() < deadline, "rendezvous at ", store_->where(),
               " did not complete within ddp_timeout (", timeout_.count() / 1000.0,
               " s): rank 0 is still waiting for other ranks; see its log");
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (text(v) != "ok") leave_with(text(v));
    return;
  }

  // Rank 0 judges: all ranks present, and consistent with one another.
  check_unique();
  std::vector<Record> records(static_cast<size_t>(env_.world_size));
  std::vector<bool> seen(records.size(), false);
  int arrived = 0;
  while (arrived < env_.world_size) {
    pending_error();
    for (int r = 0; r < env_.world_size; ++r) {
      std::vector<char> v;
      if (!seen[r] && store_->try_get(record_key(r, 1), &v)) {
        records[r] = Record::decode(text(v));
        seen[r] = true;
        arrived++;
      }
    }
    if (arrived == env_.world_size) break;
    if (Clock::now() >= deadline) {
      std::string missing;
      for (int r = 0; r < env_.world_size; ++r)
        if (!seen[r]) missing += (missing.empty() ? "" : ", ") + std::to_string(r);
      std::string why = "rank(s) " + missing + " of WORLD_SIZE=" + std::to_string(env_.world_size) +
                        " never arrived within ddp_timeout (" +
                        std::to_string(timeout_.count() / 1000.0) +
                        " s): start the missing workers (every node with the same MASTER_ADDR, "
                        "MASTER_PORT, NNODES and its own NODE_RANK) or raise ddp_timeout";
      leave_with(why);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  std::string why;
  std::map<std::pair<int, int>, int> slots;  // (node, local rank) -> rank
  for (const Record& r : records) {
    if (why.empty()) why = disagreement(records[0], r);
    auto [it, fresh] = slots.emplace(std::make_pair(r.node_rank, r.local_rank), r.rank);
    if (why.empty() && !fresh) {
      why = "ranks " + std::to_string(it->second) + " and " + std::to_string(r.rank) +
            " both claim LOCAL_RANK=" + std::to_string(r.local_rank) + " on node " +
            std::to_string(r.node_rank) + ": give every node its own NODE_RANK";
    }
  }
  if (!why.empty()) leave_with(why);
  store_->set(kVerdictKey, bytes("ok"));
}

void ProcessGroup::fail_collective(const char* what, const std::exception& e) {
  // The store learns of a dead rank when its connection drops; give it a moment.
  auto deadline = Clock::now() + std::min<std::chrono::milliseconds>(timeout_, std::chrono::seconds(3));
  int dead = -1;
  try {
    while ((dead = store_->dead_rank()) < 0 && Clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
  } catch (const Error&) {
    dead = 0;  // the store itself is gone: rank 0 serves it
  }
  if (dead >= 0) {
    fail("rank ", dead, " died (its process exited or was killed); rank ", env_.rank,
         " stops too. See rank ", dead, "'s log for why. (", collective_ ? engine() : "collective",
         " ", what, ": ", e.what(), ")");
  }
  fail(collective_ ? engine() : "collective", " ", what, " failed on rank ", env_.rank, ": ",
       e.what());
}

void ProcessGroup::all_reduce_sum(Tensor& t) {
  try {
    collective_->all_reduce_sum(t);
  } catch (const std::exception& e) {
    fail_collective("all_reduce", e);
  }
}

namespace {

// An engine's work whose failure is reported as the group reports it.
class GroupWork : public ops::CollectiveWork {
 public:
  GroupWork(std::unique_ptr<ops::CollectiveWork> work, std::function<void(const std::exception&)> fail)
      : work_(std::move(work)), fail_(std::move(fail)) {}
  void wait() override {
    try {
      work_->wait();
    } catch (const std::exception& e) {
      fail_(e);
    }
  }
  double seconds() const override { return work_->seconds(); }

 private:
  std::unique_ptr<ops::CollectiveWork> work_;
  std::function<void(const std::exception&)> fail_;
};

}  // namespace

std::unique_ptr<ops::CollectiveWork> ProcessGroup::all_reduce_sum_async(Tensor& t) {
  try {
    return std::make_unique<GroupWork>(collective_->all_reduce_sum_async(t),
                                       [this](const std::exception& e) { fail_collective("all_reduce", e); });
  } catch (const std::exception& e) {
    fail_collective("all_reduce", e);
  }
}

std::vector<double> ProcessGroup::all_reduce_sum(const std::vector<double>& values) {
  std::vector<float> f(values.begin(), values.end());
  Tensor t = Tensor::from_vector(f, {static_cast<int64_t>(f.size())}, DType::f32, device_);
  all_reduce_sum(t);
  std::vector<float> r = t.to_floats();
  return {r.begin(), r.end()};
}

void ProcessGroup::broadcast(Tensor& t, int root) {
  try {
    collective_->broadcast(t, root);
  } catch (const std::exception& e) {
    fail_collective("broadcast", e);
  }
}

void ProcessGroup::barrier(const std::string& name) {
  std::string key = "lf/barrier/" + name;
  if (store_->add(key, 1) == env_.world_size) store_->set(key + "/done", {'1'});
  store_->wait({key + "/done"});
}

void ProcessGroup::finish() {
  if (finished_) return;
  barrier("finish");
  store_->goodbye();
  if (server_) server_->wait_for_clients(env_.world_size, timeout_);
  finished_ = true;
}

}  // namespace lf::dist
