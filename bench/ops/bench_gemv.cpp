// Decode-shaped matmuls: one (or a few) rows of activations against the bench
// model's weights w [out, in] (768->768, 768->2048, 2048->768, 768->32000),
// y = x w^T through ops::matmul, which takes cpu_gemv.h's kernel up to its row
// threshold. Bound by the weight stream, so "GB/s" counts weight bytes. Each
// iteration runs ours, the copy, raw oneDNN on the same operands, the copy
// again: the copies evict the weights (a 768x768 bf16 matrix fits in L2/L3,
// a decode step's 200 MB do not), "vs_copy" compares ours with the copies of
// the same iterations and "raw_GB/s" is oneDNN's rate, the kernel's reason.
// frozen:1 first hands w to ops::freeze_weight, as serving does: from
// cpu::kPackedMinRows rows the product then reads oneDNN's packed copy.
#include "bench_util.h"
#include "ops/ops.h"

namespace lf::bench {
namespace {

void BM_Gemv(benchmark::State& state) {
  const int64_t out = state.range(0), in = state.range(1), rows = state.range(2);
  const DType dt = state.range(3) ? DType::bf16 : DType::f32;
  Tensor x = random_tensor({rows, in}, dt), w = random_tensor({out, in}, dt);
  if (state.range(4)) ops::freeze_weight(w);
  Tensor y = ops::matmul(x, w, false, true);
  RawMatmul raw(x, w, y, false, true);
  raw.run();
  copy_seconds();
  const double bytes = static_cast<double>(w.nbytes());
  Timing ours, theirs, copy;
  for (auto _ : state) {
    ours.add(seconds_of([&] { ops::matmul_(y, x, w, false, true); }));
    copy.add(copy_seconds());
    theirs.add(seconds_of([&] { raw.run(); }));
    copy.add(copy_seconds());
  }
  state.counters["GB/s"] = bytes / ours.best * 1e-9;
  state.counters["raw_GB/s"] = bytes / theirs.best * 1e-9;
  state.counters["copy_GB/s"] = kCopyBytes / copy.best * 1e-9;
  state.counters["vs_copy"] = (bytes / ours.total) / (2 * kCopyBytes / copy.total);
  state.counters["vs_raw"] = theirs.total / ours.total;
}

void GemvArgs(benchmark::internal::Benchmark* b) {
  b->ArgNames({"out", "in", "rows", "bf16", "frozen"});
  for (int64_t bf16 : {1, 0})
    for (auto [out, in] : {std::pair<int64_t, int64_t>{768, 768}, {2048, 768}, {768, 2048}, {32000, 768}})
      b->Args({out, in, 1, bf16, 0});
  // Batched decode: where the kernels' row thresholds sit, plain and frozen.
  for (int64_t frozen : {0, 1})
    for (int64_t rows : {2, 4, 8, 9, 11, 12, 16}) b->Args({2048, 768, rows, 1, frozen});
}

BENCHMARK(BM_Gemv)->Apply(GemvArgs)->Unit(benchmark::kMicrosecond)->UseRealTime()->MinTime(0.5);

}  // namespace
}  // namespace lf::bench
