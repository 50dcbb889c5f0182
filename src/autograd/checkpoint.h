// Gradient checkpointing: checkpoint(fn, inputs) runs fn once without saving
// any activation inside it (only `inputs` are kept), and runs it again with
// recording inside backward to get its gradients. Used per decoder layer, it
// trades one extra forward for O(layers) instead of O(layers x activations)
// memory.
//
// Rules for fn: it must compute the same thing when run again (dropout draws
// the same masks: the seed stream is restored), every Var it uses that was
// computed by a recorded op must come through `inputs` (parameters and
// constants may be captured), and whatever it captures must outlive backward.
#pragma once
#include <functional>
#include <vector>

#include "autograd/var.h"

namespace lf::ag {

using CheckpointFn = std::function<Var(const std::vector<Var>& inputs)>;

Var checkpoint(const CheckpointFn& fn, const std::vector<Var>& inputs);

}  // namespace lf::ag
