#include "backends/ascend/kernels.h"

#include "aclnnop/aclnn_add.h"
#include "aclnnop/aclnn_cast.h"
#include "aclnnop/aclnn_clamp.h"
#include "aclnnop/aclnn_copy.h"
#include "aclnnop/aclnn_exp.h"
#include "aclnnop/aclnn_fill_scalar.h"
#include "aclnnop/aclnn_mul.h"
#include "aclnnop/aclnn_reduce_sum.h"
#include "aclnnop/aclnn_sub.h"

namespace lf::ascend::k {

Tensor like(const Tensor& t, const Shape& shape, DType dtype) {
  return Tensor::empty(shape, dtype, t.device());
}

Tensor f32(const Tensor& t) {
  if (t.dtype() == DType::f32) return t;
  Tensor out = like(t, t.shape(), DType::f32);
  cast(t, out);
  return out;
}

AclTensor reshaped(const Tensor& t, const Shape& dims) {
  return AclTensor(t, dims, contiguous_strides(dims), t.offset());
}

void cast(const Tensor& src, Tensor& dst) {
  AclTensor s(src), d(dst);
  LF_ACLNN(dev(dst), Cast, s.get(), acl_dtype(dst.dtype()), d.get());
}

void copy(const Tensor& src, Tensor& dst) {
  AclTensor s(src), d(dst);
  LF_ACLNN(dev(dst), InplaceCopy, d.get(), s.get());
}

void fill(Tensor& t, double v) {
  AclTensor d(t);
  AclScalar s(v);
  LF_ACLNN(dev(t), InplaceFillScalar, d.get(), s.get());
}

void muls(const Tensor& x, double s, Tensor& out) {
  AclTensor a(x), o(out);
  AclScalar k(s);
  LF_ACLNN(dev(out), Muls, a.get(), k.get(), o.get());
}

void add(const Tensor& a, const Tensor& b, double alpha, Tensor& out) {
  AclTensor ta(a), tb(b), o(out);
  AclScalar k(alpha);
  LF_ACLNN(dev(out), Add, ta.get(), tb.get(), k.get(), o.get());
}

void sub(const Tensor& a, const Tensor& b, Tensor& out) {
  AclTensor ta(a), tb(b), o(out);
  AclScalar one(1.0);
  LF_ACLNN(dev(out), Sub, ta.get(), tb.get(), one.get(), o.get());
}

void mul(const Tensor& a, const Tensor& b, Tensor& out) {
  AclTensor ta(a), tb(b), o(out);
  LF_ACLNN(dev(out), Mul, ta.get(), tb.get(), o.get());
}

void inplace_add(Tensor& acc, const Tensor& b, double alpha) {
  AclTensor ta(acc), tb(b);
  AclScalar k(alpha);
  LF_ACLNN(dev(acc), InplaceAdd, ta.get(), tb.get(), k.get());
}

void inplace_muls(Tensor& t, double s) {
  AclTensor a(t);
  AclScalar k(s);
  LF_ACLNN(dev(t), InplaceMuls, a.get(), k.get());
}

void adds(const Tensor& x, double c, Tensor& out) {
  bool ints = x.dtype() == DType::i32 || x.dtype() == DType::i64;
  AclTensor a(x), o(out);
  AclScalar v(c, ints ? ACL_INT64 : ACL_FLOAT), one(1.0, ints ? ACL_INT64 : ACL_FLOAT);
  LF_ACLNN(dev(out), Adds, a.get(), v.get(), one.get(), o.get());
}

void clamp(const Tensor& x, double lo, double hi, Tensor& out) {
  bool ints = x.dtype() == DType::i32 || x.dtype() == DType::i64;
  AclTensor a(x), o(out);
  AclScalar l(lo, ints ? ACL_INT64 : ACL_FLOAT), h(hi, ints ? ACL_INT64 : ACL_FLOAT);
  LF_ACLNN(dev(out), Clamp, a.get(), l.get(), h.get(), o.get());
}

void exp(const Tensor& x, Tensor& out) {
  AclTensor a(x), o(out);
  LF_ACLNN(dev(out), Exp, a.get(), o.get());
}

void reduce_sum(const Tensor& x, const std::vector<int64_t>& dims, bool keep, Tensor& out) {
  AclTensor a(x), o(out);
  AclIntArray d(dims);
  LF_ACLNN(dev(out), ReduceSum, a.get(), d.get(), keep, ACL_FLOAT, o.get());
}

}  // namespace lf::ascend::k
