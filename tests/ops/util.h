// Test helpers: deterministic random data, tensors from it, and comparisons
// that report the worst element.
#pragma once
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace lf::test {

using Vec = std::vector<float>;
using DVec = std::vector<double>;

// Normal(0, scale) values, rounded to `dtype` so that references see exactly
// the inputs the op sees.
inline Vec randn(size_t n, uint64_t seed, float scale = 1.0f, DType dtype = DType::f32) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> dist(0.0f, scale);
  Vec v(n);
  for (float& x : v) x = dist(rng);
  if (dtype == DType::f32) return v;
  return Tensor::from_vector(v, {static_cast<int64_t>(n)}, dtype).to_floats();
}

inline Tensor make(const Vec& v, const Shape& shape, DType dtype, Device dev = Device::cpu()) {
  return Tensor::from_vector(v, shape, dtype, dev);
}

inline Tensor make_ints(const std::vector<int64_t>& v, const Shape& shape, DType dtype = DType::i64,
                        Device dev = Device::cpu()) {
  return Tensor::from_ints(v, shape, dtype, dev);
}

// Relative-to-scale tolerance: |got - want| <= atol + rtol * |want| per element.
struct Tol {
  double atol, rtol;
};
inline Tol tol_for(DType t) {
  // f32 kernels accumulate in f32 (about 1e-6 relative); bf16 outputs carry an
  // 8-bit mantissa (2^-8 relative rounding) on top of f32 compute.
  return t == DType::f32 ? Tol{2e-5, 2e-4} : Tol{2e-2, 2e-2};
}

inline ::testing::AssertionResult all_close(const Vec& got, const DVec& want, Tol tol) {
  if (got.size() != want.size())
    return ::testing::AssertionFailure() << "size " << got.size() << " vs " << want.size();
  double worst = 0.0;
  size_t at = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    const double err = std::abs(static_cast<double>(got[i]) - want[i]);
    const double excess = err - (tol.atol + tol.rtol * std::abs(want[i]));
    if (!(excess <= worst) || std::isnan(got[i])) {
      worst = std::isnan(got[i]) ? INFINITY : excess;
      at = i;
    }
  }
  if (worst > 0.0)
    return ::testing::AssertionFailure() << "element " << at << ": got " << got[at] << ", want "
                                         << want[at] << " (atol " << tol.atol << ", rtol "
                                         << tol.rtol << ")";
  return ::testing::AssertionSuccess();
}

inline DVec to_double(const Vec& v) { return DVec(v.begin(), v.end()); }

}  // namespace lf::test
