// Registers Gloo as the collective engine of the cpu family.
#pragma once

namespace lf::cpu {

void register_gloo_collective();

}  // namespace lf::cpu
