#include "models/linear.h"

#include "autograd/functions.h"

namespace lf::models {

ag::Var LinearAdapter::forward(const Linear& base, const ag::Var& x) const {
  return apply(x, ag::linear(x, base.weight_as(x.dtype()), base.bias_as(x.dtype())));
}

ag::Var Linear::weight_as(DType dtype) const { return ag::cast(weight, dtype); }

ag::Var Linear::bias_as(DType dtype) const { return bias.defined() ? ag::cast(bias, dtype) : bias; }

ag::Var Linear::forward(const ag::Var& x) const {
  if (adapter) return adapter->forward(*this, x);
  return ag::linear(x, weight_as(x.dtype()), bias_as(x.dtype()));
}

}  // namespace lf::models
