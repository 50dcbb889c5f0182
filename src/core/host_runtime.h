// The host (CPU) runtime: aligned heap memory and memcpy. It lives in core
// because every tensor starts or ends on the host.
#pragma once
#include <memory>

#include "core/runtime.h"

namespace lf {

std::unique_ptr<DeviceRuntime> make_host_runtime();

// Gathers a strided host view into contiguous memory (element strides).
void host_copy_strided(void* dst, const void* src_base, DType dtype,
                       const std::vector<int64_t>& shape, const std::vector<int64_t>& strides,
                       int64_t offset);

// Facts about the host CPU for `env` and for kernel selection.
struct CpuFeatures {
  std::string model;
  int cores = 0;  // logical CPUs this process may run on
  bool avx2 = false, avx512f = false, avx512_bf16 = false, amx = false, neon = false;
  std::string isa_flags() const;  // "avx2 avx512f" or "neon" or "baseline"
};
const CpuFeatures& cpu_features();

}  // namespace lf
