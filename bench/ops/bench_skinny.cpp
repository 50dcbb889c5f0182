// The rank-r LoRA products of lora_linear at the bench model's shapes (2048
// tokens, 768 or 2048 features, rank 8), through ops::matmul_, which takes
// cpu_skinny.h's kernels for all but du^T x (product 4), against raw oneDNN on
// the same operands without alpha and beta (vs_raw). Bound by streaming the big
// operand (and c when it is big), so "GB/s" counts the bytes of all three.
// The operands stay in cache between iterations; in training they often do
// not, which is where du^T x favoured oneDNN.
#include "bench_util.h"
#include "ops/ops.h"

namespace lf::bench {
namespace {

void BM_Skinny(benchmark::State& state) {
  const int64_t T = 2048, F = state.range(0), r = 8, product = state.range(1);
  const DType dt = DType::bf16;
  // x A^T, u B^T (+= c), dy B, du A (+= c), du^T x (f32 +=), dy^T u (f32 +=).
  const int64_t mkn[6][3] = {{T, F, r}, {T, r, F}, {T, F, r}, {T, r, F}, {r, T, F}, {F, T, r}};
  const int64_t M = mkn[product][0], K = mkn[product][1], N = mkn[product][2];
  const bool ta = product >= 4, tb = product <= 1;
  const float beta = product % 2 == 1 ? 1.0f : 0.0f;
  Tensor a = random_tensor(ta ? Shape{K, M} : Shape{M, K}, dt);
  Tensor b = random_tensor(tb ? Shape{N, K} : Shape{K, N}, dt);
  Tensor c = random_tensor({M, N}, product >= 4 ? DType::f32 : dt);
  RawMatmul raw(a, b, c, ta, tb);
  raw.run();
  const double bytes = static_cast<double>(a.nbytes() + b.nbytes() + c.nbytes() * (beta ? 2 : 1));
  Timing ours, theirs;
  for (auto _ : state) {
    ours.add(seconds_of([&] { ops::matmul_(c, a, b, ta, tb, 0.5f, beta); }));
    theirs.add(seconds_of([&] { raw.run(); }));
  }
  state.counters["GB/s"] = bytes / ours.best * 1e-9;
  state.counters["raw_GB/s"] = bytes / theirs.best * 1e-9;
  state.counters["vs_raw"] = theirs.total / ours.total;
}

void SkinnyArgs(benchmark::internal::Benchmark* b) {
  b->ArgNames({"F", "product"});
  for (int64_t F : {768, 2048})
    for (int64_t p = 0; p < 6; ++p) b->Args({F, p});
}

BENCHMARK(BM_Skinny)->Apply(SkinnyArgs)->Unit(benchmark::kMicrosecond)->UseRealTime()->MinTime(0.3);

}  // namespace
}  // namespace lf::bench
