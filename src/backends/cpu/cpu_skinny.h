// Matmuls with a small N or K besides the decode rows of cpu_gemv.h: the
// products of a rank-r LoRA adapter with a batch of tokens (x A^T, u B^T,
// dy B, du A, dy^T u; du^T x stays with oneDNN, which was faster on it). They
// do a few FLOPs per element of the big operand and are bound by streaming it
// once, where oneDNN's blocked GEMM ran them at 50-120 GFLOP/s in bench_train,
// so CpuBackend::matmul sends them here before oneDNN.
#pragma once
#include <cstdint>

#include "core/tensor.h"

namespace lf::cpu {

// The largest small dimension the kernels take: a LoRA rank.
constexpr int64_t kSkinnyMax = 16;

// c = alpha * op(a) @ op(b) + beta * c with CpuBackend::matmul's operand rules,
// for single matrices (leading dims of size 1) a and b of one dtype, bf16 or
// f32, c contiguous f32 or that dtype, and K or N at most kSkinnyMax where the
// layout lets the big operand be read along its rows. Returns false, having
// done nothing, otherwise.
bool skinny(const Tensor& a, const Tensor& b, Tensor& c, bool trans_a, bool trans_b, float alpha,
            float beta);

}  // namespace lf::cpu
