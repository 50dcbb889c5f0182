// Registers every backend compiled into this binary with ops/ and core/.
#include <mutex>

#include "ops/backend.h"

namespace lf::ops {

void init_backends() {
  static std::once_flag once;
  std::call_once(once, [] {});
}

}  // namespace lf::ops
