// libascendcl: the ACL runtime functions, executed on the host with the real
// runtime's observable rules (reference §12 "Lifecycle", "Devices", "Memory",
// "Streams and events").
#include <cstdlib>
#include <cstring>
#include <string>

#include "sim.h"
#include "state.h"

using cann_sim::State;
using cann_sim::state;

namespace cann_sim {
namespace {
std::mutex g_msg_mu;
std::string g_msg;
}  // namespace

void set_error(const std::string& message) {
  std::lock_guard<std::mutex> lock(g_msg_mu);
  g_msg = message;
}
}  // namespace cann_sim

namespace {

aclError need_device(int* dev) {
  if (!state().initialized) return ACL_ERROR_UNINITIALIZE;
  *dev = cann_sim::current_device();
  return *dev < 0 ? ACL_ERROR_RT_CONTEXT_NULL : ACL_SUCCESS;
}

bool is_dev(const void* p, size_t n) { return cann_sim::is_device_memory(p, n ? n : 1); }

}  // namespace

extern "C" {

aclError aclInit(const char*) {
  State& st = state();
  std::lock_guard<std::mutex> lock(st.mu);
  if (st.initialized) return ACL_ERROR_REPEAT_INITIALIZE;
  st.initialized = true;
  return ACL_SUCCESS;
}

const char* aclGetRecentErrMsg() {
  thread_local std::string copy;
  std::lock_guard<std::mutex> lock(cann_sim::g_msg_mu);
  if (cann_sim::g_msg.empty()) return nullptr;
  copy.swap(cann_sim::g_msg);
  cann_sim::g_msg.clear();
  return copy.c_str();
}

aclError aclsysGetCANNVersion(aclCANNPackageName name, aclCANNPackageVersion* version) {
  if (!version || name != ACL_PKG_NAME_CANN) return ACL_ERROR_INVALID_PARAM;
  const char* v = std::getenv("CANN_SIM_VERSION");
  std::string s = v && *v ? v : "8.1.RC1";
  std::memset(version, 0, sizeof *version);
  std::strncpy(version->version, s.c_str(), sizeof version->version - 1);
  std::string parts[3];
  for (int i = 0, p = 0; i < 3; ++i) {
    size_t dot = s.find('.', p);
    parts[i] = s.substr(p, dot == std::string::npos ? std::string::npos : dot - p);
    if (dot == std::string::npos) break;
    p = static_cast<int>(dot) + 1;
  }
  std::strncpy(version->majorVersion, parts[0].c_str(), sizeof version->majorVersion - 1);
  std::strncpy(version->minorVersion, parts[1].c_str(), sizeof version->minorVersion - 1);
  std::strncpy(version->releaseVersion, parts[2].c_str(), sizeof version->releaseVersion - 1);
  return ACL_SUCCESS;
}

size_t aclDataTypeSize(aclDataType t) {
  switch (t) {
    case ACL_FLOAT: case ACL_INT32: case ACL_UINT32: return 4;
    case ACL_FLOAT16: case ACL_BF16: case ACL_INT16: case ACL_UINT16: return 2;
    case ACL_INT8: case ACL_UINT8: case ACL_BOOL: return 1;
    case ACL_INT64: case ACL_UINT64: case ACL_DOUBLE: return 8;
    default: return 0;
  }
}

const char* aclrtGetSocName() {
  thread_local std::string name;
  name = cann_sim::soc_name();
  return name.c_str();
}

aclError aclrtGetDeviceCount(uint32_t* count) {
  if (!count) return ACL_ERROR_INVALID_PARAM;
  if (cann_sim::fault_enabled("nodriver")) {
    cann_sim::set_error("EE1001: drvGetDevNum failed: the NPU driver is not loaded");
    return ACL_ERROR_RT_DRV_INTERNAL_ERROR;
  }
  *count = static_cast<uint32_t>(state().devices.size());
  return ACL_SUCCESS;
}

aclError aclrtSetDevice(int32_t deviceId) {
  if (!state().initialized) return ACL_ERROR_UNINITIALIZE;
  if (deviceId < 0 || deviceId >= static_cast<int32_t>(state().devices.size()))
    return ACL_ERROR_RT_INVALID_DEVICEID;
  cann_sim::current_device() = deviceId;
  return ACL_SUCCESS;
}

aclError aclrtCreateStream(aclrtStream* stream) {
  int dev;
  if (!stream) return ACL_ERROR_INVALID_PARAM;
  if (aclError e = need_device(&dev)) return e;
  auto s = std::make_unique<cann_sim::Stream>();
  s->device = dev;
  State& st = state();
  std::lock_guard<std::mutex> lock(st.mu);
  *stream = s.get();
  st.streams[s.get()] = std::move(s);
  return ACL_SUCCESS;
}

aclError aclrtDestroyStream(aclrtStream stream) {
  State& st = state();
  std::lock_guard<std::mutex> lock(st.mu);
  return st.streams.erase(static_cast<cann_sim::Stream*>(stream)) ? ACL_SUCCESS
                                                                   : ACL_ERROR_RT_PARAM_INVALID;
}

aclError aclrtSynchronizeStream(aclrtStream stream) {
  State& st = state();
  cann_sim::Stream* s = static_cast<cann_sim::Stream*>(stream);
  {
    std::lock_guard<std::mutex> lock(st.mu);
    if (!s) {
      int dev = cann_sim::current_device();
      if (dev < 0) return ACL_ERROR_RT_CONTEXT_NULL;
      s = st.devices[dev].default_stream.get();
    } else if (!st.streams.count(s)) {
      return ACL_ERROR_RT_PARAM_INVALID;
    }
  }
  return cann_sim::drain(s);
}

aclError aclrtMalloc(void** devPtr, size_t size, aclrtMemMallocPolicy policy) {
  int dev;
  if (!devPtr || size == 0 || policy > ACL_MEM_MALLOC_NORMAL_ONLY_P2P) return ACL_ERROR_INVALID_PARAM;
  if (aclError e = need_device(&dev)) return e;
  // "real alloc size is aligned to 32 bytes and padded with 32 bytes" (acl_rt.h).
  size_t real = (size + 31) / 32 * 32 + 32;
  State& st = state();
  std::lock_guard<std::mutex> lock(st.mu);
  cann_sim::DeviceState& d = st.devices[dev];
  if (cann_sim::fault_enabled("oom") || d.used + real > d.total) {
    cann_sim::set_error("EL0004: Failed to allocate memory. Possible Cause: Available memory is "
                        "insufficient. Requested " + std::to_string(size) + " bytes, " +
                        std::to_string(d.total - d.used) + " bytes free on device " +
                        std::to_string(dev) + ".");
    return ACL_ERROR_RT_MEMORY_ALLOCATION;
  }
  // Blocks start 64-byte aligned, so whole allocations qualify for on-device
  // aclrtMemcpyAsync (which needs 64-byte-aligned addresses).
  void* p = std::aligned_alloc(64, (real + 63) / 64 * 64);
  if (!p) return ACL_ERROR_BAD_ALLOC;
  d.used += real;
  st.allocations[static_cast<const char*>(p)] = {dev, real};
  *devPtr = p;
  return ACL_SUCCESS;
}

aclError aclrtFree(void* devPtr) {
  State& st = state();
  std::lock_guard<std::mutex> lock(st.mu);
  auto it = st.allocations.find(static_cast<const char*>(devPtr));
  if (it == st.allocations.end()) return ACL_ERROR_INVALID_PARAM;
  st.devices[it->second.device].used -= it->second.size;
  st.allocations.erase(it);
  std::free(devPtr);
  return ACL_SUCCESS;
}

aclError aclrtMemcpy(void* dst, size_t destMax, const void* src, size_t count,
                     aclrtMemcpyKind kind) {
  if (!state().initialized) return ACL_ERROR_UNINITIALIZE;
  if (!dst || !src || count > destMax) return ACL_ERROR_INVALID_PARAM;
  bool dst_dev = is_dev(dst, count), src_dev = is_dev(src, count);
  bool ok = (kind == ACL_MEMCPY_HOST_TO_HOST && !dst_dev && !src_dev) ||
            (kind == ACL_MEMCPY_HOST_TO_DEVICE && dst_dev && !src_dev) ||
            (kind == ACL_MEMCPY_DEVICE_TO_HOST && !dst_dev && src_dev) ||
            (kind == ACL_MEMCPY_DEVICE_TO_DEVICE && dst_dev && src_dev);
  if (!ok) {
    cann_sim::set_error("aclrtMemcpy: the copy kind does not match the addresses (or a range "
                        "runs past its allocation)");
    return ACL_ERROR_INVALID_PARAM;
  }
  if (count) std::memmove(dst, src, count);
  return ACL_SUCCESS;
}

aclError aclrtMemcpyAsync(void* dst, size_t destMax, const void* src, size_t count,
                          aclrtMemcpyKind kind, aclrtStream stream) {
  if (!state().initialized) return ACL_ERROR_UNINITIALIZE;
  if (!dst || !src || count > destMax) return ACL_ERROR_INVALID_PARAM;
  if (kind != ACL_MEMCPY_DEVICE_TO_DEVICE || !is_dev(dst, count) || !is_dev(src, count))
    return ACL_ERROR_INVALID_PARAM;  // the simulator only queues on-device copies
  // acl_rt.h: on-chip device-to-device copies need 64-byte-aligned addresses.
  if (reinterpret_cast<uintptr_t>(dst) % 64 || reinterpret_cast<uintptr_t>(src) % 64)
    return ACL_ERROR_RT_ADDR_UNALIGNED;
  return cann_sim::enqueue(stream, [=] { std::memmove(dst, src, count); });
}

aclError aclrtGetMemInfo(aclrtMemAttr attr, size_t* free, size_t* total) {
  int dev;
  if (!free || !total) return ACL_ERROR_INVALID_PARAM;
  if (aclError e = need_device(&dev)) return e;
  State& st = state();
  std::lock_guard<std::mutex> lock(st.mu);
  if (attr == ACL_HBM_MEM || attr == ACL_HBM_MEM_HUGE || attr == ACL_HBM_MEM_NORMAL) {
    *total = st.devices[dev].total;
    *free = st.devices[dev].total - st.devices[dev].used;
  } else {
    *total = *free = 0;  // 910B has HBM only
  }
  return ACL_SUCCESS;
}

}  // extern "C"
