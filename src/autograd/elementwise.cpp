// Gradient rules of the elementwise ops: linear ones pass the gradient
// through (scaled), mul needs the other operand, cast converts back.
#include "autograd/functions.h"
#include "autograd/grad_mode.h"
#include "autograd/random.h"
#include "autograd/tape.h"

namespace lf::ag {

namespace {

// s * g without a pass over memory when s is 1.
Tensor scaled(const Tensor& g, float s) { return s == 1.0f ? g : ops::scale(g, s); }

}  // namespace

Var add(const Var& a, const Var& b, float alpha, float beta) {
  // Unread (grad_mode.h): the node without the sum, when its shape is plain.
  const bool skip = output_unread() && a.value().shape() == b.value().shape() && a.dtype() == b.dtype();
  Tensor out = skip ? Tensor::empty(a.value().shape(), a.dtype(), a.value().device())
                    : ops::add(a.value(), b.value(), alpha, beta);
  return record("add", std::move(out), {a, b},
                [alpha, beta](const Tensor& dout, Grads& g) {
                  if (g.wants(0)) g.add(0, scaled(dout, alpha));
                  if (g.wants(1)) g.add(1, scaled(dout, beta));
                });
}

Var mul(const Var& a, const Var& b) {
  Tensor as = b.requires_grad() ? a.value() : Tensor();
  Tensor bs = a.requires_grad() ? b.value() : Tensor();
  return record("mul", ops::mul(a.value(), b.value()), {a, b},
                [as, bs](const Tensor& dout, Grads& g) {
                  if (g.wants(0)) g.add(0, ops::mul(dout, bs));
                  if (g.wants(1)) g.add(1, ops::mul(dout, as));
                });
}

Var scale(const Var& x, float s) {
  return record("scale", ops::scale(x.value(), s), {x},
                [s](const Tensor& dout, Grads& g) { g.add(0, scaled(dout, s)); });
}

Var cast(const Var& x, DType dtype) {
  if (x.dtype() == dtype) return x;
  DType from = x.dtype();
  return record("cast", ops::cast(x.value(), dtype), {x}, [from](const Tensor& dout, Grads& g) {
    g.add(0, dout.dtype() == from ? dout : ops::cast(dout, from));
  });
}

Var dropout(const Var& x, float p) {
  if (p == 0.0f) return x;
  uint64_t seed = next_dropout_seed();
  return record("dropout", ops::dropout(x.value(), p, seed), {x},
                [p, seed](const Tensor& dout, Grads& g) {
                  // Same seed, same mask, same 1/(1-p) scale: dropout is its own gradient.
                  g.add(0, ops::dropout(dout, p, seed));
                });
}

}  // namespace lf::ag
