// Recording ops and running backward. A differentiable function computes its
// value with ops::, then calls record() with its inputs and its gradient rule
// (the MLX pattern: evaluation and gradient in one place, see functions.h).
#pragma once
#include <initializer_list>

#include "autograd/grad_ready.h"
#include "autograd/node.h"
#include "autograd/var.h"

namespace lf::ag {

// What a gradient rule writes into: the gradients of its op's inputs.
class Grads {
 public:
  explicit Grads(Node& node) : node_(node) {}
  // Whether input i needs a gradient. A rule skips all work for the others:
  // this is how frozen weights cost no weight-gradient products.
  bool wants(size_t i) const;
  // Adds g (shape of input i, any float dtype, contiguous) to input i's gradient.
  void add(size_t i, const Tensor& g);
  // Input i's gradient as an f32 buffer owned by the tape, zero when fresh,
  // for ops that accumulate in place (dW += ..., embedding, norm weights).
  Tensor& accumulator(size_t i);

 private:
  Node& input(size_t i) const;
  Node& node_;
};

// Returns the Var for `value`, the result of op `name` on `inputs`. In record
// mode, when some input requires grad, it becomes a node whose backward is
// `fn`; otherwise `fn` (and every tensor it saved) is dropped at once.
Var record(const char* name, Tensor value, std::initializer_list<Var> inputs, BackwardFn fn);
// Records unconditionally (checkpoint knows better than its inputs whether
// its result requires grad).
Var record_node(const char* name, Tensor value, const std::vector<Var>& inputs, BackwardFn fn);

// Backpropagates from `root`, seeded with `grad` (default: ones; root is
// usually the scalar loss). Gradients accumulate into parameters; every other
// node's saved tensors and gradient are freed as soon as its rule has run, so
// the graph can be walked only once.
void backward(const Var& root, const Tensor& grad = Tensor());
// The same, calling hook.on_ready for each watched leaf once its gradient is
// final (grad_ready.h).
void backward(const Var& root, const Tensor& grad, const GradReadyHook& hook);

// The walk itself: nodes created before `min_seq` are outside the walk
// (checkpoint re-runs walk only the nodes they recreated). `hook`, when
// given, is told of finished gradients.
void run_backward(const Var& root, const Tensor& grad, uint64_t min_seq,
                  const GradReadyHook* hook = nullptr);

}  // namespace lf::ag
