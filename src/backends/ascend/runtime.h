// The ACL runtime as core's DeviceRuntime for npu devices: aclInit once per
// process, aclrtSetDevice per thread, one stream per device, raw memory from
// aclrtMalloc (core's caching allocator sits on top), copies and
// synchronisation. Ops use stream() and check().
#pragma once
#include <mutex>
#include <string>
#include <vector>

#include "acl/acl.h"
#include "backends/ascend/probe.h"
#include "core/runtime.h"

namespace lf::ascend {

class AscendRuntime final : public DeviceRuntime {
 public:
  DeviceType type() const override { return DeviceType::npu; }
  int device_count() override;
  std::string unavailable_reason() override;
  const char* visibility_variable() const override { return "ASCEND_RT_VISIBLE_DEVICES"; }
  DeviceInfo info(int index) override;
  std::vector<std::pair<std::string, std::string>> env_lines() override;
  bool supports_dtype(int, DType dtype) override { return dtype != DType::bf16 || bf16_supported(); }

  void* raw_alloc(int index, size_t bytes) override;
  void raw_free(int index, void* ptr) override;
  void copy_from_host(int index, void* dst, const void* src, size_t bytes) override;
  void copy_to_host(int index, void* dst, const void* src, size_t bytes) override;
  void copy_on_device(int index, void* dst, const void* src, size_t bytes) override;
  void synchronize(int index) override;
  void copy_strided(int index, void* dst, const void* src_base, DType dtype,
                    const std::vector<int64_t>& shape, const std::vector<int64_t>& strides,
                    int64_t offset) override;
  void convert(int index, void* dst, DType dst_type, const void* src, DType src_type,
               size_t n) override;

  // The device's stream, with the device made current on this thread.
  aclrtStream stream(int index);
  // Remembers an op queued on a device, so a failure at synchronisation can
  // name the ops that may have caused it.
  void note_op(int index, const char* op);
  // Throws lf::Error with the status name, aclGetRecentErrMsg() and the remedy.
  void check(int status, const char* call, const std::string& op = "");
  // Atlas A2/A3 (910B, 910_93xx): bf16 and fp32 cube matmul supported.
  bool bf16_supported();
  std::string soc_name();

 private:
  void start();
  static std::string probe_soc();
  static bool soc_has_bf16(const std::string& soc);
  void set_device(int index);
  std::once_flag started_;
  Probe probe_;
  std::mutex mu_;
  std::vector<aclrtStream> streams_;
  std::vector<std::vector<std::string>> pending_;  // ops queued since the last sync
};

// The process's runtime (owned by core's registry once registered).
AscendRuntime& runtime();

}  // namespace lf::ascend
