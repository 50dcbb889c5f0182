// Skinny matmul (a few rows of activations against a weight matrix), the
// shape of token-by-token decode. It is bound by reading the weights once, and
// oneDNN's matmul streams them at about half the copy bandwidth at these
// shapes, so CpuBackend::matmul sends them here first.
#pragma once
#include <cstdint>

#include "core/tensor.h"

namespace lf::cpu {

// Up to this many rows of op(a) (per weight matrix) the kernel beats oneDNN on
// the decode shapes (bench_ops BM_Gemv, 2048x768: 1.1x at 9 rows, 0.97x at
// 12, 0.93x at 16); beyond, it is bound by its multiply-adds, not the weights.
constexpr int64_t kGemvMaxRows = 11;

// c = alpha * op(a) @ op(b) + beta * c with CpuBackend::matmul's operand rules,
// when op(b)'s inner dimension is unit-stride (each output is the dot of a row
// of a with one contiguous row of b, as in x @ W^T for W [out, in]), a and b
// share dtype bf16 or f32, c is contiguous f32 or a's dtype, and there are at
// most kGemvMaxRows rows. Returns false, having done nothing, otherwise.
bool gemv(const Tensor& a, const Tensor& b, Tensor& c, bool trans_a, bool trans_b, float alpha,
          float beta);

}  // namespace lf::cpu
