// Skinny matmul driver: checks that the operands fit the kernel, packs the few
// rows of a when they are not unit-stride, and splits the weight rows (output
// columns) across OpenMP threads in contiguous ranges, so each thread streams
// one stretch of the weights in address order, or at batch 1 the two halves
// of its stretch side by side (cpu_gemv_block.h says why).
#include "backends/cpu/cpu_gemv.h"

#include <algorithm>
#include <vector>

#include <omp.h>

#include "backends/cpu/cpu_gemv_block.h"
#include "backends/cpu/cpu_parallel.h"
#include "backends/cpu/cpu_vec.h"

namespace lf::cpu {
namespace {

// Element offset of batch entry p (row-major over the leading dims) in t.
int64_t batch_offset(const Tensor& t, int64_t p) {
  int64_t off = 0;
  for (int64_t d = t.dim() - 3; d >= 0 && p > 0; --d) {
    off += (p % t.size(d)) * t.stride(d);
    p /= t.size(d);
  }
  return off;
}

template <typename T>
GemvBlock<T> block_for(int64_t rows) {
  if constexpr (sizeof(T) == 2) {
    if (GemvBlock<uint16_t> f = gemv_block_avx512_bf16(rows)) return f;
  }
  return gemv_block_portable(rows, T{});
}

template <typename C>
void store(float v, float beta, C* p) {
  if (beta != 0.0f) v += beta * to_f32(*p);  // beta = 0 must not read NaNs of fresh memory
  from_f32(v, p);
}

// c[rows, N] = alpha * a[rows, K] @ b[N, K]^T + beta * c; a rows lda apart, b rows ldb apart.
// Rows beyond one block run as further blocks on the same weight row, which
// the first block left in L1 (two weight rows per block instead, sharing each
// load of a, ran slower: two streams defeat the prefetcher, as above).
template <typename T>
GemvTwoRows<T> two_rows_for() {
  if constexpr (sizeof(T) == 2) {
    if (GemvTwoRows<uint16_t> f = gemv_two_rows_avx512_bf16()) return f;
  }
  return gemv_two_rows_portable(T{});
}

// One row of a: each thread takes a contiguous range of weight rows and walks
// its two halves side by side, two read streams far apart (cpu_gemv_block.h).
template <typename T, typename C>
void run_one_row(GemvTwoRows<T> two, const T* a, const T* b, int64_t ldb, C* c, int64_t N, int64_t K,
                 float alpha, float beta) {
  const GemvBlock<T> one = block_for<T>(1);
#pragma omp parallel if (N * K >= kParallelMin)
  {
    const int64_t t = omp_get_thread_num(), threads = omp_get_num_threads();
    const int64_t lo = N * t / threads, hi = N * (t + 1) / threads, half = (hi - lo) / 2;
    for (int64_t i = lo; i < lo + half; ++i) {
      float o0, o1;
      two(a, b + i * ldb, b + (i + half) * ldb, K, &o0, &o1);
      store(alpha * o0, beta, c + i);
      store(alpha * o1, beta, c + i + half);
    }
    if ((hi - lo) % 2) {
      float o;
      one(a, 0, b + (hi - 1) * ldb, K, &o);
      store(alpha * o, beta, c + hi - 1);
    }
  }
}

template <typename T, typename C>
void run(const T* a, int64_t lda, const T* b, int64_t ldb, C* c, int64_t rows, int64_t N,
         int64_t K, float alpha, float beta) {
  if (rows == 1) {
    run_one_row(two_rows_for<T>(), a, b, ldb, c, N, K, alpha, beta);
    return;
  }
  const int64_t runs = (rows + kGemvBlockRows - 1) / kGemvBlockRows;
  GemvBlock<T> blocks[(kGemvMaxRows + kGemvBlockRows - 1) / kGemvBlockRows];
  for (int64_t r = 0; r < runs; ++r)
    blocks[r] = block_for<T>(std::min<int64_t>(kGemvBlockRows, rows - r * kGemvBlockRows));
#pragma omp parallel for schedule(static) if (N * K >= kParallelMin)
  for (int64_t n = 0; n < N; ++n) {
    float out[kGemvMaxRows];
    for (int64_t r = 0; r < runs; ++r)
      blocks[r](a + r * kGemvBlockRows * lda, lda, b + n * ldb, K, out + r * kGemvBlockRows);
    for (int64_t r = 0; r < rows; ++r) store(alpha * out[r], beta, c + r * N + n);
  }
}

// One weight matrix's worth: `rows` rows of op(a), the (p, i) row at
// a + batch_offset(a, p) + i * s_row, elements s_k apart, for p in [p0, p0 + batches).
template <typename T>
void problem(const Tensor& a, int64_t p0, int64_t batches, int64_t M, int64_t s_row, int64_t s_k,
             const T* b, int64_t ldb, Tensor& c, int64_t N, int64_t K, float alpha, float beta) {
  const T* base = static_cast<const T*>(a.raw_data());
  const T* pa = base + batch_offset(a, p0);
  int64_t lda = s_row;
  const int64_t rows = batches * M;
  if (s_k != 1 || batches > 1) {
    // Pack the rows (at most kGemvMaxRows x K elements, against N x K of weights).
    thread_local std::vector<T> packed;
    packed.resize(static_cast<size_t>(rows * K));
    for (int64_t p = 0; p < batches; ++p) {
      const T* src = base + batch_offset(a, p0 + p);
      for (int64_t i = 0; i < M; ++i)
        for (int64_t k = 0; k < K; ++k)
          packed[static_cast<size_t>((p * M + i) * K + k)] = src[i * s_row + k * s_k];
    }
    pa = packed.data();
    lda = K;
  }
  const int64_t c_off = p0 * M * N;
  if (c.dtype() == DType::f32)
    run(pa, lda, b, ldb, static_cast<float*>(c.raw_data()) + c_off, rows, N, K, alpha, beta);
  else
    run(pa, lda, b, ldb, static_cast<T*>(c.raw_data()) + c_off, rows, N, K, alpha, beta);
}

template <typename T>
void gemv_typed(const Tensor& a, const Tensor& b, Tensor& c, bool trans_a, bool trans_b, int64_t M,
                int64_t N, int64_t K, int64_t batch, float alpha, float beta) {
  const int64_t s_row = trans_a ? a.stride(-1) : a.stride(-2);
  const int64_t s_k = trans_a ? a.stride(-2) : a.stride(-1);
  const int64_t ldb = trans_b ? b.stride(-2) : b.stride(-1);
  const T* bb = static_cast<const T*>(b.raw_data());
  if (b.dim() == 2) {
    // One weight matrix for the whole batch: every row of every entry at once.
    problem<T>(a, 0, batch, M, s_row, s_k, bb, ldb, c, N, K, alpha, beta);
    return;
  }
  for (int64_t p = 0; p < batch; ++p)
    problem<T>(a, p, 1, M, s_row, s_k, bb + batch_offset(b, p), ldb, c, N, K, alpha, beta);
}

}  // namespace

bool gemv(const Tensor& a, const Tensor& b, Tensor& c, bool trans_a, bool trans_b, float alpha,
          float beta) {
  const DType t = a.dtype();
  if (b.dtype() != t || (t != DType::bf16 && t != DType::f32)) return false;
  if ((c.dtype() != DType::f32 && c.dtype() != t) || !c.is_contiguous()) return false;
  const int64_t M = trans_a ? a.size(-1) : a.size(-2), K = trans_a ? a.size(-2) : a.size(-1);
  const int64_t N = trans_b ? b.size(-2) : b.size(-1);
  if (M == 0 || N == 0 || K == 0) return false;
  // Each output reads one contiguous row of b: op(b)'s K index must be unit-stride.
  if (K > 1 && (trans_b ? b.stride(-1) : b.stride(-2)) != 1) return false;
  const int64_t batch = c.numel() / (M * N);
  if ((b.dim() == 2 ? batch * M : M) > kGemvMaxRows) return false;
  // Many small products, one per batch entry, would each run on one thread;
  // oneDNN spreads the batch over the threads instead.
  if (b.dim() > 2 && batch > 1 && N * K < kParallelMin) return false;
  if (t == DType::bf16)
    gemv_typed<uint16_t>(a, b, c, trans_a, trans_b, M, N, K, batch, alpha, beta);
  else
    gemv_typed<float>(a, b, c, trans_a, trans_b, M, N, K, batch, alpha, beta);
  return true;
}

}  // namespace lf::cpu
