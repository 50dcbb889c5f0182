// Frozen weights (ops::freeze_weight) kept a second time in the blocked layout
// oneDNN's matmul reads them in. Given a plain [out, in] weight, oneDNN
// re-lays it out on every call: at the row counts of batched decode that copy
// costs more than the product (bench_ops BM_Gemv frozen:1: 16 rows of 768
// against 2048 x 768 at ~1.5x the rate of oneDNN on the plain weight). The plain
// weight stays where it is, for the gemv kernel of one-row products and for
// everything else that reads it, so packing doubles the resident weight
// bytes: LLAMAFACTORY_PACK_WEIGHTS=0 turns it off.
#pragma once
#include <cstdint>

#include "core/tensor.h"

namespace lf::cpu {

// From this many rows of op(a) the packed product is at least level with the
// gemv kernel on the plain weight; below, gemv streams the plain weight faster.
// Measured over the whole bench model (bench_serve --streams S, 2 threads),
// aggregate tokens/s packed vs gemv: 4 rows 171 vs 247, 7 rows 280 vs 365,
// 8 rows level, 11 rows 433 vs 341.
constexpr int64_t kPackedMinRows = 8;

// Packs w (2-D, contiguous, bf16 on CPUs with bf16 dot products or f32) unless
// packing is off; other weights are left alone.
void pack_weight(const Tensor& w);

// c = alpha * op(a) @ op(b) + beta * c when b is a packed weight used as
// x @ w^T, a's rows are contiguous, a and b share a dtype, c is contiguous f32
// or that dtype, and op(a) has at least kPackedMinRows rows. Returns false,
// having done nothing, otherwise.
bool packed_matmul(const Tensor& a, const Tensor& b, Tensor& c, bool trans_a, bool trans_b,
                   float alpha, float beta);

}  // namespace lf::cpu
