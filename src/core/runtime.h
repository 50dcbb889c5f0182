// A device runtime is what a backend tells core about its device family:
// how many devices are visible (and why none are), raw memory, copies and
// synchronisation. Backends register one runtime per family; code above
// ops/ reaches devices only through Device values and these functions.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/device.h"
#include "core/dtype.h"

namespace lf {

struct DeviceInfo {
  std::string name;           // "Ascend910B2", "NVIDIA H100", CPU model
  size_t total_bytes = 0;
  size_t free_bytes = 0;
};

class DeviceRuntime {
 public:
  virtual ~DeviceRuntime() = default;
  virtual DeviceType type() const = 0;
  // Devices visible to this process after the visibility variable.
  virtual int device_count() = 0;
  // When device_count() is 0: why (no driver, no toolkit, hidden by a variable).
  virtual std::string unavailable_reason() { return ""; }
  // Name of the visibility variable this family honours ("" for cpu).
  virtual const char* visibility_variable() const { return ""; }
  virtual DeviceInfo info(int index) = 0;
  // Whether the device computes in this dtype natively (910A-class NPUs have
  // no bf16); callers choose another compute dtype when it does not.
  virtual bool supports_dtype(int /*index*/, DType /*dtype*/) { return true; }
  // Lines for `llamafactory-cli env` (key, value), e.g. {"NPU type", "Ascend910B2"}.
  virtual std::vector<std::pair<std::string, std::string>> env_lines() = 0;

  // Raw memory: the caching allocator above calls these rarely.
  virtual void* raw_alloc(int index, size_t bytes) = 0;
  virtual void raw_free(int index, void* ptr) = 0;
  virtual void copy_from_host(int index, void* dst, const void* src, size_t bytes) = 0;
  virtual void copy_to_host(int index, void* dst, const void* src, size_t bytes) = 0;
  virtual void copy_on_device(int index, void* dst, const void* src, size_t bytes) = 0;
  virtual void synchronize(int index) = 0;
  // Gathers a strided view (element strides and offset from src_base) into
  // contiguous dst on the same device.
  virtual void copy_strided(int index, void* dst, const void* src_base, DType dtype,
                            const std::vector<int64_t>& shape,
                            const std::vector<int64_t>& strides, int64_t offset) = 0;
  // Converts n contiguous elements between dtypes on the device.
  virtual void convert(int index, void* dst, DType dst_type, const void* src, DType src_type,
                       size_t n) = 0;
};

// Registration (called by backends at start-up) and lookup.
void register_runtime(std::unique_ptr<DeviceRuntime> rt);
// nullptr when the family is not compiled in.
DeviceRuntime* find_runtime(DeviceType t);
// Throws a clear error when the family is not compiled or the index is not visible.
DeviceRuntime& runtime_for(const Device& d);

// Resolves a `device` setting: auto | cpu | npu | npu:N | cuda | cuda:N.
// auto = the first NPU if any is visible, else the first CUDA GPU, else cpu.
Device resolve_device(const std::string& setting);

}  // namespace lf
