// The inner kernels of cpu_gemv.cpp. A block computes the dots of R rows of a
// with one row of b over the whole inner dimension K, so each weight row is
// read once for all R rows and the weights are read strictly in address
// order. Sequential streams are what the hardware prefetchers follow best:
// reading 4 rows side by side (4 streams 1.5 KiB apart) ran at 55-65% of the
// copy bandwidth on the bench shapes, one row at a time at 80-95%. Two streams
// far apart (the two halves of a thread's range, GemvTwoRows) outran one by
// 10-20% at batch-1 decode: one stream leaves a core's memory-level
// parallelism unused; a third or fourth added nothing. Both kernels also
// prefetch each stream in software, kGemvPrefetchBytes ahead: over a whole
// model's weights (200 MB, nothing cached) that took batch-1 decode from ~80%
// to ~90% of the copy roofline and two concurrent sequences from 0.9x to 1.5x
// the tokens/s of one; 2-16 KiB ahead all did about as well. (On single
// bench-sized matrices an older prefetching variant had looked slower.)
#pragma once
#include <cstdint>

namespace lf::cpu {

// out[r] = sum_k a[r * lda + k] * b[k] for r < R.
template <typename T>
using GemvBlock = void (*)(const T* a, int64_t lda, const T* b, int64_t K, float* out);

// Independent accumulators per row of a: R x U of them hide the latency of the
// multiply-adds, which would otherwise chain on one register when R is 1.
constexpr int gemv_unroll(int rows) { return rows >= 4 ? 1 : 4 / rows; }

// Rows of a one block reads at once: 8 rows x 1 weight row fill 8 of the 32
// vector registers with sums and leave room for the unrolled loads.
constexpr int kGemvBlockRows = 8;

// Blocks for rows in [1, kGemvBlockRows].
GemvBlock<float> gemv_block_portable(int64_t rows, float);
GemvBlock<uint16_t> gemv_block_portable(int64_t rows, uint16_t);
// The vdpbf16ps block, or null where the build or the CPU lacks AVX-512 BF16.
GemvBlock<uint16_t> gemv_block_avx512_bf16(int64_t rows);

// *out0, *out1 = the dots of one row a with the weight rows b0 and b1.
template <typename T>
using GemvTwoRows = void (*)(const T* a, const T* b0, const T* b1, int64_t K, float* out0, float* out1);
GemvTwoRows<float> gemv_two_rows_portable(float);
GemvTwoRows<uint16_t> gemv_two_rows_portable(uint16_t);
// Its vdpbf16ps version, or null as above.
GemvTwoRows<uint16_t> gemv_two_rows_avx512_bf16();

// Software prefetch distance: the weight rows a thread reads next follow the
// current one in memory, so this lands in them. A prefetch never faults, so
// running past the matrix's end is harmless.
constexpr int64_t kGemvPrefetchBytes = 4096;
// The address kGemvPrefetchBytes past p, in integers: no out-of-bounds pointer.
inline const void* gemv_prefetch_target(const void* p) {
  return reinterpret_cast<const void*>(reinterpret_cast<uintptr_t>(p) + kGemvPrefetchBytes);
}

}  // namespace lf::cpu
