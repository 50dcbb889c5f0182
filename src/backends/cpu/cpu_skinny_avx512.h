// The AVX-512 BF16 small-K kernel of cpu_skinny.cpp, for bf16 operands.
#pragma once
#include <cstdint>

namespace lf::cpu {

// c[r, :] = alpha * sum_p ap[r, p] . bp[p, :] + beta * c[r, :] for r < count,
// c rows N apart: ap holds each row of a as kp (k, k + 1) bf16 pairs in one
// 32-bit word, bp op(b)'s rows in the same pairs, [kp, ldp, 2] with ldp a
// multiple of 16 (zero-padded), as vdpbf16ps reads them.
template <typename C>
using SkinnyExpandBf16 = void (*)(const uint32_t* ap, int64_t kp, const uint16_t* bp, int64_t ldp,
                                  C* c, int64_t N, int64_t count, float alpha, float beta);

// The kernel for an f32 or bf16 c (chosen by the pointer type), or null where
// the build or the CPU lacks AVX-512 BF16.
SkinnyExpandBf16<float> skinny_expand_avx512_bf16(float*);
SkinnyExpandBf16<uint16_t> skinny_expand_avx512_bf16(uint16_t*);

}  // namespace lf::cpu
