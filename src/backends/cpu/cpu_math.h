// Scalar math the kernels inline into vectorised loops. libm's expf is a call
// the compiler cannot vectorise without -ffast-math, so exp is computed here by
// range reduction (x = n ln2 + r) and a degree-6 polynomial (about 2 ulp).
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>

namespace lf::cpu {

inline float fast_exp(float x) {
  // Below ~-87.3 the result would be subnormal; flush to 0 (also maps -inf to 0).
  const bool underflow = x < -87.3f;
  x = x > 88.7f ? 88.7f : x;
  x = underflow ? 0.0f : x;
  const float n = std::nearbyint(x * 1.44269504088896341f);
  float r = x - n * 0.693145751953125f;
  r -= n * 1.428606765330187e-06f;
  float p = 1.0f / 720.0f;
  p = p * r + 1.0f / 120.0f;
  p = p * r + 1.0f / 24.0f;
  p = p * r + 1.0f / 6.0f;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  int32_t bits = (static_cast<int32_t>(n) + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return underflow ? 0.0f : p * scale;
}

inline float sigmoid(float x) { return 1.0f / (1.0f + fast_exp(-x)); }

}  // namespace lf::cpu
