// Helpers for the autograd tests: random tensors and a finite-difference
// check of every gradient a function produces.
#pragma once
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <random>
#include <vector>

#include "autograd/autograd.h"

namespace lf::ag::gradcheck {

inline Tensor random_tensor(const Shape& shape, std::mt19937& rng, float scale = 1.0f) {
  std::normal_distribution<float> dist(0.0f, scale);
  std::vector<float> v(static_cast<size_t>(shape_numel(shape)));
  for (float& x : v) x = dist(rng);
  return Tensor::from_vector(v, shape);
}

// sum_i a_i r_i in double: the scalar whose gradient the checks compare.
inline double dot(const Tensor& a, const std::vector<float>& r) {
  std::vector<float> av = a.to_floats();
  double s = 0;
  for (size_t i = 0; i < av.size(); ++i) s += static_cast<double>(av[i]) * r[i];
  return s;
}

using Fn = std::function<Var(const std::vector<Var>&)>;

struct Tolerance {
  double eps = 1e-2;  // finite-difference step
  double atol = 2e-3;
  double rtol = 2e-2;
  int samples = 16;  // elements checked per input (all when fewer)
};

// Makes each input a parameter, backpropagates L = <f(inputs), R> with a
// random R and compares every parameter's gradient, at up to tol.samples
// elements, with central differences of L. Returns the parameters (with
// their gradients) for further checks.
inline std::vector<Var> expect_grads_match_fd(const Fn& f, const std::vector<Tensor>& inputs,
                                              const Tolerance& tol = {}, uint32_t seed = 7) {
  std::mt19937 rng(seed);
  std::vector<Var> params;
  for (const Tensor& t : inputs) params.push_back(Var::parameter(t.clone()));
  Var out = f(params);
  Tensor r = random_tensor(out.shape(), rng);
  std::vector<float> rv = r.to_floats();
  backward(out, r.to(out.dtype()));
  auto loss = [&] {
    NoGradGuard no_grad;
    return dot(f(params).value(), rv);
  };
  for (size_t i = 0; i < params.size(); ++i) {
    const Tensor& value = params[i].value();
    if (!params[i].grad().defined()) {
      ADD_FAILURE() << "input " << i << " got no gradient";
      continue;
    }
    EXPECT_EQ(params[i].grad().dtype(), DType::f32);
    std::vector<float> grad = params[i].grad().to_floats();
    float* x = value.host_data<float>();
    int64_t n = value.numel(), step = std::max<int64_t>(1, n / tol.samples);
    for (int64_t j = (n - 1) % step; j < n; j += step) {
      float saved = x[j];
      x[j] = static_cast<float>(saved + tol.eps);
      double up = loss();
      x[j] = static_cast<float>(saved - tol.eps);
      double down = loss();
      x[j] = saved;
      double fd = (up - down) / (2 * tol.eps);
      EXPECT_NEAR(grad[j], fd, tol.atol + tol.rtol * std::abs(fd))
          << "input " << i << " element " << j;
    }
  }
  return params;
}

inline float max_abs_diff(const Tensor& a, const Tensor& b) {
  std::vector<float> av = a.to_floats(), bv = b.to_floats();
  EXPECT_EQ(av.size(), bv.size());
  float m = 0;
  for (size_t i = 0; i < av.size() && i < bv.size(); ++i) m = std::max(m, std::abs(av[i] - bv[i]));
  return m;
}

// Equal up to float rounding: the CPU backend reduces some weight gradients
// across threads in whichever order the threads finish, so two identical
// computations may differ in the last bits; any real difference (another
// dropout mask, a missing term) is orders of magnitude larger.
inline void expect_same_values(const Tensor& a, const Tensor& b) {
  float scale = 0;
  for (float v : a.to_floats()) scale = std::max(scale, std::abs(v));
  EXPECT_LE(max_abs_diff(a, b), 1e-6f * scale);
}

}  // namespace lf::ag::gradcheck
