// Gradient rules of views: the gradient of a view is the output gradient
// routed back to the viewed elements of the input, laid out contiguously.
#include "autograd/functions.h"
#include "autograd/tape.h"

namespace lf::ag {

Var view(const Var& x, const Shape& shape) {
  return record("view", x.value().view(shape), {x},
                [in = x.shape()](const Tensor& dout, Grads& g) { g.add(0, dout.view(in)); });
}

Var reshape(const Var& x, const Shape& shape) {
  return record("reshape", x.value().reshape(shape), {x},
                [in = x.shape()](const Tensor& dout, Grads& g) { g.add(0, dout.view(in)); });
}

Var transpose(const Var& x, int64_t d0, int64_t d1) {
  return record("transpose", x.value().transpose(d0, d1), {x},
                [d0, d1](const Tensor& dout, Grads& g) {
                  g.add(0, ops::contiguous(dout.transpose(d0, d1)));
                });
}

Var slice(const Var& x, int64_t dim, int64_t start, int64_t end) {
  return record("slice", x.value().slice(dim, start, end), {x},
                [in = x.shape(), dim, start, end](const Tensor& dout, Grads& g) {
                  Tensor dx = ops::zeros(in, dout.dtype(), dout.device());
                  Tensor part = dx.slice(dim, start, end);
                  ops::copy_(part, dout);
                  g.add(0, dx);
                });
}

Var contiguous(const Var& x) {
  return record("contiguous", ops::contiguous(x.value()), {x},
                [](const Tensor& dout, Grads& g) { g.add(0, dout); });
}

}  // namespace lf::ag
