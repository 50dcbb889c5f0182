// Chooses the element type a vector kernel runs on. When every tensor of an
// op is bf16, or every one f32, the kernel reads and writes them in place
// (uint16_t or float elements). Anything else (f16, mixed dtypes) runs the f32
// kernel on f32 copies: a conversion pass more, but one kernel per op and two
// instantiations instead of one per dtype combination.
#pragma once
#include <initializer_list>

#include "backends/cpu/cpu_convert.h"

namespace lf::cpu {

inline DType kernel_dtype(std::initializer_list<const Tensor*> ts) {
  const DType first = (*ts.begin())->dtype();
  for (const Tensor* t : ts)
    if (t->dtype() != first) return DType::f32;
  return first == DType::bf16 ? DType::bf16 : DType::f32;
}

// t itself when it already has dtype k, else a contiguous f32 copy.
inline Tensor kernel_input(const Tensor& t, DType k) { return t.dtype() == k ? t : contiguous_f32(t); }
// t itself when it has dtype k, else an f32 scratch that finish_output
// converts into t.
inline Tensor kernel_output(const Tensor& t, DType k) {
  return t.dtype() == k ? t : Tensor::empty(t.shape(), DType::f32, Device::cpu());
}
inline void finish_output(const Tensor& scratch, Tensor& t) {
  if (scratch.raw_data() == t.raw_data()) return;
  convert_elements(scratch.raw_data(), DType::f32, t.raw_data(), t.dtype(),
                   static_cast<size_t>(t.numel()));
}

// f(T{}) with T = uint16_t for bf16 and float for f32.
template <typename F>
void visit_dtype(DType k, F&& f) {
  if (k == DType::bf16)
    f(uint16_t{});
  else
    f(float{});
}

// Typed element pointers for a kernel running on element type T.
template <typename T>
const T* elems(const Tensor& t) {
  return static_cast<const T*>(t.raw_data());
}
template <typename T>
T* mutable_elems(const Tensor& t) {
  return static_cast<T*>(t.raw_data());
}

}  // namespace lf::cpu
