// libhccl: communicators between ranks that are threads of one process, each
// on its own simulated device (reference §4.3: root info from the root rank,
// the same nRanks / rootInfo on every rank). Collectives are queued on the
// rank's stream; when a rank's stream reaches one, it waits for the other
// ranks to reach it too (HCCL_CONNECT_TIMEOUT seconds, default 120).
// CANN_SIM_FAULT=hccp makes initialisation fail as when an earlier process
// still holds the NPU (EJ0001, HCCL_E_UNAVAIL).
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <unistd.h>

#include "hccl/hccl.h"
#include "sim.h"
#include "state.h"

namespace {

using cann_sim::Fault;
using cann_sim::TensorDesc;

struct Slot {
  std::vector<std::vector<double>> data;
  int arrived = 0, done = 0;
};

struct Group {
  uint32_t nranks = 0;
  uint32_t joined = 0;
  std::mutex mu;
  std::condition_variable cv;
  std::map<uint64_t, Slot> slots;  // by collective sequence number
};

struct Comm {
  std::shared_ptr<Group> group;
  uint32_t rank;
  uint64_t issued = 0;
};

std::mutex g_mu;
std::map<uint64_t, std::shared_ptr<Group>> g_groups;
std::atomic<uint64_t> g_next_id{1};

std::chrono::seconds timeout() {
  const char* v = std::getenv("HCCL_CONNECT_TIMEOUT");
  return std::chrono::seconds(v && std::atoi(v) > 0 ? std::atoi(v) : 120);
}

aclDataType acl_type(HcclDataType t) {
  switch (t) {
    case HCCL_DATA_TYPE_INT8: return ACL_INT8;
    case HCCL_DATA_TYPE_INT32: return ACL_INT32;
    case HCCL_DATA_TYPE_FP16: return ACL_FLOAT16;
    case HCCL_DATA_TYPE_FP32: return ACL_FLOAT;
    case HCCL_DATA_TYPE_INT64: return ACL_INT64;
    case HCCL_DATA_TYPE_BFP16: return ACL_BF16;
    default: return ACL_DT_UNDEFINED;
  }
}

TensorDesc buffer(void* p, uint64_t count, aclDataType t) {
  TensorDesc d;
  d.dims = {static_cast<int64_t>(count)};
  d.strides = {1};
  d.dtype = t;
  d.data = p;
  return d;
}

// Runs on the rank's stream: publishes `mine`, waits for every rank, then
// returns all ranks' contributions.
std::vector<std::vector<double>> exchange(Comm c, uint64_t seq, std::vector<double> mine) {
  Group& g = *c.group;
  std::unique_lock<std::mutex> lock(g.mu);
  Slot& s = g.slots[seq];
  if (s.data.empty()) s.data.resize(g.nranks);
  s.data[c.rank] = std::move(mine);
  ++s.arrived;
  g.cv.notify_all();
  if (!g.cv.wait_for(lock, timeout(), [&] { return s.arrived == static_cast<int>(g.nranks); }))
    throw Fault{ACL_ERROR_RT_INTERNAL_ERROR, "EI0002: HCCL collective timed out waiting for the other ranks"};
  std::vector<std::vector<double>> all = s.data;
  if (++s.done == static_cast<int>(g.nranks)) g.slots.erase(seq);
  return all;
}

}  // namespace

