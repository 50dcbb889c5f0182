#include "bench_clock.h"

#include <time.h>

namespace lf::bench {
namespace {
Clock g_clock = Clock::wall;
}  // namespace

void set_clock(Clock clock) { g_clock = clock; }
Clock clock() { return g_clock; }

double now_seconds() {
  timespec ts{};
  clock_gettime(g_clock == Clock::wall ? CLOCK_MONOTONIC : CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

}  // namespace lf::bench
