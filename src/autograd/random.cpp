#include "autograd/random.h"

namespace lf::ag {
namespace {
thread_local uint64_t t_state = 0x853c49e6748fea9bULL;
}  // namespace

uint64_t rng_state() { return t_state; }

void set_rng_state(uint64_t state) { t_state = state; }

uint64_t next_dropout_seed() {
  // splitmix64: consecutive states give well-mixed, distinct seeds.
  uint64_t z = (t_state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace lf::ag
