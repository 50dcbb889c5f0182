// Memory-bound fused ops (GB/s against the copy bandwidth) and attention
// forward+backward (time against its matmul FLOPs at the GEMM rate).
#include <vector>

#include "bench_util.h"
#include "ops/backend.h"
#include "ops/ops.h"

namespace lf::bench {
namespace {

// 4096 x 4096 bf16 = 32 MiB per tensor: larger than the caches.
constexpr int64_t kRows = 4096, kCols = 4096;
constexpr double kElems = double(kRows) * kCols;

void BM_Copy(benchmark::State& state) {
  copy_seconds();  // first touch of the arrays
  double best = 1e30;
  for (auto _ : state) best = std::min(best, copy_seconds());
  state.counters["GB/s"] = kCopyBytes / best * 1e-9;
}

void BM_RmsNorm(benchmark::State& state) {
  Tensor x = random_tensor({kRows, kCols}, DType::bf16), w = random_tensor({kCols}, DType::bf16);
  run_bandwidth(state, 2.0 * 2 * kElems, [&] { benchmark::DoNotOptimize(ops::rms_norm(x, w, 1e-6f)); });
}

void BM_RmsNormBackward(benchmark::State& state) {
  Tensor x = random_tensor({kRows, kCols}, DType::bf16), w = random_tensor({kCols}, DType::bf16);
  Tensor dy = random_tensor({kRows, kCols}, DType::bf16);
  Tensor rstd = ops::rms_norm(x, w, 1e-6f).rstd;
  Tensor dw = ops::zeros({kCols}, DType::f32, Device::cpu());
  run_bandwidth(state, 3.0 * 2 * kElems,
                [&] { benchmark::DoNotOptimize(ops::rms_norm_backward(dy, x, w, rstd, dw)); });
}

void BM_Swiglu(benchmark::State& state) {
  Tensor g = random_tensor({kRows, kCols}, DType::bf16), u = random_tensor({kRows, kCols}, DType::bf16);
  run_bandwidth(state, 3.0 * 2 * kElems, [&] { benchmark::DoNotOptimize(ops::swiglu(g, u)); });
}

void BM_SwigluBackward(benchmark::State& state) {
  Tensor g = random_tensor({kRows, kCols}, DType::bf16), u = random_tensor({kRows, kCols}, DType::bf16);
  Tensor d = random_tensor({kRows, kCols}, DType::bf16), dg, du;
  run_bandwidth(state, 5.0 * 2 * kElems, [&] { ops::swiglu_backward(d, g, u, dg, du); });
}

void BM_Rope(benchmark::State& state) {
  // [1, 4096 tokens, 32 heads, 128] bf16 = the same 32 MiB.
  Tensor x = random_tensor({1, kRows, 32, 128}, DType::bf16);
  std::vector<int64_t> pos(kRows);
  for (int64_t i = 0; i < kRows; ++i) pos[i] = i;
  Tensor p = Tensor::from_ints(pos, {1, kRows});
  run_bandwidth(state, 2.0 * 2 * kElems, [&] { benchmark::DoNotOptimize(ops::rope(x, p, {})); });
}

// Sampling's top-k over a decode step's bf16 logits [rows, 32000]: k 1
// (greedy) or 50 (LLaMA-Factory's top_k). Microseconds per step.
void BM_TopK(benchmark::State& state) {
  const int64_t rows = state.range(0), k = state.range(1), V = 32000;
  Tensor logits = random_tensor({rows, V}, DType::bf16);
  Tensor values = Tensor::empty({rows, k}, DType::f32, Device::cpu());
  Tensor indices = Tensor::empty({rows, k}, DType::i32, Device::cpu());
  ops::Backend& be = ops::backend_for(Device::cpu());
  for (auto _ : state) be.topk(logits, k, values, indices);
}

void BM_CrossEntropyChunk(benchmark::State& state) {
  // The per-chunk kernel of linear_cross_entropy on f32 logits [1024, 32000]: one read.
  const int64_t N = 1024, V = 32000;
  Tensor logits = random_tensor({N, V}, DType::f32);
  std::vector<int64_t> lab(N);
  for (int64_t i = 0; i < N; ++i) lab[i] = (i * 7919) % V;
  Tensor labels = Tensor::from_ints(lab, {N});
  run_bandwidth(state, 4.0 * N * V, [&] { benchmark::DoNotOptimize(ops::cross_entropy(logits, labels)); });
}

void BM_AttentionFwdBwd(benchmark::State& state) {
  const int64_t B = 1, T = state.range(0), H = 8, D = 64;
  Tensor q = random_tensor({B, T, H, D}, DType::bf16), k = random_tensor({B, T, H, D}, DType::bf16);
  Tensor v = random_tensor({B, T, H, D}, DType::bf16), dout = random_tensor({B, T, H, D}, DType::bf16);
  ops::AttentionParams p;
  Timing attn, gemm;
  for (auto _ : state) {
    attn.add(seconds_of([&] {
      auto r = ops::attention(q, k, v, p);
      auto g = ops::attention_backward(dout, q, k, v, r.out, r.lse, p);
      benchmark::DoNotOptimize(g.dq.raw_data());
    }));
    for (int rep = 0; rep < 4; ++rep) gemm.add(gemm_seconds());
  }
  // Causal: half of the T x T products. Forward 2 (QK^T, PV), backward 5
  // (QK^T again, dO V^T, dV, dK, dQ): 7 matmuls of 2*T*T*D FLOPs, halved.
  const double flops = 7.0 * T * T * D * H * B;
  const double iters = static_cast<double>(state.iterations());
  state.counters["GFLOP/s"] = flops / attn.best * 1e-9;
  state.counters["gemm_GFLOP/s"] = kGemmFlops / gemm.best * 1e-9;
  // Attention time over the time its FLOPs take at the GEMM rate (mean-based).
  const double mean_gemm_rate = kGemmFlops * 4 * iters / gemm.total;
  state.counters["x_gemm_time"] = (attn.total / iters) / (flops / mean_gemm_rate);
}

BENCHMARK(BM_Copy)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(0.5);
BENCHMARK(BM_RmsNorm)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(0.5);
BENCHMARK(BM_RmsNormBackward)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(0.5);
BENCHMARK(BM_Swiglu)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(0.5);
BENCHMARK(BM_SwigluBackward)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(0.5);
BENCHMARK(BM_Rope)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(0.5);
BENCHMARK(BM_TopK)->ArgsProduct({{1, 16}, {1, 50}})->Unit(benchmark::kMicrosecond)->UseRealTime()->MinTime(0.3);
BENCHMARK(BM_CrossEntropyChunk)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(0.5);
BENCHMARK(BM_AttentionFwdBwd)->Arg(1024)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(1.0);

}  // namespace
}  // namespace lf::bench
