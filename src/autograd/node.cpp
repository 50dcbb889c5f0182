#include "autograd/node.h"

#include <atomic>

#include "core/error.h"
#include "ops/ops.h"

namespace lf::ag {
namespace {
std::atomic<uint64_t> g_seq{1};
}  // namespace

uint64_t next_seq() { return g_seq.load(); }

std::shared_ptr<Node> new_node(NodeKind kind, const char* name, const Tensor& value) {
  auto n = std::make_shared<Node>();
  n->kind = kind;
  n->name = name;
  n->seq = g_seq.fetch_add(1);
  n->shape = value.shape();
  n->device = value.device();
  return n;
}

void accumulate(Node& n, const Tensor& g) {
  LF_CHECK(g.shape() == n.shape, "autograd: the gradient rule of an op produced ", g.describe(),
           " for the output of '", n.name, "' of shape ", shape_str(n.shape));
  if (n.grad.defined()) {
    if (n.grad_owned) {
      ops::add_(n.grad, g);
    } else {
      n.grad = ops::add(n.grad, g);
      n.grad_owned = true;
    }
  } else if (n.kind == NodeKind::parameter) {
    // Parameters own an f32 accumulator from the first gradient on.
    n.grad = g.dtype() == DType::f32 ? g.clone() : ops::cast(g, DType::f32);
    n.grad_owned = true;
  } else {
    n.grad = g;
    n.grad_owned = false;
  }
}

}  // namespace lf::ag
