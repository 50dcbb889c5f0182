// The stream of dropout seeds (per thread). Dropout masks are a function of
// (seed, element index), so a seed is all a dropout has to remember; a
// checkpoint re-run restores the stream so it draws the same masks, and the
// trainer saves and restores the state to resume a run exactly.
#pragma once
#include <cstdint>

namespace lf::ag {

uint64_t rng_state();
void set_rng_state(uint64_t state);
// The next dropout seed (advances the state).
uint64_t next_dropout_seed();

}  // namespace lf::ag
