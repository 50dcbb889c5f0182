// Var: a tensor value plus, when gradients flow into it, a handle to its node
// on the tape. A Var without a node is a constant to autograd: inputs, labels,
// frozen weights, and everything computed in no-grad mode. Copies are cheap
// and share the value's storage and the node.
#pragma once
#include <memory>

#include "core/tensor.h"

namespace lf::ag {

struct Node;

class Var {
 public:
  Var() = default;
  // A constant: no gradient is ever computed for it (nor any work spent on one).
  explicit Var(Tensor value) : value_(std::move(value)) {}
  // A trainable parameter: a leaf whose gradient accumulates in an f32
  // tensor across backward calls until clear_grad().
  static Var parameter(Tensor value);
  // Tape internals: a value produced by the op recorded in `node`.
  Var(Tensor value, std::shared_ptr<Node> node)
      : value_(std::move(value)), node_(std::move(node)) {}

  bool defined() const { return value_.defined(); }
  const Tensor& value() const { return value_; }
  const Shape& shape() const { return value_.shape(); }
  DType dtype() const { return value_.dtype(); }
  bool requires_grad() const { return node_ != nullptr; }
  bool is_parameter() const;

  // The accumulated f32 gradient of a parameter; undefined until a backward
  // reaches it. The tensor may be updated in place (clipping, all-reduce).
  const Tensor& grad() const;
  // Drops the accumulated gradient (its memory goes back to the allocator).
  void clear_grad();

  const std::shared_ptr<Node>& node() const { return node_; }

 private:
  Tensor value_;
  std::shared_ptr<Node> node_;
};

}  // namespace lf::ag
