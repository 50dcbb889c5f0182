#include "autograd/grad_ready.h"

#include "core/error.h"

namespace lf::ag {

template <typename F>
void ReadyTracker::for_watched(const Node& n, F f) {
  for (const auto* edges : {&n.inputs, &n.captured}) {
    for (const auto& in : *edges) {
      if (!in || in->kind != NodeKind::parameter) continue;
      auto it = index_.find(in.get());
      if (it != index_.end()) f(it->second);
    }
  }
}

ReadyTracker::ReadyTracker(const GradReadyHook& hook, const std::vector<std::shared_ptr<Node>>& order)
    : hook_(hook), pending_(hook.leaves.size(), 0), signalled_(hook.leaves.size(), 0) {
  index_.reserve(hook.leaves.size());
  for (size_t i = 0; i < hook.leaves.size(); ++i) {
    const Var& v = hook.leaves[i];
    LF_CHECK(v.is_parameter(), "a gradient-ready hook watches parameters, got ",
             v.value().describe());
    LF_CHECK(index_.emplace(v.node().get(), i).second, "a gradient-ready hook watches leaf ", i,
             " twice");
  }
  for (const auto& n : order) {
    if (n->kind == NodeKind::op) for_watched(*n, [&](size_t i) { ++pending_[i]; });
  }
}

void ReadyTracker::done(const Node& n) {
  if (n.kind != NodeKind::op) return;
  for_watched(n, [&](size_t i) {
    if (--pending_[i] == 0) signal(i);
  });
}

void ReadyTracker::finish() {
  for (size_t i = 0; i < signalled_.size(); ++i) {
    if (!signalled_[i]) signal(i);
  }
}

void ReadyTracker::signal(size_t leaf) {
  signalled_[leaf] = 1;
  if (hook_.on_ready) hook_.on_ready(leaf);
}

}  // namespace lf::ag
