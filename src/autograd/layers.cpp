// Gradient rules of the fused layer ops; each backward is one fused op.
#include <memory>
#include <vector>

#include "autograd/functions.h"
#include "autograd/tape.h"

namespace lf::ag {

Var rms_norm(const Var& x, const Var& w, float eps) {
  ops::RmsNormOut r = ops::rms_norm(x.value(), w.value(), eps);
  return record(
      "rms_norm", std::move(r.y), {x, w},
      [xs = x.value(), ws = w.value(), rstd = std::move(r.rstd)](const Tensor& dy, Grads& g) {
        Tensor no_dw;
        Tensor& dw = g.wants(1) ? g.accumulator(1) : no_dw;
        Tensor dx = ops::rms_norm_backward(dy, xs, ws, rstd, dw);
        if (g.wants(0)) g.add(0, dx);
      });
}

Var rope(const Var& x, const Tensor& positions, const ops::RopeParams& p) {
  Tensor y = ops::rope(x.value(), positions, p);
  // Keep a private copy of the frequencies: backward may run long after the
  // caller's array is gone.
  std::shared_ptr<std::vector<float>> inv_freq;
  if (p.inv_freq) {
    int64_t rotary = p.rotary_dim ? p.rotary_dim : x.value().size(-1);
    inv_freq = std::make_shared<std::vector<float>>(p.inv_freq, p.inv_freq + rotary / 2);
  }
  return record("rope", std::move(y), {x}, [positions, p, inv_freq](const Tensor& dy, Grads& g) {
    ops::RopeParams params = p;
    params.inv_freq = inv_freq ? inv_freq->data() : nullptr;
    // A rotation's gradient is the inverse rotation.
    g.add(0, ops::rope(dy, positions, params, /*inverse=*/true));
  });
}

Var swiglu(const Var& gate, const Var& up) {
  return record("swiglu", ops::swiglu(gate.value(), up.value()), {gate, up},
                [gs = gate.value(), us = up.value()](const Tensor& dout, Grads& g) {
                  Tensor dgate, dup;
                  ops::swiglu_backward(dout, gs, us, dgate, dup);
                  if (g.wants(0)) g.add(0, dgate);
                  if (g.wants(1)) g.add(1, dup);
                });
}

Var activation(ops::Activation kind, const Var& x) {
  return record("activation", ops::activation(kind, x.value()), {x},
                [kind, xs = x.value()](const Tensor& dy, Grads& g) {
                  g.add(0, ops::activation_backward(kind, dy, xs));
                });
}

}  // namespace lf::ag
