// Flash-style attention on the CPU: queries in blocks, keys in tiles, an online
// softmax across tiles, so no Tq x Tk score matrix ever exists. bf16 inputs run
// their tile products as bf16 dot products where the CPU has them (they are
// exact in bf16, so only the rounding of P and dS is new); everything else
// runs on f32 tiles.
#include <initializer_list>

#include "backends/cpu/cpu_attention.h"
#include "backends/cpu/cpu_backend.h"
#include "backends/cpu/cpu_tile_gemm.h"

namespace lf::cpu {
namespace {

bool bf16_tiles(std::initializer_list<const Tensor*> inputs) {
  for (const Tensor* t : inputs)
    if (t->dtype() != DType::bf16) return false;
  return has_bf16_dot();
}

}  // namespace

void CpuBackend::attention(const Tensor& q, const Tensor& k, const Tensor& v,
                           const ops::AttentionParams& p, Tensor& out, Tensor& lse) {
  const attn::Geometry g(q, k, p);
  if (bf16_tiles({&q, &k, &v}))
    attn::forward_bf16(g, q, k, v, out, lse);
  else
    attn::forward_f32(g, q, k, v, out, lse);
}

void CpuBackend::attention_backward(const Tensor& dout, const Tensor& q, const Tensor& k,
                                    const Tensor& v, const Tensor& out, const Tensor& lse,
                                    const ops::AttentionParams& p, Tensor& dq, Tensor& dk,
                                    Tensor& dv) {
  const attn::Geometry g(q, k, p);
  if (bf16_tiles({&dout, &q, &k, &v}))
    attn::backward_bf16(g, dout, q, k, v, out, lse, dq, dk, dv);
  else
    attn::backward_f32(g, dout, q, k, v, out, lse, dq, dk, dv);
}

}  // namespace lf::cpu
