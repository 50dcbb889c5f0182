// Hands a vector kernel typed element pointers: bf16 tensors as uint16_t and
// f32 as float, read and written in place. Any other float dtype (f16) goes
// through an f32 copy, which costs a conversion pass but keeps one kernel per
// op instead of one per dtype.
#pragma once
#include "backends/cpu/cpu_convert.h"

namespace lf::cpu {

// t itself when the kernels read it directly, else a contiguous f32 copy.
inline Tensor kernel_input(const Tensor& t) {
  return t.dtype() == DType::bf16 || t.dtype() == DType::f32 ? t : contiguous_f32(t);
}
// t itself when the kernels write it directly, else an f32 scratch tensor
// that finish_output converts into t.
inline Tensor kernel_output(const Tensor& t) {
  return t.dtype() == DType::bf16 || t.dtype() == DType::f32
             ? t
             : Tensor::empty(t.shape(), DType::f32, Device::cpu());
}
inline void finish_output(const Tensor& scratch, Tensor& t) {
  if (scratch.raw_data() == t.raw_data()) return;
  convert_elements(scratch.raw_data(), DType::f32, t.raw_data(), t.dtype(),
                   static_cast<size_t>(t.numel()));
}

// f(p) with p a const uint16_t* (bf16) or const float* (f32) to t's elements.
template <typename F>
void visit_input(const Tensor& t, F&& f) {
  if (t.dtype() == DType::bf16)
    f(static_cast<const uint16_t*>(t.raw_data()));
  else
    f(static_cast<const float*>(t.raw_data()));
}
template <typename F>
void visit_output(Tensor& t, F&& f) {
  if (t.dtype() == DType::bf16)
    f(static_cast<uint16_t*>(t.raw_data()));
  else
    f(static_cast<float*>(t.raw_data()));
}

}  // namespace lf::cpu
