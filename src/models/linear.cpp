#include "models/linear.h"

#include "autograd/functions.h"

namespace lf::models {

ag::Var Linear::forward(const ag::Var& x) const {
  ag::Var y = ag::linear(x, weight, bias);
  return adapter ? adapter->apply(x, y) : y;
}

}  // namespace lf::models
