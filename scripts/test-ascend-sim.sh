#!/usr/bin/env bash
# The Ascend NPU backend against the CPU-simulated CANN (tests/cann_sim): its
# own build directory, only the test binaries that matter, then the ascend
# tests and the op conformance suite (which compares every op on the
# simulated npu devices against the CPU). Called by `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${ASCEND_SIM_BUILD:-build-ascend-sim}
JOBS=${JOBS:-$(nproc)}

cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DLLAMAFACTORY_ASCEND_SIM=ON \
  -DLLAMAFACTORY_BENCH=OFF >/dev/null
cmake --build "$BUILD" -j "$JOBS" --target test_cann_sim test_ascend test_ops test_ascend_train llamafactory-cli

# What `source set_env.sh` does on a real host: point at the toolkit.
export ASCEND_TOOLKIT_HOME="$PWD/$BUILD/cann-sim"
cd "$BUILD"
ctest --output-on-failure -j "$JOBS" -L 'ascend|ops'
