#include "autograd/var.h"

#include "autograd/node.h"
#include "core/error.h"

namespace lf::ag {

Var Var::parameter(Tensor value) {
  LF_CHECK(value.defined() && is_floating(value.dtype()),
           "a trainable parameter must be a floating-point tensor, got ", value.describe());
  auto node = new_node(NodeKind::parameter, "parameter", value);
  return Var(std::move(value), std::move(node));
}

bool Var::is_parameter() const { return node_ && node_->kind == NodeKind::parameter; }

const Tensor& Var::grad() const {
  LF_CHECK(is_parameter(), "grad() of ", value_.describe(),
           ": only parameters (Var::parameter) keep a gradient after backward");
  return node_->grad;
}

void Var::clear_grad() {
  LF_CHECK(is_parameter(), "clear_grad() of ", value_.describe(), ": not a parameter");
  node_->grad = Tensor();
}

}  // namespace lf::ag
