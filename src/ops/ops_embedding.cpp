// Token embedding lookup and its dense gradient.
#include "ops/ops.h"
#include "ops/ops_check.h"

namespace lf::ops {

Tensor embedding(const Tensor& ids, const Tensor& weight) {
  Device d = detail::common_device("embedding", {{"ids", ids}, {"weight", weight}});
  detail::require_index("embedding", {"ids", ids});
  detail::require_float("embedding", {"weight", weight});
  detail::require_dim("embedding", {"weight", weight}, 2);
  Shape shape = ids.shape();
  shape.push_back(weight.size(1));
  Tensor out = Tensor::empty(shape, weight.dtype(), d);
  if (out.numel())
    backend_for(d).embedding(ids.contiguous().reshape({-1}), weight.contiguous(), out);
  return out;
}

void embedding_backward_(Tensor& dweight_f32, const Tensor& ids, const Tensor& dout) {
  const char* op = "embedding_backward_";
  Device d = detail::common_device(op, {{"dweight", dweight_f32}, {"ids", ids}, {"dout", dout}});
  detail::require_index(op, {"ids", ids});
  detail::require_float(op, {"dout", dout});
  detail::require_dim(op, {"dweight", dweight_f32}, 2);
  LF_CHECK(dweight_f32.dtype() == DType::f32 && dweight_f32.is_contiguous(), op,
           ": dweight must be contiguous float32, got ", dweight_f32.describe());
  Shape expect = ids.shape();
  expect.push_back(dweight_f32.size(1));
  detail::require_shape(op, {"dout", dout}, expect);
  if (dout.numel())
    backend_for(d).embedding_backward(ids.contiguous().reshape({-1}), dout.contiguous(), dweight_f32);
}

}  // namespace lf::ops
