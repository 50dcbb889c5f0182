// Rotary position embedding: half-rotation (Llama/Qwen, pairs i and i + d/2) or
// interleaved (pairs 2i, 2i+1); the angle of each token comes from its own
// position id, so packed sequences restart at 0 per segment. The cos/sin of a
// token are computed once and applied to all its heads in vector registers.
#include <cmath>
#include <vector>

#include "backends/cpu/cpu_backend.h"
#include "backends/cpu/cpu_dispatch.h"
#include "backends/cpu/cpu_math.h"
#include "backends/cpu/cpu_parallel.h"
#include "backends/cpu/cpu_vec.h"

namespace lf::cpu {
namespace {

// Element pairs (2i, 2i+1) swapped: a 32-bit rotation of each 64-bit lane,
// which does not depend on the vector width.
inline vf swap_pairs(vf v) {
  const vu64 w = reinterpret_cast<vu64>(v);
  return reinterpret_cast<vf>((w << 32) | (w >> 32));
}

// cs/sn: the token's cos and sin per frequency (half of them) for the
// half-rotation layout; per element, with the sign of the pair's rotation
// folded into sn, for the interleaved one.
template <typename T>
void rotate_head(const T* x, int64_t D, int64_t rot, bool interleaved, const float* cs,
                 const float* sn, T* y) {
  if (interleaved) {
    for_lanes(rot, [&](int64_t i, int64_t c) {
      const vf v = vload(x + i, c, 0.0f);
      vstore(y + i, v * vload(cs + i, c, 0.0f) + swap_pairs(v) * vload(sn + i, c, 0.0f), c);
    });
  } else {
    const int64_t half = rot / 2;
    for_lanes(half, [&](int64_t i, int64_t c) {
      const vf a = vload(x + i, c, 0.0f), b = vload(x + i + half, c, 0.0f);
      const vf cv = vload(cs + i, c, 0.0f), sv = vload(sn + i, c, 0.0f);
      vstore(y + i, a * cv - b * sv, c);
      vstore(y + i + half, b * cv + a * sv, c);
    });
  }
  for_lanes(D - rot, [&](int64_t i, int64_t c) { vstore(y + rot + i, vload(x + rot + i, c, 0.0f), c); });
}

}  // namespace

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
  const DType k = kernel_dtype({&x, &y});
  Tensor xs = kernel_input(x, k), ys = kernel_output(y, k);
  visit_dtype(k, [&](auto tag) {
    using E = decltype(tag);
    const E* xp = elems<E>(xs);
    E* yp = mutable_elems<E>(ys);
#pragma omp parallel if (x.numel() >= kParallelMin)
    {
      std::vector<float> cs(rot), sn(rot);
#pragma omp for schedule(static)
      for (int64_t bt = 0; bt < B * T; ++bt) {
        const float pos = static_cast<float>(load_index(pos_base, positions.dtype(), bt));
        for_lanes(half, [&](int64_t i, int64_t c) {
          vf sv, cv;
          sincos_approx(pos * vload(inv_freq.data() + i, c, 0.0f), sv, cv);
          vstore(cs.data() + i, cv * p.attention_factor, c);
          vstore(sn.data() + i, sv * (sign * p.attention_factor), c);
        });
        if (p.interleaved)  // spread to pairs, back to front so nothing is overwritten early
          for (int64_t i = half - 1; i >= 0; --i) {
            cs[2 * i] = cs[2 * i + 1] = cs[i];
            sn[2 * i + 1] = sn[i];
            sn[2 * i] = -sn[i];
          }
        for (int64_t h = 0; h < heads; ++h) {
          const int64_t off = (bt * heads + h) * D;
          rotate_head(xp + off, D, rot, p.interleaved, cs.data(), sn.data(), yp + off);
        }
      }
    }
  });
  finish_output(ys, y);
}

}  // namespace lf::cpu
