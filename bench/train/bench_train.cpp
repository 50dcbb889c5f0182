// bench_train: training throughput of the ~100M Llama-shaped model with LoRA
// rank 8 on every linear, batch 4 x 512 random tokens, bf16, gradient
// checkpointing — through Decoder::loss, ag::backward and AdamW, the path of
// `llamafactory-cli train`. Prints tokens/s, step time, model FLOPs utilisation
// against a bf16 GEMM timed in the same process, and peak RSS
// (docs/benchmarks.md, "Training").
#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <numeric>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "autograd/autograd.h"
#include "bench_clock.h"
#include "bench_model.h"
#include "flops.h"
#include "models/decoder.h"
#include "models/lora.h"
#include "op_timer.h"
#include "ops/ops.h"
#include "train/optimizer.h"

namespace fs = std::filesystem;
using namespace lf;

namespace {

struct Options {
  int warmup = 1, steps = 3;
  int64_t batch = 4, seq = 512, lora_rank = 8;  // lora_rank 0 = full fine-tuning
  bool profile = false;
  bench::Clock clock = bench::Clock::wall;
  fs::path model_dir = fs::path(LF_BINARY_DIR) / "bench-train-model";
};

const char* kUsage =
    "usage: bench_train [--steps N] [--warmup N] [--batch N] [--seq N]\n"
    "                   [--lora-rank R | --full] [--profile] [--cpu-clock] [--model DIR]\n"
    "  --steps N      timed training steps (default 3) after --warmup N (default 1)\n"
    "  --batch, --seq batch size and sequence length (default 4 x 512)\n"
    "  --lora-rank R  LoRA rank on every decoder linear (default 8); --full trains every weight\n"
    "  --profile      time every backend op and print where the step time goes\n"
    "  --cpu-clock    time in process CPU seconds instead of wall seconds: with\n"
    "                 OMP_NUM_THREADS=1, figures a loaded machine does not inflate\n"
    "  --model DIR    model directory (default: created once in the build tree)\n";

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "bench_train: %s needs a value\n%s", argv[i], kUsage);
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--steps") o.steps = std::atoi(value());
    else if (a == "--warmup") o.warmup = std::atoi(value());
    else if (a == "--batch") o.batch = std::atoll(value());
    else if (a == "--seq") o.seq = std::atoll(value());
    else if (a == "--lora-rank") o.lora_rank = std::atoll(value());
    else if (a == "--full") o.lora_rank = 0;
    else if (a == "--profile") o.profile = true;
    else if (a == "--cpu-clock") o.clock = bench::Clock::process_cpu;
    else if (a == "--model") o.model_dir = value();
    else {
      std::fprintf(stderr, "%s", kUsage);
      std::exit(a == "--help" || a == "-h" ? 0 : 2);
    }
  }
  if (o.steps < 1 || o.warmup < 0 || o.batch < 1 || o.seq < 2 || o.lora_rank < 0) {
    std::fprintf(stderr, "bench_train: steps, batch >= 1, seq >= 2, warmup and rank >= 0\n");
    std::exit(2);
  }
  return o;
}

double seconds_since(double t0) { return bench::now_seconds() - t0; }

// The trainable parameters, set up as train/trainable.cpp does: fresh LoRA
// adapters (alpha = 2 r, LLaMA-Factory's default), or every weight as an f32 master copy.
std::vector<train::NamedParam> make_trainable(models::Decoder& model, int64_t lora_rank) {
  std::vector<train::NamedParam> params;
  if (lora_rank > 0) {
    models::LoraConfig cfg;
    cfg.rank = lora_rank;
    cfg.alpha = static_cast<float>(2 * lora_rank);
    auto adapters = models::attach_lora(model, cfg, 42);
    for (auto& [name, var] : models::lora_parameters(adapters)) params.push_back({name, var});
    return params;
  }
  for (auto& [name, var] : model.named_weights()) {
    *var = ag::Var::parameter(var->value().to(DType::f32).contiguous().clone());
    params.push_back({name, *var});
  }
  return params;
}

