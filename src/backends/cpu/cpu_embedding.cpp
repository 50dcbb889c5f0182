// Embedding lookup and its dense (f32) weight gradient.
#include <cstring>
#include <vector>

#include "backends/cpu/cpu_backend.h"
#include "backends/cpu/cpu_convert.h"
#include "backends/cpu/cpu_parallel.h"
#include "core/error.h"

namespace lf::cpu {
namespace {

std::vector<int64_t> checked_ids(const Tensor& ids, int64_t V) {
  std::vector<int64_t> out(static_cast<size_t>(ids.numel()));
  for (int64_t i = 0; i < ids.numel(); ++i) {
    out[i] = load_index(ids.raw_data(), ids.dtype(), i);
    LF_CHECK(out[i] >= 0 && out[i] < V, "embedding: token id ", out[i], " at position ", i,
             " is outside the vocabulary [0, ", V, "); check the tokenizer matches the model");
  }
  return out;
}

}  // namespace

void CpuBackend::embedding(const Tensor& ids, const Tensor& weight, Tensor& out) {
  const int64_t V = weight.size(0), H = weight.size(1);
  const std::vector<int64_t> id = checked_ids(ids, V);
  const int64_t N = static_cast<int64_t>(id.size());
  const bool same = weight.dtype() == out.dtype();
#pragma omp parallel for schedule(static) if (N * H >= kParallelMin)
  for (int64_t n = 0; n < N; ++n) {
    const char* src = elem_ptr(weight, id[n] * H);
    char* dst = elem_ptr(out, n * H);
    if (same) {
      std::memcpy(dst, src, H * dtype_size(out.dtype()));
    } else {
      convert_elements(src, weight.dtype(), dst, out.dtype(), static_cast<size_t>(H));
    }
  }
}

void CpuBackend::embedding_backward(const Tensor& ids, const Tensor& dout, Tensor& dweight) {
  const int64_t V = dweight.size(0), H = dweight.size(1);
  const std::vector<int64_t> id = checked_ids(ids, V);
  const int64_t N = static_cast<int64_t>(id.size());
  float* dw = dweight.data<float>();
  // Threads own column ranges, so repeated ids never race.
  const int64_t blocks = (H + kChunk - 1) / kChunk;
#pragma omp parallel for schedule(static) if (N * H >= kParallelMin)
  for (int64_t blk = 0; blk < blocks; ++blk) {
    const int64_t c0 = blk * kChunk, n = std::min(kChunk, H - c0);
    float buf[kChunk];
    for (int64_t r = 0; r < N; ++r) {
      load_f32(elem_ptr(dout, r * H + c0), dout.dtype(), n, buf);
      float* row = dw + id[r] * H + c0;
#pragma omp simd
      for (int64_t i = 0; i < n; ++i) row[i] += buf[i];
    }
  }
}

}  // namespace lf::cpu
