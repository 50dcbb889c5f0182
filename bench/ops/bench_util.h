// Shared pieces of the op benchmarks: random tensors, the two yardsticks (a
// STREAM-style copy and a raw oneDNN GEMM) and the timing discipline. The
// machine may be shared, so each iteration runs the op and its yardstick back
// to back: absolute rates use the fastest iteration of each (the slower ones
// measure the neighbours' load), ratios use the summed times of both, which
// saw the same load.
#pragma once
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>

#include "core/tensor.h"

namespace lf::bench {

Tensor random_tensor(const Shape& shape, DType dtype, float scale = 1.0f);

template <typename F>
double seconds_of(F&& f) {
  auto t0 = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// dst[i] = src[i] over OpenMP threads (the STREAM "copy" kernel) on two 64 MiB
// arrays; returns its seconds. Bytes moved: kCopyBytes (read + write).
double copy_seconds();
constexpr double kCopyBytes = 2.0 * 4 * (1 << 24);

// Seconds of one raw oneDNN bf16 GEMM [512 x 768] x [768 x 768]; kGemmFlops FLOPs.
double gemm_seconds();
constexpr double kGemmFlops = 2.0 * 512 * 768 * 768;

// Fastest and summed seconds of a series of runs.
struct Timing {
  double best = 1e30, total = 0.0;
  void add(double s) {
    best = std::min(best, s);
    total += s;
  }
};

// Runs f once per iteration, interleaved with the copy, and reports "GB/s" for
// the bytes f moves, the copy's "copy_GB/s", and "vs_copy", the op's rate as a
// fraction of the copy's.
template <typename F>
void run_bandwidth(benchmark::State& state, double bytes_per_iter, F&& f) {
  f();  // first touch of outputs and the allocator's cache
  copy_seconds();
  Timing op, copy;
  for (auto _ : state) {
    op.add(seconds_of(f));
    copy.add(copy_seconds());
  }
  state.counters["GB/s"] = bytes_per_iter / op.best * 1e-9;
  state.counters["copy_GB/s"] = kCopyBytes / copy.best * 1e-9;
  state.counters["vs_copy"] = (bytes_per_iter / op.total) / (kCopyBytes / copy.total);
}

// c[M, N] = op(a) @ op(b) through a oneDNN matmul primitive built once, with
// plain layouts: what a hand-written call to the library gives.
class RawMatmul {
 public:
  RawMatmul(const Tensor& a, const Tensor& b, const Tensor& c, bool trans_a, bool trans_b);
  ~RawMatmul();
  void run();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lf::bench
