// Rotary position embedding: half-rotation (Llama/Qwen, pairs i and i + d/2) or
// interleaved (pairs 2i, 2i+1); the angle of each token comes from its own
// position id, so packed sequences restart at 0 per segment.
#include <cmath>
#include <vector>

#include "backends/cpu/cpu_backend.h"
#include "backends/cpu/cpu_convert.h"
#include "backends/cpu/cpu_parallel.h"

namespace lf::cpu {

void CpuBackend::rope(const Tensor& x, const Tensor& positions, const ops::RopeParams& p,
                      bool inverse, Tensor& y) {
  const int64_t B = x.size(0), T = x.size(1), heads = x.size(2), D = x.size(3);
  const int64_t rot = p.rotary_dim > 0 ? p.rotary_dim : D, half = rot / 2;
  std::vector<float> inv_freq(half);
  for (int64_t i = 0; i < half; ++i)
    inv_freq[i] = p.inv_freq ? p.inv_freq[i]
                             : static_cast<float>(1.0 / std::pow(static_cast<double>(p.theta),
                                                                 2.0 * i / static_cast<double>(rot)));
  const void* pos_base = positions.raw_data();
  const float sign = inverse ? -1.0f : 1.0f;
#pragma omp parallel if (x.numel() >= kParallelMin)
  {
    std::vector<float> cs(half), sn(half), buf(D), out(D);
#pragma omp for schedule(static)
    for (int64_t bt = 0; bt < B * T; ++bt) {
      const float pos = static_cast<float>(load_index(pos_base, positions.dtype(), bt));
      for (int64_t i = 0; i < half; ++i) {
        const float angle = pos * inv_freq[i];
        cs[i] = std::cos(angle) * p.attention_factor;
        sn[i] = sign * std::sin(angle) * p.attention_factor;
      }
      for (int64_t h = 0; h < heads; ++h) {
        const int64_t off = (bt * heads + h) * D;
        load_f32(elem_ptr(x, off), x.dtype(), D, buf.data());
        if (p.interleaved) {
          for (int64_t i = 0; i < half; ++i) {
            const float a = buf[2 * i], b = buf[2 * i + 1];
            out[2 * i] = a * cs[i] - b * sn[i];
            out[2 * i + 1] = b * cs[i] + a * sn[i];
          }
        } else {
#pragma omp simd
          for (int64_t i = 0; i < half; ++i) {
            const float a = buf[i], b = buf[i + half];
            out[i] = a * cs[i] - b * sn[i];
            out[i + half] = b * cs[i] + a * sn[i];
          }
        }
        for (int64_t i = rot; i < D; ++i) out[i] = buf[i];
        store_f32(out.data(), D, y.dtype(), elem_ptr(y, off));
      }
    }
  }
}

}  // namespace lf::cpu
