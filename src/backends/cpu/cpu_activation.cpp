// SwiGLU and pointwise activations with their derivatives.
#include <cmath>

#include "backends/cpu/cpu_backend.h"
#include "backends/cpu/cpu_convert.h"
#include "backends/cpu/cpu_dispatch.h"
#include "backends/cpu/cpu_math.h"
#include "backends/cpu/cpu_parallel.h"
#include "backends/cpu/cpu_vec.h"

namespace lf::cpu {
namespace {

constexpr float kSqrt2OverPi = 0.7978845608028654f;
constexpr float kGeluC = 0.044715f;

inline float tanh_fast(float u) { return 1.0f - 2.0f / (fast_exp(2.0f * u) + 1.0f); }

}  // namespace

void CpuBackend::swiglu(const Tensor& gate, const Tensor& up, Tensor& out) {
  const DType k = kernel_dtype({&gate, &up, &out});
  Tensor gs = kernel_input(gate, k), us = kernel_input(up, k), os = kernel_output(out, k);
  visit_dtype(k, [&](auto tag) {
    using T = decltype(tag);
    const T *g = elems<T>(gs), *u = elems<T>(us);
    T* o = mutable_elems<T>(os);
    for_chunks(out.numel(), [&](int64_t i0, int64_t n) {
      for_lanes(n, [&](int64_t i, int64_t c) {
        const vf gv = vload(g + i0 + i, c, 0.0f);
        vstore(o + i0 + i, gv * sigmoid(gv) * vload(u + i0 + i, c, 0.0f), c);
      });
    });
  });
  finish_output(os, out);
}

void CpuBackend::swiglu_backward(const Tensor& dout, const Tensor& gate, const Tensor& up,
                                 Tensor& dgate, Tensor& dup) {
  const DType k = kernel_dtype({&dout, &gate, &up, &dgate, &dup});
  Tensor ds = kernel_input(dout, k), gs = kernel_input(gate, k), us = kernel_input(up, k);
  Tensor dgs = kernel_output(dgate, k), dus = kernel_output(dup, k);
  visit_dtype(k, [&](auto tag) {
    using T = decltype(tag);
    const T *d = elems<T>(ds), *g = elems<T>(gs), *u = elems<T>(us);
    T *dg = mutable_elems<T>(dgs), *du = mutable_elems<T>(dus);
    for_chunks(dout.numel(), [&](int64_t i0, int64_t n) {
      for_lanes(n, [&](int64_t i, int64_t c) {
        const int64_t j = i0 + i;
        const vf dv = vload(d + j, c, 0.0f), gv = vload(g + j, c, 0.0f);
        const vf s = sigmoid(gv);
        vstore(dg + j, dv * vload(u + j, c, 0.0f) * (s * (1.0f + gv * (1.0f - s))), c);
        vstore(du + j, dv * gv * s, c);
      });
    });
  });
  finish_output(dgs, dgate);
  finish_output(dus, dup);
}

void CpuBackend::activation(ops::Activation kind, const Tensor& x, Tensor& y) {
  for_chunks(y.numel(), [&](int64_t i0, int64_t n) {
    float v[kChunk];
    load_f32(elem_ptr(x, i0), x.dtype(), n, v);
    switch (kind) {
      case ops::Activation::silu:
#pragma omp simd
        for (int64_t i = 0; i < n; ++i) v[i] = v[i] * sigmoid(v[i]);
        break;
      case ops::Activation::gelu_tanh:
#pragma omp simd
        for (int64_t i = 0; i < n; ++i)
          v[i] = 0.5f * v[i] * (1.0f + tanh_fast(kSqrt2OverPi * (v[i] + kGeluC * v[i] * v[i] * v[i])));
        break;
      case ops::Activation::gelu:
        for (int64_t i = 0; i < n; ++i) v[i] = 0.5f * v[i] * (1.0f + std::erf(v[i] * 0.70710678f));
        break;
    }
    store_f32(v, n, y.dtype(), elem_ptr(y, i0));
  });
}

void CpuBackend::activation_backward(ops::Activation kind, const Tensor& dy, const Tensor& x,
                                     Tensor& dx) {
  for_chunks(dx.numel(), [&](int64_t i0, int64_t n) {
    float v[kChunk], g[kChunk];
    load_f32(elem_ptr(x, i0), x.dtype(), n, v);
    load_f32(elem_ptr(dy, i0), dy.dtype(), n, g);
    switch (kind) {
      case ops::Activation::silu:
#pragma omp simd
        for (int64_t i = 0; i < n; ++i) {
          const float s = sigmoid(v[i]);
          g[i] *= s * (1.0f + v[i] * (1.0f - s));
        }
        break;
      case ops::Activation::gelu_tanh:
#pragma omp simd
        for (int64_t i = 0; i < n; ++i) {
          const float x3 = v[i] * v[i] * v[i];
          const float t = tanh_fast(kSqrt2OverPi * (v[i] + kGeluC * x3));
          const float du = kSqrt2OverPi * (1.0f + 3.0f * kGeluC * v[i] * v[i]);
          g[i] *= 0.5f * (1.0f + t) + 0.5f * v[i] * (1.0f - t * t) * du;
        }
        break;
      case ops::Activation::gelu:
        for (int64_t i = 0; i < n; ++i) {
          const float cdf = 0.5f * (1.0f + std::erf(v[i] * 0.70710678f));
          const float pdf = std::exp(-0.5f * v[i] * v[i]) * 0.3989422804f;
          g[i] *= cdf + v[i] * pdf;
        }
        break;
    }
    store_f32(g, n, dx.dtype(), elem_ptr(dx, i0));
  });
}

}  // namespace lf::cpu
