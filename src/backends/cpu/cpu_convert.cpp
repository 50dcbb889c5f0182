#include "backends/cpu/cpu_convert.h"

#include "backends/cpu/cpu_parallel.h"

namespace lf::cpu {

void load_f32(const void* src, DType t, int64_t n, float* dst) {
  switch (t) {
    case DType::f32:
      std::memcpy(dst, src, static_cast<size_t>(n) * sizeof(float));
      return;
    case DType::bf16: {
      const auto* s = static_cast<const uint16_t*>(src);
#pragma omp simd
      for (int64_t i = 0; i < n; ++i) dst[i] = bf16_to_f32(s[i]);
      return;
    }
    default:
      convert_elements(src, t, dst, DType::f32, static_cast<size_t>(n));
  }
}

void store_f32(const float* src, int64_t n, DType t, void* dst) {
  switch (t) {
    case DType::f32:
      std::memcpy(dst, src, static_cast<size_t>(n) * sizeof(float));
      return;
    case DType::bf16: {
      auto* d = static_cast<uint16_t*>(dst);
#pragma omp simd
      for (int64_t i = 0; i < n; ++i) d[i] = f32_to_bf16(src[i]);
      return;
    }
    default:
      convert_elements(src, DType::f32, dst, t, static_cast<size_t>(n));
  }
}

Tensor contiguous_f32(const Tensor& t) {
  Tensor c = t.contiguous();
  if (c.dtype() == DType::f32) return c;
  Tensor out = Tensor::empty(c.shape(), DType::f32, Device::cpu());
  const int64_t n = c.numel();
  constexpr int64_t kBlock = 1 << 14;
#pragma omp parallel for schedule(static) if (n >= kParallelMin)
  for (int64_t i0 = 0; i0 < n; i0 += kBlock) {
    int64_t len = std::min(kBlock, n - i0);
    load_f32(elem_ptr(c, i0), c.dtype(), len, out.data<float>() + i0);
  }
  return out;
}

}  // namespace lf::cpu
