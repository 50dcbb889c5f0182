// Finished gradients during backward: a walk can say when a leaf's gradient
// is final — every node of the walk that adds to it has run — so work on it
// (a data-parallel all-reduce) can start while the rest of backward runs.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <unordered_map>
#include <vector>

#include "autograd/node.h"
#include "autograd/var.h"

namespace lf::ag {

// The leaves one backward watches and what it calls for each. on_ready(i)
// runs on the backward's thread once leaves[i]'s gradient is final: when the
// last node that adds to it has run (a checkpoint counts as one node adding to
// every parameter its body reads, so a leaf used only inside recomputed
// scopes is signalled after the last of them). Leaves the walk does not reach
// are signalled when it ends, in index order; their gradient is whatever
// earlier backwards left (possibly undefined). Each leaf is signalled exactly
// once per backward.
struct GradReadyHook {
  std::vector<Var> leaves;
  std::function<void(size_t leaf)> on_ready;
};

// The bookkeeping of one walk (internal to run_backward).
class ReadyTracker {
 public:
  // `order` is the walk's nodes; counts each watched leaf's contributors.
  ReadyTracker(const GradReadyHook& hook, const std::vector<std::shared_ptr<Node>>& order);
  // After n's rule has run (or was skipped for want of a gradient), before
  // its edges are released: signals the leaves n was the last contributor to.
  void done(const Node& n);
  // Signals the leaves not signalled yet (never reached).
  void finish();

 private:
  template <typename F>
  void for_watched(const Node& n, F f);
  void signal(size_t leaf);

  const GradReadyHook& hook_;
  std::unordered_map<const Node*, size_t> index_;  // watched leaf → its index
  std::vector<int64_t> pending_;                   // contributors still to run
  std::vector<char> signalled_;
};

}  // namespace lf::ag
