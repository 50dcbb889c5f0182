// LLM-shaped matmuls: [tokens x hidden] against [hidden x hidden | intermediate |
// vocab] weights (Hugging Face layout w [out, in]), forward and both backward
// products, bf16. Each iteration runs ours, then raw oneDNN on the same
// shapes and buffers, so "vs_raw" compares them under the same load.
#include "bench_util.h"
#include "ops/ops.h"

namespace lf::bench {
namespace {

constexpr int64_t kTokens = 512, kHidden = 768;

enum Product { kForward = 0, kGradInput = 1, kGradWeight = 2 };

void BM_Matmul(benchmark::State& state) {
  const int64_t out = state.range(0);
  const auto product = static_cast<Product>(state.range(1));
  const DType dt = state.range(2) ? DType::bf16 : DType::f32;
  Tensor x = random_tensor({kTokens, kHidden}, dt), w = random_tensor({out, kHidden}, dt);
  Tensor dy = random_tensor({kTokens, out}, dt);
  // forward y = x w^T; dx = dy w; dw = dy^T x.
  const Tensor& a = product == kForward ? x : dy;
  const Tensor& b = product == kForward ? w : (product == kGradInput ? w : x);
  const bool ta = product == kGradWeight, tb = product == kForward;
  Tensor c = ops::matmul(a, b, ta, tb);
  RawMatmul raw(a, b, c, ta, tb);
  raw.run();
  const double flops = 2.0 * kTokens * kHidden * out;
  Timing ours, theirs;
  for (auto _ : state) {
    ours.add(seconds_of([&] { ops::matmul_(c, a, b, ta, tb); }));
    theirs.add(seconds_of([&] { raw.run(); }));
  }
  state.counters["GFLOP/s"] = flops / ours.best * 1e-9;
  state.counters["raw_GFLOP/s"] = flops / theirs.best * 1e-9;
  state.counters["vs_raw"] = theirs.total / ours.total;
}

void MatmulArgs(benchmark::internal::Benchmark* b) {
  b->ArgNames({"out", "product", "bf16"});
  for (int64_t bf16 : {1, 0})
    for (int64_t out : {kHidden, int64_t{2048}, int64_t{32000}})
      for (int64_t p : {kForward, kGradInput, kGradWeight}) b->Args({out, p, bf16});
}

BENCHMARK(BM_Matmul)->Apply(MatmulArgs)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(1.0);

}  // namespace
}  // namespace lf::bench
