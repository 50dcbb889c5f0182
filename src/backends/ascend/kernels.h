// Small typed wrappers over single aclnn kernels, shared by the op files.
// Each launches on the device of its output; outputs are preallocated.
#pragma once
#include <vector>

#include "backends/ascend/aclnn.h"
#include "core/tensor.h"

namespace lf::ascend::k {

inline int dev(const Tensor& t) { return t.device().index; }
// A new tensor on t's device.
Tensor like(const Tensor& t, const Shape& shape, DType dtype);
// t itself when f32, else an f32 copy (aclnnCast).
Tensor f32(const Tensor& t);
// A view of contiguous t with other dims (same elements).
AclTensor reshaped(const Tensor& t, const Shape& dims);

void cast(const Tensor& src, Tensor& dst);                            // aclnnCast
void copy(const Tensor& src, Tensor& dst);                            // aclnnInplaceCopy
void fill(Tensor& t, double v);                                       // aclnnInplaceFillScalar
void muls(const Tensor& x, double s, Tensor& out);                    // aclnnMuls
void add(const Tensor& a, const Tensor& b, double alpha, Tensor& out);// aclnnAdd: a + alpha*b
void sub(const Tensor& a, const Tensor& b, Tensor& out);              // aclnnSub
void mul(const Tensor& a, const Tensor& b, Tensor& out);              // aclnnMul
void inplace_add(Tensor& acc, const Tensor& b, double alpha);         // aclnnInplaceAdd
void inplace_muls(Tensor& t, double s);                               // aclnnInplaceMuls
void adds(const Tensor& x, double c, Tensor& out);                    // aclnnAdds
void clamp(const Tensor& x, double lo, double hi, Tensor& out);       // aclnnClamp
void exp(const Tensor& x, Tensor& out);                               // aclnnExp
// Sum over `dims` into f32 out (aclnnReduceSum).
void reduce_sum(const Tensor& x, const std::vector<int64_t>& dims, bool keep, Tensor& out);

}  // namespace lf::ascend::k
