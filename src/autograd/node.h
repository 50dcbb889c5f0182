// Node: one entry of the tape. Internal to autograd; code above sees Vars.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "core/tensor.h"

namespace lf::ag {

class Grads;
// The gradient rule of one op: given the gradient of its output (contiguous,
// same shape as the output), hands the gradients of the inputs that want one
// to `grads`. Saved tensors are the closure's captures, so dropping the
// closure frees them.
using BackwardFn = std::function<void(const Tensor& dout, Grads& grads)>;

enum class NodeKind {
  parameter,  // leaf; f32 gradient kept after backward
  input,      // leaf standing in for a checkpoint's input during its re-run
  op,         // produced by a recorded op; has a backward rule until consumed
  untracked,  // produced inside a checkpoint's forward: requires grad, no history
};

struct Node {
  NodeKind kind = NodeKind::op;
  const char* name = "";  // op name, for errors
  uint64_t seq = 0;       // creation order: inputs always have a smaller seq
  Shape shape;            // of the value, to check incoming gradients
  Device device;

  Tensor grad;              // accumulated gradient of the value
  bool grad_owned = false;  // grad was allocated here (safe to add into in place)

  std::vector<std::shared_ptr<Node>> inputs;  // null where no gradient is wanted
  BackwardFn backward;                        // empty for leaves and once consumed
  // A checkpoint's: the parameters its body reads. Its re-run adds their
  // gradients directly, though they are not inputs; a walk that reports
  // finished gradients (grad_ready.h) must know they are written here.
  std::vector<std::shared_ptr<Node>> captured;
};

// The sequence number the next node will get.
uint64_t next_seq();

// A fresh node with the next sequence number.
std::shared_ptr<Node> new_node(NodeKind kind, const char* name, const Tensor& value);

// Adds g into n.grad: f32 accumulation for parameters, otherwise the first
// gradient is kept as is (no copy) and later ones are summed into a new or
// owned tensor, so a gradient tensor shared by two inputs is never modified.
void accumulate(Node& n, const Tensor& g);

}  // namespace lf::ag
