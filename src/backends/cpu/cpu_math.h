// Math the kernels inline into vectorised loops, written once for a scalar
// float and for a vf (cpu_vec.h). libm's expf is a call the compiler cannot
// vectorise without -ffast-math, so exp is computed here by range reduction
// (x = n ln2 + r) and a degree-6 polynomial (about 2 ulp).
#pragma once
#include <cstdint>
#include <cstring>

#include "backends/cpu/cpu_vec.h"

namespace lf::cpu {

// 2^n for an integral-valued n in [-126, 128] (128 gives +inf).
inline float pow2(float n) {
  const int32_t bits = (static_cast<int32_t>(n) + 127) << 23;
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}
inline vf pow2(vf n) { return reinterpret_cast<vf>((__builtin_convertvector(n, vi32) + 127) << 23); }

template <typename V>
V exp_approx(V x) {
  // Below ~-87.3 the result would be subnormal; flush to 0 (also maps -inf to 0).
  const auto underflow = x < -87.3f;
  x = x > 88.7f ? V{} + 88.7f : x;
  x = underflow ? V{} : x;
  // Adding and subtracting 1.5 * 2^23 rounds to the nearest integer (ties to
  // even, as nearbyint) in plain IEEE arithmetic, for vectors as for scalars.
  const V n = (x * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
  V r = x - n * 0.693145751953125f;
  r -= n * 1.428606765330187e-06f;
  V p = V{} + 1.0f / 720.0f;
  p = p * r + 1.0f / 120.0f;
  p = p * r + 1.0f / 24.0f;
  p = p * r + 1.0f / 6.0f;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  return underflow ? V{} : p * pow2(n);
}

inline float fast_exp(float x) { return exp_approx(x); }

template <typename V>
V sigmoid(V x) {
  return 1.0f / (1.0f + exp_approx(-x));
}

}  // namespace lf::cpu
