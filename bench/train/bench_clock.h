// The benchmark's clock: wall time, or the process's CPU time. With one thread
// (OMP_NUM_THREADS=1) CPU time is what a step costs on an idle core whatever
// the machine's other load, so runs on a shared machine can be compared.
#pragma once

namespace lf::bench {

enum class Clock { wall, process_cpu };

void set_clock(Clock clock);
Clock clock();
double now_seconds();  // on the chosen clock, from an arbitrary origin

}  // namespace lf::bench
