#include "backends/ascend/runtime.h"

#include <dlfcn.h>

#include <algorithm>
#include <cstdio>

#include "aclnnop/aclnn_cast.h"
#include "aclnnop/aclnn_copy.h"
#include "backends/ascend/aclnn.h"
#include "backends/ascend/status.h"
#include "core/error.h"
#include "core/log.h"
#include "core/tensor.h"
#include "core/visibility.h"

namespace lf::ascend {
namespace {

// aclGetRecentErrMsg (acl.h, present in CANN 8.0.RC1): the runtime's detail text.
std::string recent_error() {
  const char* m = aclGetRecentErrMsg();
  return m ? m : "";
}

std::string gib(size_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f GiB", static_cast<double>(bytes) / (1u << 30));
  return buf;
}

}  // namespace

void AscendRuntime::start() {
  std::call_once(started_, [this] {
    probe_.toolkit = toolkit_home();
    probe_.visible = env_value("ASCEND_RT_VISIBLE_DEVICES");
    // aclInit (acl.h, present in CANN 8.0.RC1): once per process; 100002 means another
    // component of this process initialised ACL already, which is fine.
    int rc = aclInit(nullptr);
    if (rc != ACL_SUCCESS && rc != ACL_ERROR_REPEAT_INITIALIZE) {
      probe_.init_status = rc;
      probe_.detail = recent_error();
      return;
    }
    // aclrtGetDeviceCount (acl_rt.h, present in CANN 8.0.RC1): counts visible devices only.
    uint32_t n = 0;
    rc = aclrtGetDeviceCount(&n);
    if (rc != ACL_SUCCESS) {
      probe_.count_status = rc;
      probe_.detail = recent_error();
      return;
    }
    probe_.count = static_cast<int>(n);
    streams_.assign(n, nullptr);
    pending_.assign(n, {});
    if (n > 0 && !soc_has_bf16(probe_soc())) {
      log::info("NPU ", probe_soc(), " has no bf16 (Atlas training series before A2): train in "
                "fp16 with loss scaling (fp16: true)");
    }
  });
}

int AscendRuntime::device_count() {
  start();
  return lf::ascend::unavailable_reason(probe_).empty() ? probe_.count : 0;
}

std::string AscendRuntime::unavailable_reason() {
  start();
  return lf::ascend::unavailable_reason(probe_);
}

void AscendRuntime::set_device(int index) {
  thread_local int current = -1;
  LF_CHECK(index >= 0 && index < device_count(), "npu:", index, " is not a visible NPU");
  if (current == index) return;
  // aclrtSetDevice (acl_rt.h, present in CANN 8.0.RC1): the calling thread's device.
  check(aclrtSetDevice(index), "aclrtSetDevice");
  current = index;
}

aclrtStream AscendRuntime::stream(int index) {
  set_device(index);
  std::lock_guard<std::mutex> lock(mu_);
  if (!streams_[index]) {
    // aclrtCreateStream (acl_rt.h, present in CANN 8.0.RC1), on the device just set.
    check(aclrtCreateStream(&streams_[index]), "aclrtCreateStream");
  }
  return streams_[index];
}

void AscendRuntime::note_op(int index, const char* op) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& ops = pending_[index];
  if (std::find(ops.begin(), ops.end(), op) == ops.end()) ops.push_back(op);
}

void AscendRuntime::check(int status, const char* call, const std::string& op) {
  if (status == 0) return;
  throw Error(status_message(call, op, status, recent_error()));
}

std::string AscendRuntime::soc_name() {
  start();
  return probe_soc();
}

std::string AscendRuntime::probe_soc() {
  // aclrtGetSocName (acl_base.h, present in CANN 8.0.RC1): NULL on failure.
  const char* s = aclrtGetSocName();
  return s ? s : "unknown";
}

bool AscendRuntime::bf16_supported() {
  start();
  return soc_has_bf16(probe_soc());
}

bool AscendRuntime::soc_has_bf16(const std::string& s) {
  return (s.rfind("Ascend910B", 0) == 0 && s.size() > 10) || s.rfind("Ascend910_93", 0) == 0;
}

DeviceInfo AscendRuntime::info(int index) {
  set_device(index);
  DeviceInfo d;
  d.name = soc_name();
  // aclrtGetMemInfo (acl_rt.h, present in CANN 8.0.RC1): HBM of the current device.
  check(aclrtGetMemInfo(ACL_HBM_MEM, &d.free_bytes, &d.total_bytes), "aclrtGetMemInfo");
  return d;
}

std::vector<std::pair<std::string, std::string>> AscendRuntime::env_lines() {
  std::vector<std::pair<std::string, std::string>> lines;
  // The number of NPUs, their memory and the visibility variable are printed
  // by `env` itself from device_count() / info(); these are the NPU specifics.
  if (device_count() > 0) {
    lines.push_back({"NPU type", soc_name()});
    lines.push_back({"NPU bf16", bf16_supported() ? "yes" : "no (910A-class: fp16 with loss scaling)"});
  }
  // aclsysGetCANNVersion (acl.h, CANN 8.1.RC1 and later): looked up with dlsym
  // so the binary still loads on 8.0.RC1, where the files below are read instead.
  // Its types are not in 8.0.RC1's headers either, so they are restated here
  // (reference §1.4: aclCANNPackageName ACL_PKG_NAME_CANN = 0; field sizes
  // 128 / 64 / 64 / 64 / 64 / 128).
  struct PackageVersion {
    char version[128], major[64], minor[64], release[64], patch[64], reserved[128];
  };
  constexpr int kPackageCann = 0;
  std::string version;
  using GetVersion = int (*)(int, PackageVersion*);
  if (auto fn = reinterpret_cast<GetVersion>(dlsym(RTLD_DEFAULT, "aclsysGetCANNVersion"))) {
    PackageVersion v{};
    if (fn(kPackageCann, &v) == ACL_SUCCESS) version = v.version;
  }
  if (version.empty()) version = cann_version_from_files(probe_.toolkit);
  lines.push_back({"CANN version", version.empty() ? "unknown" : version});
  std::string driver = driver_version();
  lines.push_back({"NPU driver version", driver.empty() ? "unknown" : driver});
  return lines;
}

