#include "backends/cpu/cpu_backend.h"

#include <dnnl.hpp>

namespace lf::cpu {

std::vector<std::pair<std::string, std::string>> CpuBackend::env_lines() const {
  const dnnl_version_t* v = dnnl_version();
  return {{"oneDNN version", std::to_string(v->major) + "." + std::to_string(v->minor) + "." +
                                 std::to_string(v->patch)}};
}

CpuBackend& cpu_backend() {
  static CpuBackend b;
  return b;
}

}  // namespace lf::cpu
