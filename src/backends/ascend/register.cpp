#include <memory>

#include "backends/ascend/backend.h"
#include "backends/ascend/hccl_collective.h"
#include "backends/ascend/runtime.h"
#include "core/error.h"

namespace lf::ascend {
namespace {
AscendRuntime* g_runtime = nullptr;
}  // namespace

AscendRuntime& runtime() {
  LF_CHECK(g_runtime, "the Ascend backend is used before ops::init_backends() registered it");
  return *g_runtime;
}

void register_backend() {
  auto rt = std::make_unique<AscendRuntime>();
  g_runtime = rt.get();
  register_runtime(std::move(rt));
  static AscendBackend backend;
  ops::register_backend(DeviceType::npu, &backend);
  register_hccl_collective();
}

}  // namespace lf::ascend