// The yardstick: one bf16 [2048 x 768] @ [768 x 2048] product, the shape of the
// model's projections on a 2048-token batch. Returns its seconds.
class Gemm {
 public:
  Gemm() {
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    std::vector<float> a(kM * kK), b(kK * kN);
    for (float& x : a) x = u(rng);
    for (float& x : b) x = u(rng);
    a_ = Tensor::from_vector(a, {kM, kK}, DType::bf16);
    b_ = Tensor::from_vector(b, {kK, kN}, DType::bf16);
    c_ = ops::matmul(a_, b_);
  }
  double seconds() {
    const double t0 = bench::now_seconds();
    ops::matmul_(c_, a_, b_, false, false);
    return seconds_since(t0);
  }
  static constexpr double flops() { return 2.0 * kM * kK * kN; }

 private:
  static constexpr int64_t kM = 2048, kK = 768, kN = 2048;
  Tensor a_, b_, c_;
};

struct StepTimes {
  double forward = 0, backward = 0, optimizer = 0;
  double total() const { return forward + backward + optimizer; }
};

double peak_rss_mib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

void print_profile(const bench::OpTimer& timer, double step_seconds_sum, int steps) {
  std::vector<std::pair<std::string, bench::OpTimer::Total>> rows(timer.totals().begin(),
                                                                  timer.totals().end());
  std::sort(rows.begin(), rows.end(),
            [](const auto& a, const auto& b) { return a.second.seconds > b.second.seconds; });
  double in_ops = 0;
  for (const auto& r : rows) in_ops += r.second.seconds;
  std::printf("\nprofile (per step, %d timed steps; %% of step time; phase: op)\n", steps);
  std::printf("  %8s %6s %7s %9s  %s\n", "ms", "%", "calls", "GFLOP/s", "op");
  for (const auto& [name, t] : rows) {
    if (t.seconds / step_seconds_sum < 0.002) break;
    char rate[16] = "";
    if (t.flops > 0) std::snprintf(rate, sizeof rate, "%.0f", t.flops / t.seconds / 1e9);
    std::printf("  %8.1f %6.1f %7.0f %9s  %s\n", 1e3 * t.seconds / steps,
                100.0 * t.seconds / step_seconds_sum, static_cast<double>(t.calls) / steps, rate,
                name.c_str());
  }
  std::printf("  %8.1f %6.1f %7s %9s  %s\n", 1e3 * (step_seconds_sum - in_ops) / steps,
              100.0 * (step_seconds_sum - in_ops) / step_seconds_sum, "", "",
              "outside backend ops (autograd, allocation, host work)");
}

