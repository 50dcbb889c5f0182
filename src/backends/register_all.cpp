// Registers every backend compiled into this binary with ops/. The CPU backend
// is always present; accelerator families add their line under their build flag.
#include <mutex>

#include "backends/cpu/cpu_backend.h"
#include "backends/cpu/cpu_collective_gloo.h"
#include "ops/backend.h"
#ifdef LF_WITH_ASCEND
#include "backends/ascend/backend.h"
#endif

namespace lf::ops {

void init_backends() {
  static std::once_flag once;
  std::call_once(once, [] {
    register_backend(DeviceType::cpu, &cpu::cpu_backend());
    cpu::register_gloo_collective();
    // Accelerator backends register here, each under its build flag:
#ifdef LF_WITH_ASCEND
    ascend::register_backend();
#endif
#ifdef LF_WITH_CUDA
#endif
  });
}

}  // namespace lf::ops