extern "C" {

HcclResult HcclGetRootInfo(HcclRootInfo* rootInfo) {
  if (!rootInfo) return HCCL_E_PTR;
  if (cann_sim::current_device() < 0) return HCCL_E_RUNTIME;  // aclrtSetDevice first
  std::memset(rootInfo->internal, 0, sizeof rootInfo->internal);
  uint64_t id = (static_cast<uint64_t>(getpid()) << 32) | g_next_id++;
  std::memcpy(rootInfo->internal, &id, sizeof id);
  return HCCL_SUCCESS;
}

HcclResult HcclCommInitRootInfo(uint32_t nRanks, const HcclRootInfo* rootInfo, uint32_t rank,
                                HcclComm* comm) {
  if (!rootInfo || !comm) return HCCL_E_PTR;
  if (nRanks == 0 || rank >= nRanks) return HCCL_E_PARA;
  if (cann_sim::current_device() < 0) return HCCL_E_RUNTIME;
  if (cann_sim::fault_enabled("hccp")) {
    cann_sim::set_error(
        "EJ0001: Failed to initialize the HCCP process. Reason: Maybe the last training process "
        "is running. Solution: Wait for 10s after killing the last training process and try "
        "again. (simulated fault)");
    return HCCL_E_UNAVAIL;
  }
  uint64_t id;
  std::memcpy(&id, rootInfo->internal, sizeof id);
  std::shared_ptr<Group> g;
  {
    std::lock_guard<std::mutex> lock(g_mu);
    auto& slot = g_groups[id];
    if (!slot) {
      slot = std::make_shared<Group>();
      slot->nranks = nRanks;
    }
    g = slot;
  }
  std::unique_lock<std::mutex> lock(g->mu);
  if (g->nranks != nRanks) return HCCL_E_PARA;
  ++g->joined;
  g->cv.notify_all();
  if (!g->cv.wait_for(lock, timeout(), [&] { return g->joined >= g->nranks; })) {
    cann_sim::set_error("EI0006: HCCL communicator initialisation timed out: not every rank joined");
    return HCCL_E_TIMEOUT;
  }
  *comm = new Comm{g, rank};
  return HCCL_SUCCESS;
}

HcclResult HcclAllReduce(void* sendBuf, void* recvBuf, uint64_t count, HcclDataType dataType,
                         HcclReduceOp op, HcclComm comm, aclrtStream stream) {
  if (!sendBuf || !recvBuf || !comm) return HCCL_E_PTR;
  aclDataType t = acl_type(dataType);
  if (t == ACL_DT_UNDEFINED || op >= HCCL_REDUCE_RESERVED) return HCCL_E_PARA;
  size_t bytes = count * aclDataTypeSize(t);
  if (!cann_sim::is_device_memory(sendBuf, bytes) || !cann_sim::is_device_memory(recvBuf, bytes))
    return HCCL_E_PARA;
  Comm* c = static_cast<Comm*>(comm);
  Comm copy = *c;
  uint64_t seq = c->issued++;
  TensorDesc in = buffer(sendBuf, count, t), out = buffer(recvBuf, count, t);
  aclError rc = cann_sim::enqueue(stream, [=] {
    auto all = exchange(copy, seq, cann_sim::read(in));
    std::vector<double> r = all[0];
    for (size_t k = 1; k < all.size(); ++k)
      for (size_t i = 0; i < r.size(); ++i) {
        double v = all[k][i];
        r[i] = op == HCCL_REDUCE_SUM ? r[i] + v : op == HCCL_REDUCE_PROD ? r[i] * v
             : op == HCCL_REDUCE_MAX ? std::max(r[i], v) : std::min(r[i], v);
      }
    cann_sim::write(out, r);
  });
  return rc == ACL_SUCCESS ? HCCL_SUCCESS : HCCL_E_RUNTIME;
}

HcclResult HcclBroadcast(void* buf, uint64_t count, HcclDataType dataType, uint32_t root,
                         HcclComm comm, aclrtStream stream) {
  if (!buf || !comm) return HCCL_E_PTR;
  aclDataType t = acl_type(dataType);
  Comm* c = static_cast<Comm*>(comm);
  if (t == ACL_DT_UNDEFINED || root >= c->group->nranks) return HCCL_E_PARA;
  if (!cann_sim::is_device_memory(buf, count * aclDataTypeSize(t))) return HCCL_E_PARA;
  Comm copy = *c;
  uint64_t seq = c->issued++;
  TensorDesc b = buffer(buf, count, t);
  aclError rc = cann_sim::enqueue(stream, [=] {
    auto all = exchange(copy, seq, copy.rank == root ? cann_sim::read(b) : std::vector<double>());
    cann_sim::write(b, all[root]);
  });
  return rc == ACL_SUCCESS ? HCCL_SUCCESS : HCCL_E_RUNTIME;
}

HcclResult HcclCommDestroy(HcclComm comm) {
  if (!comm) return HCCL_E_PTR;
  delete static_cast<Comm*>(comm);
  return HCCL_SUCCESS;
}

}  // extern "C"