void* AscendRuntime::raw_alloc(int index, size_t bytes) {
  set_device(index);
  void* p = nullptr;
  // aclrtMalloc (acl_rt.h, present in CANN 8.0.RC1); HUGE_FIRST as CANN's samples and ggml use.
  int rc = aclrtMalloc(&p, bytes, ACL_MEM_MALLOC_HUGE_FIRST);
  if (rc != ACL_SUCCESS) {
    std::string detail = recent_error();
    size_t free = 0, total = 0;
    aclrtGetMemInfo(ACL_HBM_MEM, &free, &total);
    throw Error(status_message("aclrtMalloc", "", rc, detail) + " (asked for " +
                std::to_string(bytes) + " bytes on npu:" + std::to_string(index) + "; " +
                gib(free) + " of " + gib(total) + " free)");
  }
  return p;
}

void AscendRuntime::raw_free(int index, void* ptr) {
  // Kernels queued earlier may still use the block: finish them first.
  synchronize(index);
  // aclrtFree (acl_rt.h, present in CANN 8.0.RC1).
  check(aclrtFree(ptr), "aclrtFree");
}

void AscendRuntime::copy_from_host(int index, void* dst, const void* src, size_t bytes) {
  synchronize(index);  // aclrtMemcpy is not ordered with the stream
  // aclrtMemcpy (acl_rt.h, present in CANN 8.0.RC1): note destMax before src.
  check(aclrtMemcpy(dst, bytes, src, bytes, ACL_MEMCPY_HOST_TO_DEVICE), "aclrtMemcpy");
}

void AscendRuntime::copy_to_host(int index, void* dst, const void* src, size_t bytes) {
  synchronize(index);
  check(aclrtMemcpy(dst, bytes, src, bytes, ACL_MEMCPY_DEVICE_TO_HOST), "aclrtMemcpy");
}

void AscendRuntime::copy_on_device(int index, void* dst, const void* src, size_t bytes) {
  if (bytes == 0) return;
  aclrtStream s = stream(index);
  // aclrtMemcpyAsync (acl_rt.h, present in CANN 8.0.RC1) needs 64-byte-aligned addresses for
  // on-device copies; other copies go through aclnnInplaceCopy on bytes.
  if (reinterpret_cast<uintptr_t>(dst) % 64 == 0 && reinterpret_cast<uintptr_t>(src) % 64 == 0) {
    check(aclrtMemcpyAsync(dst, bytes, src, bytes, ACL_MEMCPY_DEVICE_TO_DEVICE, s),
          "aclrtMemcpyAsync");
    note_op(index, "aclrtMemcpyAsync");
    return;
  }
  int64_t n = static_cast<int64_t>(bytes);
  AclTensor d = AclTensor::raw(dst, ACL_INT8, {n}, {1});
  AclTensor sr = AclTensor::raw(const_cast<void*>(src), ACL_INT8, {n}, {1});
  LF_ACLNN(index, InplaceCopy, d.get(), sr.get());
}

void AscendRuntime::synchronize(int index) {
  aclrtStream s = stream(index);
  // aclrtSynchronizeStream (acl_rt.h, present in CANN 8.0.RC1): kernel errors surface here.
  int rc = aclrtSynchronizeStream(s);
  std::string ops;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& op : pending_[index]) ops += (ops.empty() ? "" : ", ") + op;
    pending_[index].clear();
  }
  if (rc != ACL_SUCCESS) {
    throw Error(status_message("aclrtSynchronizeStream", ops.empty() ? "" : "one of [" + ops + "]",
                               rc, recent_error()) +
                " To find the failing op, run again with ASCEND_LAUNCH_BLOCKING=1.");
  }
}

void AscendRuntime::copy_strided(int index, void* dst, const void* src_base, DType dtype,
                                 const std::vector<int64_t>& shape,
                                 const std::vector<int64_t>& strides, int64_t offset) {
  aclDataType t = acl_dtype(dtype);
  AclTensor d = AclTensor::raw(dst, t, shape, contiguous_strides(shape));
  AclTensor s = AclTensor::raw(const_cast<void*>(src_base), t, shape, strides, offset);
  LF_ACLNN(index, InplaceCopy, d.get(), s.get());
}

void AscendRuntime::convert(int index, void* dst, DType dst_type, const void* src, DType src_type,
                            size_t n) {
  std::vector<int64_t> shape{static_cast<int64_t>(n)};
  AclTensor d = AclTensor::raw(dst, acl_dtype(dst_type), shape, {1});
  AclTensor s = AclTensor::raw(const_cast<void*>(src), acl_dtype(src_type), shape, {1});
  LF_ACLNN(index, Cast, s.get(), acl_dtype(dst_type), d.get());
}

}  // namespace lf::ascend
