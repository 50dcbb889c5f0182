// Elementwise ops, bias, fill, cast/copy and dropout.
#include <algorithm>
#include <cstring>

#include "backends/cpu/cpu_backend.h"
#include "backends/cpu/cpu_convert.h"
#include "backends/cpu/cpu_parallel.h"

namespace lf::cpu {
namespace {

// One strided row of n elements of type T (same dtype on both sides).
template <typename T>
void copy_row(const char* s, int64_t ss, char* o, int64_t ds, int64_t n) {
  const T* in = reinterpret_cast<const T*>(s);
  T* out = reinterpret_cast<T*>(o);
  for (int64_t i = 0; i < n; ++i) out[i * ds] = in[i * ss];
}

// Copies src into dst (equal shapes, any strides, any dtypes: integer casts
// stay exact because conversion goes through core's convert_elements).
void strided_copy(const Tensor& src, Tensor& dst) {
  const int64_t nd = src.dim();
  if (src.numel() == 0) return;
  const int64_t inner = nd ? src.size(nd - 1) : 1;
  const int64_t ss = nd ? src.stride(nd - 1) : 1, ds = nd ? dst.stride(nd - 1) : 1;
  const int64_t rows = src.numel() / inner;
  const DType st = src.dtype(), dt = dst.dtype();
  const size_t se = dtype_size(st), de = dtype_size(dt);
  const char* sbase = elem_ptr(src, 0);
  char* dbase = elem_ptr(dst, 0);
#pragma omp parallel for schedule(static) if (src.numel() >= kParallelMin)
  for (int64_t r = 0; r < rows; ++r) {
    int64_t so = 0, dof = 0, rem = r;
    for (int64_t d = nd - 2; d >= 0; --d) {
      const int64_t i = rem % src.size(d);
      rem /= src.size(d);
      so += i * src.stride(d);
      dof += i * dst.stride(d);
    }
    const char* s = sbase + so * static_cast<int64_t>(se);
    char* o = dbase + dof * static_cast<int64_t>(de);
    if (ss == 1 && ds == 1) {
      if (st == dt) std::memcpy(o, s, inner * se);
      else convert_elements(s, st, o, dt, inner);
    } else if (st == dt && se == 2) {
      copy_row<uint16_t>(s, ss, o, ds, inner);
    } else if (st == dt && se == 4) {
      copy_row<uint32_t>(s, ss, o, ds, inner);
    } else if (st == dt && se == 8) {
      copy_row<uint64_t>(s, ss, o, ds, inner);
    } else {
      for (int64_t i = 0; i < inner; ++i)
        convert_elements(s + i * ss * static_cast<int64_t>(se), st,
                         o + i * ds * static_cast<int64_t>(de), dt, 1);
    }
  }
}

}  // namespace

void CpuBackend::add(const Tensor& a, const Tensor& b, float alpha, float beta, Tensor& out) {
  for_chunks(out.numel(), [&](int64_t i0, int64_t n) {
    float x[kChunk], y[kChunk];
    load_f32(elem_ptr(a, i0), a.dtype(), n, x);
    load_f32(elem_ptr(b, i0), b.dtype(), n, y);
#pragma omp simd
    for (int64_t i = 0; i < n; ++i) x[i] = alpha * x[i] + beta * y[i];
    store_f32(x, n, out.dtype(), elem_ptr(out, i0));
  });
}

void CpuBackend::mul(const Tensor& a, const Tensor& b, Tensor& out) {
  for_chunks(out.numel(), [&](int64_t i0, int64_t n) {
    float x[kChunk], y[kChunk];
    load_f32(elem_ptr(a, i0), a.dtype(), n, x);
    load_f32(elem_ptr(b, i0), b.dtype(), n, y);
#pragma omp simd
    for (int64_t i = 0; i < n; ++i) x[i] *= y[i];
    store_f32(x, n, out.dtype(), elem_ptr(out, i0));
  });
}

void CpuBackend::scale(const Tensor& x, float s, Tensor& out) {
  for_chunks(out.numel(), [&](int64_t i0, int64_t n) {
    float buf[kChunk];
    load_f32(elem_ptr(x, i0), x.dtype(), n, buf);
#pragma omp simd
    for (int64_t i = 0; i < n; ++i) buf[i] *= s;
    store_f32(buf, n, out.dtype(), elem_ptr(out, i0));
  });
}

void CpuBackend::bias_add(const Tensor& x, const Tensor& bias, Tensor& out) {
  const int64_t C = bias.numel(), R = C ? x.numel() / C : 0;
  Tensor bf = contiguous_f32(bias);
  const float* bp = bf.data<float>();
#pragma omp parallel for schedule(static) if (R * C >= kParallelMin)
  for (int64_t r = 0; r < R; ++r) {
    for (int64_t c0 = 0; c0 < C; c0 += kChunk) {
      const int64_t n = std::min(kChunk, C - c0);
      float buf[kChunk];
      load_f32(elem_ptr(x, r * C + c0), x.dtype(), n, buf);
#pragma omp simd
      for (int64_t i = 0; i < n; ++i) buf[i] += bp[c0 + i];
      store_f32(buf, n, out.dtype(), elem_ptr(out, r * C + c0));
    }
  }
}

void CpuBackend::sum_rows(const Tensor& x, Tensor& out) {
  const int64_t C = out.numel(), R = C ? x.numel() / C : 0;
  float* o = out.data<float>();
  const int64_t blocks = (C + kChunk - 1) / kChunk;
#pragma omp parallel for schedule(static) if (R * C >= kParallelMin)
  for (int64_t blk = 0; blk < blocks; ++blk) {
    const int64_t c0 = blk * kChunk, n = std::min(kChunk, C - c0);
    float acc[kChunk] = {}, buf[kChunk];
    for (int64_t r = 0; r < R; ++r) {
      load_f32(elem_ptr(x, r * C + c0), x.dtype(), n, buf);
#pragma omp simd
      for (int64_t i = 0; i < n; ++i) acc[i] += buf[i];
    }
    for (int64_t i = 0; i < n; ++i) o[c0 + i] += acc[i];
  }
}

void CpuBackend::cast(const Tensor& src, Tensor& dst) {
  if (src.is_contiguous() && is_floating(src.dtype()) && is_floating(dst.dtype())) {
    for_chunks(dst.numel(), [&](int64_t i0, int64_t n) {
      float buf[kChunk];
      load_f32(elem_ptr(src, i0), src.dtype(), n, buf);
      store_f32(buf, n, dst.dtype(), elem_ptr(dst, i0));
    });
    return;
  }
  strided_copy(src, dst);
}

void CpuBackend::copy(const Tensor& src, Tensor& dst) { strided_copy(src, dst); }

void CpuBackend::fill(Tensor& out, float value) {
  alignas(8) unsigned char pattern[8];
  convert_elements(&value, DType::f32, pattern, out.dtype(), 1);
  auto fill_as = [&](auto zero) {
    using T = decltype(zero);
    T v;
    std::memcpy(&v, pattern, sizeof v);
    T* p = static_cast<T*>(out.raw_data());
    for_chunks(out.numel(), [&](int64_t i0, int64_t n) { std::fill(p + i0, p + i0 + n, v); });
  };
  switch (dtype_size(out.dtype())) {
    case 1: fill_as(uint8_t{}); break;
    case 2: fill_as(uint16_t{}); break;
    case 4: fill_as(uint32_t{}); break;
    default: fill_as(uint64_t{}); break;
  }
}

void CpuBackend::dropout(const Tensor& x, float p, uint64_t seed, Tensor& out) {
  const float keep_scale = p < 1.0f ? 1.0f / (1.0f - p) : 0.0f;
  for_chunks(out.numel(), [&](int64_t i0, int64_t n) {
    float buf[kChunk];
    load_f32(elem_ptr(x, i0), x.dtype(), n, buf);
#pragma omp simd
    for (int64_t i = 0; i < n; ++i) {
      // splitmix64 of (seed, index): the mask is recomputable from the seed alone.
      uint64_t z = seed + static_cast<uint64_t>(i0 + i + 1) * 0x9E3779B97F4A7C15ull;
      z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
      z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
      z ^= z >> 31;
      const float u = static_cast<float>(z >> 40) * (1.0f / 16777216.0f);
      buf[i] = u >= p ? buf[i] * keep_scale : 0.0f;
    }
    store_f32(buf, n, out.dtype(), elem_ptr(out, i0));
  });
}

}  // namespace lf::cpu
