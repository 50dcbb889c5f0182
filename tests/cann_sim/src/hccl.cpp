// libhccl: communicators between ranks that are processes (or threads of one
// process), each on its own simulated device (reference §4.3: root info from
// the root rank, the same nRanks / rootInfo on every rank). The root info
// carries a rendezvous directory (under TMPDIR, else /dev/shm): each rank
// publishes its contribution to collective #seq as a file written atomically
// and reads the others' — collectives are queued on the rank's stream, and
// when a stream reaches one it waits for the other ranks' files
// (HCCL_CONNECT_TIMEOUT seconds, default 120).
// CANN_SIM_FAULT=hccp makes initialisation fail as when an earlier process
// still holds the NPU (EJ0001, HCCL_E_UNAVAIL).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>
#include <unistd.h>

#include "hccl/hccl.h"
#include "sim.h"
#include "state.h"

namespace {

namespace fs = std::filesystem;
using cann_sim::Fault;
using cann_sim::TensorDesc;
using Clock = std::chrono::steady_clock;

struct Comm {
  fs::path dir;
  uint32_t nranks = 0, rank = 0;
  uint64_t issued = 0;
};

std::atomic<uint64_t> g_next_id{1};

std::chrono::seconds timeout() {
  const char* v = std::getenv("HCCL_CONNECT_TIMEOUT");
  return std::chrono::seconds(v && std::atoi(v) > 0 ? std::atoi(v) : 120);
}

fs::path rendezvous_root() {
  const char* t = std::getenv("TMPDIR");
  if (t && *t) return t;
  std::error_code ec;
  return fs::is_directory("/dev/shm", ec) ? fs::path("/dev/shm") : fs::temp_directory_path();
}

// Writes `bytes` to dir/name so that readers see all of it or nothing.
void publish(const fs::path& dir, const std::string& name, uint32_t rank, const std::string& bytes) {
  fs::path tmp = dir / (name + ".tmp" + std::to_string(rank));
  {
    std::ofstream out(tmp, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  fs::rename(tmp, dir / name);
}

// Waits (until `deadline`) for dir/name and returns its contents.
bool collect(const fs::path& dir, const std::string& name, Clock::time_point deadline, std::string* bytes) {
  auto pause = std::chrono::microseconds(50);
  for (;;) {
    std::ifstream in(dir / name, std::ios::binary);
    if (in) {
      bytes->assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
      return true;
    }
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(pause);
    pause = std::min<std::chrono::microseconds>(pause * 2, std::chrono::milliseconds(2));
  }
}

std::string slot_name(uint64_t seq, uint32_t rank) {
  // Built with += : g++ 12 warns falsely (-Wrestrict) on "c" + string.
  std::string name(1, 'c');
  name += std::to_string(seq);
  name += '_';
  name += std::to_string(rank);
  return name;
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
std::vector<std::vector<double>> exchange(const Comm& c, uint64_t seq, const std::vector<double>& mine) {
  publish(c.dir, slot_name(seq, c.rank), c.rank,
          std::string(reinterpret_cast<const char*>(mine.data()), mine.size() * sizeof(double)));
  // Every rank has published seq-1 before this rank got here, so all have
  // read this rank's seq-2 file.
  if (seq >= 2) {
    std::error_code ec;
    fs::remove(c.dir / slot_name(seq - 2, c.rank), ec);
  }
  std::vector<std::vector<double>> all(c.nranks);
  auto deadline = Clock::now() + timeout();
  for (uint32_t r = 0; r < c.nranks; ++r) {
    if (r == c.rank) {
      all[r] = mine;
      continue;
    }
    std::string bytes;
    if (!collect(c.dir, slot_name(seq, r), deadline, &bytes))
      throw Fault{ACL_ERROR_RT_INTERNAL_ERROR,
                  "EI0002: HCCL collective timed out waiting for rank " + std::to_string(r)};
    all[r].resize(bytes.size() / sizeof(double));
    std::memcpy(all[r].data(), bytes.data(), all[r].size() * sizeof(double));
  }
  return all;
}

}  // namespace

extern "C" {

HcclResult HcclGetRootInfo(HcclRootInfo* rootInfo) {
  if (!rootInfo) return HCCL_E_PTR;
  if (cann_sim::current_device() < 0) return HCCL_E_RUNTIME;  // aclrtSetDevice first
  std::memset(rootInfo->internal, 0, sizeof rootInfo->internal);
  fs::path dir = rendezvous_root() /
                 ("cann_sim_hccl_" + std::to_string(getpid()) + "_" + std::to_string(g_next_id++));
  std::string text = dir.string();
  if (text.size() >= sizeof rootInfo->internal) return HCCL_E_INTERNAL;
  std::memcpy(rootInfo->internal, text.data(), text.size());
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
  Comm c;
  c.dir = std::string(rootInfo->internal, strnlen(rootInfo->internal, sizeof rootInfo->internal));
  c.nranks = nRanks;
  c.rank = rank;
  // Made by the first rank to join, so a root info never used leaves nothing behind.
  std::error_code ec;
  fs::create_directories(c.dir, ec);
  if (ec) return HCCL_E_PARA;
  publish(c.dir, "join_" + std::to_string(rank), rank, std::to_string(nRanks));
  auto deadline = Clock::now() + timeout();
  for (uint32_t r = 0; r < nRanks; ++r) {
    std::string n;
    if (!collect(c.dir, "join_" + std::to_string(r), deadline, &n)) {
      cann_sim::set_error("EI0006: HCCL communicator initialisation timed out: rank " +
                          std::to_string(r) + " did not join");
      return HCCL_E_TIMEOUT;
    }
    if (n != std::to_string(nRanks)) return HCCL_E_PARA;
  }
  *comm = new Comm(c);
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
  if (t == ACL_DT_UNDEFINED || root >= c->nranks) return HCCL_E_PARA;
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
  Comm* c = static_cast<Comm*>(comm);
  // The last rank to leave removes the rendezvous directory.
  publish(c->dir, "bye_" + std::to_string(c->rank), c->rank, "");
  bool all_left = true;
  for (uint32_t r = 0; r < c->nranks; ++r)
    all_left = all_left && fs::exists(c->dir / ("bye_" + std::to_string(r)));
  std::error_code ec;
  if (all_left) fs::remove_all(c->dir, ec);
  delete c;
  return HCCL_SUCCESS;
}

}  // extern "C"
