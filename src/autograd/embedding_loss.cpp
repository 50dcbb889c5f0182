// Gradient rules that scatter into a weight (embedding) or reduce over the
// vocabulary in chunks (the loss): both accumulate into the weight's f32
// gradient in place, and skip it entirely when the weight is frozen.
#include "autograd/functions.h"
#include "autograd/tape.h"

namespace lf::ag {

Var embedding(const Tensor& ids, const Var& weight) {
  return record("embedding", ops::embedding(ids, weight.value()), {weight},
                [ids](const Tensor& dout, Grads& g) {
                  ops::embedding_backward_(g.accumulator(0), ids, dout);
                });
}

Var linear_cross_entropy(const Var& hidden, const Var& weight, const Tensor& labels,
                         int64_t chunk) {
  ops::LinearCrossEntropyOut r =
      ops::linear_cross_entropy(hidden.value(), weight.value(), labels, chunk);
  return record("linear_cross_entropy", std::move(r.loss), {hidden, weight},
                [hs = hidden.value(), ws = weight.value(), labels, lse = std::move(r.lse),
                 count = r.count, chunk](const Tensor& dloss, Grads& g) {
                  Tensor no_dw;
                  Tensor& dw = g.wants(1) ? g.accumulator(1) : no_dw;
                  Tensor dh = ops::linear_cross_entropy_backward(hs, ws, labels, lse, count,
                                                                 dloss.item(), dw, chunk);
                  if (g.wants(0)) g.add(0, dh);
                });
}

}  // namespace lf::ag
