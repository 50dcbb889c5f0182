// Points the test process (and the llamafactory-cli processes it starts) at
// the simulated toolkit with two NPUs, as `source set_env.sh` would on a host.
// Done here rather than through ctest's ENVIRONMENT property because
// gtest_discover_tests splits a multi-variable ENVIRONMENT list apart.
#include <cstdlib>

namespace {
const bool sim_environment_set = [] {
  setenv("ASCEND_TOOLKIT_HOME", CANN_SIM_HOME, 0);
  setenv("CANN_SIM_DEVICES", "2", 0);
  return true;
}();
}  // namespace
