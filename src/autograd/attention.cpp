// Gradient rule of attention: the flash-style backward recomputes scores
// from q, k, v and the saved log-sum-exp, so nothing O(T^2) is saved.
#include "autograd/functions.h"
#include "autograd/tape.h"

namespace lf::ag {

Var attention(const Var& q, const Var& k, const Var& v, const ops::AttentionParams& p) {
  ops::AttentionOut r = ops::attention(q.value(), k.value(), v.value(), p);
  Tensor out = r.out;
  return record("attention", std::move(r.out), {q, k, v},
                [qs = q.value(), ks = k.value(), vs = v.value(), out, lse = std::move(r.lse), p](
                    const Tensor& dout, Grads& g) {
                  ops::AttentionGrads d = ops::attention_backward(dout, qs, ks, vs, out, lse, p);
                  if (g.wants(0)) g.add(0, d.dq);
                  if (g.wants(1)) g.add(1, d.dk);
                  if (g.wants(2)) g.add(2, d.dv);
                });
}

}  // namespace lf::ag
