// Splits a flat range of elements into fixed-size chunks spread over OpenMP
// threads; a chunk is small enough that its f32 working copies stay in L1.
#pragma once
#include <algorithm>
#include <cstdint>

namespace lf::cpu {

constexpr int64_t kChunk = 2048;
// Below this many elements a kernel runs on the calling thread: waking the
// OpenMP team costs more than the work, badly so when cores are oversubscribed.
constexpr int64_t kParallelMin = int64_t(1) << 15;

template <typename F>
void for_chunks(int64_t n, F&& f) {
  const int64_t chunks = (n + kChunk - 1) / kChunk;
#pragma omp parallel for schedule(static) if (n >= kParallelMin)
  for (int64_t c = 0; c < chunks; ++c) {
    const int64_t i0 = c * kChunk;
    f(i0, std::min(kChunk, n - i0));
  }
}

}  // namespace lf::cpu
