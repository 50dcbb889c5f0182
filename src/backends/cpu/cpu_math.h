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

// sin and cos of a: a = k pi/2 + r with pi/2 split in three parts (Cody-Waite;
// k * the first two parts are exact for |k| < 2^12, and beyond that the error
// stays below the float rounding of a itself), then minimax polynomials on
// |r| <= pi/4 (about 1e-7 absolute) and the quadrant k mod 4.
inline void sincos_approx(vf a, vf& sin_out, vf& cos_out) {
  const vf k = (a * 0.636619772367581343f + 12582912.0f) - 12582912.0f;
  const vf r = ((a - k * 1.5703125f) - k * 4.837512969970703125e-4f) - k * 7.54978995489188216e-8f;
  const vf r2 = r * r;
  const vf s = r + r * r2 * ((-1.9515295891e-4f * r2 + 8.3321608736e-3f) * r2 - 1.6666654611e-1f);
  const vf c = 1.0f - 0.5f * r2 +
               r2 * r2 * ((2.443315711809948e-5f * r2 - 1.388731625493765e-3f) * r2 + 4.166664568298827e-2f);
  const vi32 q = __builtin_convertvector(k, vi32);
  const vi32 odd = (q & 1) != 0;  // quadrants 1, 3: sin and cos swap
  const vf sv = odd ? c : s, cv = odd ? s : c;
  sin_out = (q & 2) != 0 ? -sv : sv;        // negative in quadrants 2, 3
  cos_out = ((q + 1) & 2) != 0 ? -cv : cv;  // negative in quadrants 1, 2
}

template <typename V>
V sigmoid(V x) {
  return 1.0f / (1.0f + exp_approx(-x));
}

}  // namespace lf::cpu
