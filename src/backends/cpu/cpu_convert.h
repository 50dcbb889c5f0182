// Element access for the CPU kernels: every float dtype is computed in f32, so
// kernels load a run of elements into an f32 buffer, work there, and store back.
// The conversions are inline and branch-free so the compiler can vectorise them.
#pragma once
#include <cstdint>
#include <cstring>

#include "core/dtype.h"
#include "core/tensor.h"

namespace lf::cpu {

inline float bf16_to_f32(uint16_t b) {
  uint32_t u = static_cast<uint32_t>(b) << 16;
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

// Round to nearest even; NaN stays a (quiet) NaN.
inline uint16_t f32_to_bf16(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  uint32_t rounded = (u + 0x7fffu + ((u >> 16) & 1u)) >> 16;
  uint32_t nan = (u >> 16) | 0x40u;
  return static_cast<uint16_t>((u & 0x7fffffffu) > 0x7f800000u ? nan : rounded);
}

// n contiguous elements of dtype t at src -> f32.
void load_f32(const void* src, DType t, int64_t n, float* dst);
// n f32 values -> n contiguous elements of dtype t at dst.
void store_f32(const float* src, int64_t n, DType t, void* dst);
// Element i of a contiguous integer tensor (ids, labels, positions).
inline int64_t load_index(const void* base, DType t, int64_t i) {
  return t == DType::i32 ? static_cast<const int32_t*>(base)[i] : static_cast<const int64_t*>(base)[i];
}

// Byte pointer to element `i` (in elements) past the first element of t.
inline char* elem_ptr(const Tensor& t, int64_t i) {
  return static_cast<char*>(t.raw_data()) + i * static_cast<int64_t>(dtype_size(t.dtype()));
}

// A contiguous f32 copy of any float tensor (itself when it already is one).
Tensor contiguous_f32(const Tensor& t);

}  // namespace lf::cpu
