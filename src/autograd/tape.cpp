#include "autograd/tape.h"

#include <algorithm>
#include <optional>
#include <unordered_set>

#include "autograd/capture.h"
#include "autograd/grad_mode.h"
#include "core/error.h"
#include "ops/ops.h"

namespace lf::ag {

bool Grads::wants(size_t i) const { return i < node_.inputs.size() && node_.inputs[i]; }

Node& Grads::input(size_t i) const {
  LF_CHECK(wants(i), "autograd: the gradient rule of '", node_.name, "' wrote input ", i,
           ", which wants no gradient");
  return *node_.inputs[i];
}

void Grads::add(size_t i, const Tensor& g) { accumulate(input(i), g); }

Tensor& Grads::accumulator(size_t i) {
  Node& n = input(i);
  if (!n.grad.defined()) {
    n.grad = ops::zeros(n.shape, DType::f32, n.device);
  } else if (!n.grad_owned || n.grad.dtype() != DType::f32) {
    n.grad = n.grad.dtype() == DType::f32 ? n.grad.clone() : ops::cast(n.grad, DType::f32);
  }
  n.grad_owned = true;
  return n.grad;
}

Var record_node(const char* name, Tensor value, const std::vector<Var>& inputs, BackwardFn fn) {
  auto node = new_node(NodeKind::op, name, value);
  node->inputs.reserve(inputs.size());
  for (const Var& v : inputs) node->inputs.push_back(v.node());
  node->backward = std::move(fn);
  return Var(std::move(value), std::move(node));
}

Var record(const char* name, Tensor value, std::initializer_list<Var> inputs, BackwardFn fn) {
  GradMode mode = grad_mode();
  bool any =
      std::any_of(inputs.begin(), inputs.end(), [](const Var& v) { return v.requires_grad(); });
  if (mode == GradMode::off || !any) return Var(std::move(value));
  if (mode == GradMode::track) {
    // Inside a checkpoint's first forward: it must learn which parameters
    // its body reads (capture.h).
    for (const Var& v : inputs) ParameterCapture::note(v.node());
    auto node = new_node(NodeKind::untracked, name, value);
    return Var(std::move(value), std::move(node));
  }
  return record_node(name, std::move(value), std::vector<Var>(inputs), std::move(fn));
}

namespace {

// Every node reachable from root inside the walk, latest first: a node's
// inputs were created before it, so this is a reverse topological order.
std::vector<std::shared_ptr<Node>> collect(const std::shared_ptr<Node>& root, uint64_t min_seq) {
  std::vector<std::shared_ptr<Node>> order, stack{root};
  std::unordered_set<Node*> seen{root.get()};
  while (!stack.empty()) {
    std::shared_ptr<Node> n = std::move(stack.back());
    stack.pop_back();
    LF_CHECK(n->kind != NodeKind::untracked, "backward reached the result of '", n->name,
             "' computed inside a checkpoint without being its output; return it from the "
             "checkpointed function or compute it outside");
    if (n->kind == NodeKind::op) {
      LF_CHECK(n->seq >= min_seq, "backward inside a checkpoint reached '", n->name,
               "' computed outside it; pass that Var in the checkpoint's inputs");
      LF_CHECK(n->backward, "backward through '", n->name,
               "' a second time: its saved tensors were freed by the first backward; "
               "run the forward again");
      for (const auto& in : n->inputs) {
        if (in && seen.insert(in.get()).second) stack.push_back(in);
      }
    }
    order.push_back(std::move(n));
  }
  std::sort(order.begin(), order.end(),
            [](const auto& a, const auto& b) { return a->seq > b->seq; });
  return order;
}

}  // namespace

void run_backward(const Var& root, const Tensor& grad, uint64_t min_seq,
                  const GradReadyHook* hook) {
  LF_CHECK(root.requires_grad(), "backward of ", root.value().describe(),
           ": it does not require grad (no trainable parameter reaches it, or it was computed "
           "under NoGradGuard)");
  LF_CHECK(grad.shape() == root.shape(), "backward: seed gradient ", grad.describe(),
           " does not match ", root.value().describe());
  std::vector<std::shared_ptr<Node>> order = collect(root.node(), min_seq);
  std::optional<ReadyTracker> ready;
  if (hook) ready.emplace(*hook, order);
  accumulate(*root.node(), grad.contiguous());
  for (const auto& n : order) {
    if (n->kind != NodeKind::op) continue;
    if (n->grad.defined()) {
      Tensor dout = std::move(n->grad);
      Grads grads(*n);
      n->backward(dout, grads);
    }
    if (ready) ready->done(*n);
    // Release what this node holds as soon as its rule has run.
    n->backward = nullptr;
    n->grad = Tensor();
    n->grad_owned = false;
    n->inputs.clear();
    n->captured.clear();
  }
  if (ready) ready->finish();
}

namespace {

Tensor seed_or_ones(const Var& root, const Tensor& grad) {
  return grad.defined() ? grad : ops::full(root.shape(), 1.0f, root.dtype(), root.value().device());
}

}  // namespace

void backward(const Var& root, const Tensor& grad) {
  run_backward(root, seed_or_ones(root, grad), 0);
}

void backward(const Var& root, const Tensor& grad, const GradReadyHook& hook) {
  run_backward(root, seed_or_ones(root, grad), 0, &hook);
}

}  // namespace lf::ag