int run(const Options& o) {
  bench::set_clock(o.clock);
  bench::ensure_bench_model(o.model_dir);
  models::Decoder model = models::Decoder::load(o.model_dir, {DType::bf16, Device::cpu()});
  std::vector<train::NamedParam> params = make_trainable(model, o.lora_rank);
  int64_t trainable = 0;
  for (const auto& p : params) trainable += p.var.value().numel();
  train::AdamW optimizer(params, {});
  const bench::TokenFlops flops = bench::token_flops(model, o.seq, o.lora_rank);

  std::mt19937_64 rng(1234);
  std::uniform_int_distribution<int64_t> token(0, model.spec().vocab_size - 1);
  std::vector<int64_t> host(static_cast<size_t>(o.batch * o.seq));
  for (int64_t& id : host) id = token(rng);
  const Tensor ids = Tensor::from_ints(host, {o.batch, o.seq});
  const ops::AttentionParams causal;

  bench::OpTimer* timer = o.profile ? &bench::OpTimer::install() : nullptr;
  auto phase = [&](const char* p) {
    if (timer) timer->set_phase(p);
  };
  Gemm gemm;
  constexpr int kGemmReps = 5;

  std::printf("bench_train: %s, %.1fM parameters in products (%.1fM decoder linears + %.1fM lm_head), "
              "%s, trainable %lld\n",
              o.model_dir.filename().c_str(), (flops.n_layers + flops.n_head) / 1e6,
              flops.n_layers / 1e6, flops.n_head / 1e6,
              o.lora_rank > 0 ? ("LoRA rank " + std::to_string(o.lora_rank)).c_str() : "full fine-tuning",
              static_cast<long long>(trainable));
  std::printf("batch %lld x %lld tokens, bf16, gradient checkpointing, %d warm-up + %d timed steps, "
              "%s\n",
              static_cast<long long>(o.batch), static_cast<long long>(o.seq), o.warmup, o.steps,
              o.clock == bench::Clock::wall ? "wall clock" : "process CPU clock");

  // Each timed step is preceded by a few yardstick GEMMs, so both series see the
  // same load on a shared machine.
  std::vector<StepTimes> steps;
  std::vector<double> gemm_times;
  for (int s = 0; s < o.warmup + o.steps; ++s) {
    const bool timed = s >= o.warmup;
    phase(nullptr);
    for (int r = 0; r < kGemmReps; ++r) {
      double t = gemm.seconds();
      if (timed) gemm_times.push_back(t);
    }
    if (timer && s == o.warmup) timer->reset();
    StepTimes st;
    double t0 = bench::now_seconds();
    phase("forward: ");
    ag::Var loss = model.loss(ids, ids, Tensor(), causal, true);
    st.forward = seconds_since(t0);
    t0 = bench::now_seconds();
    phase("backward: ");
    ag::backward(loss);
    st.backward = seconds_since(t0);
    t0 = bench::now_seconds();
    phase("optimizer: ");
    optimizer.step(1e-4f);
    st.optimizer = seconds_since(t0);
    phase(nullptr);
    std::printf("  step %d%s: %.2f s (forward %.2f, backward incl. recompute %.2f, optimizer %.3f), "
                "loss %.4f\n",
                s + 1, timed ? "" : " (warm-up)", st.total(), st.forward, st.backward, st.optimizer,
                loss.value().item());
    if (timed) steps.push_back(st);
  }

  const double tokens = static_cast<double>(o.batch * o.seq);
  double step_sum = 0, fwd = 0, bwd = 0, opt = 0, step_best = 1e30;
  for (const auto& st : steps) {
    step_sum += st.total();
    fwd += st.forward;
    bwd += st.backward;
    opt += st.optimizer;
    step_best = std::min(step_best, st.total());
  }
  const double n_steps = static_cast<double>(steps.size());
  const double step_mean = step_sum / n_steps;
  const double gemm_sum = std::accumulate(gemm_times.begin(), gemm_times.end(), 0.0);
  const double gemm_best = *std::min_element(gemm_times.begin(), gemm_times.end());
  const double gemm_rate = Gemm::flops() * static_cast<double>(gemm_times.size()) / gemm_sum;
  const double gemm_rate_best = Gemm::flops() / gemm_best;
  const double model_flops = flops.model * tokens, hw_flops = (flops.model + flops.recompute) * tokens;
  const double mfu = model_flops / step_mean / gemm_rate;
  const double mfu_best = model_flops / step_best / gemm_rate_best;

  std::printf("\nstep time           %.2f s mean (forward %.2f, backward incl. recompute %.2f, "
              "optimizer %.3f), best %.2f s\n",
              step_mean, fwd / n_steps, bwd / n_steps, opt / n_steps, step_best);
  std::printf("tokens/s            %.1f (mean), %.1f (best step)\n", tokens / step_mean,
              tokens / step_best);
  std::printf("FLOPs per token     %.0f M model (%s) + %.0f M recompute = %.0f M executed\n",
              flops.model / 1e6, o.lora_rank > 0 ? "4N + attention + adapters" : "6N + attention",
              flops.recompute / 1e6, (flops.model + flops.recompute) / 1e6);
  std::printf("recompute share     %.1f%% of executed FLOPs\n",
              100.0 * flops.recompute / (flops.model + flops.recompute));
  std::printf("bf16 GEMM rate      %.1f GFLOP/s over the run, %.1f best (2048x768x2048 ops::matmul)\n",
              gemm_rate / 1e9, gemm_rate_best / 1e9);
  std::printf("achieved            %.1f GFLOP/s model, %.1f GFLOP/s with recompute\n",
              model_flops / step_mean / 1e9, hw_flops / step_mean / 1e9);
  std::printf("MFU                 %.1f%% of the GEMM rate (same-load means), %.1f%% best/best; "
              "with recompute %.1f%%\n",
              100.0 * mfu, 100.0 * mfu_best, 100.0 * hw_flops / step_mean / gemm_rate);
  std::printf("peak RSS            %.0f MiB\n", peak_rss_mib());
  if (timer) print_profile(*timer, step_sum, o.steps);
  // One machine-readable line for scripts/bench-train.sh.
  std::printf("RESULT tokens_per_s=%.2f mfu=%.4f peak_rss_mib=%.0f\n", tokens / step_mean, mfu,
              peak_rss_mib());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // progress lines show up when piped
  try {
    return run(parse(argc, argv));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_train: %s\n", e.what());
    return 1;
  }
}
