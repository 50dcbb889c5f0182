// bench_dist: data-parallel scaling on the CPU. Runs the ~100M Llama-shaped
// benchmark model (bench/train) with LoRA rank 8 for a few steps as 1 worker
// process, then as 2 (each with OMP_NUM_THREADS=1 unless set, the same
// per-rank batch, so the global batch doubles), and prints tokens/s, the
// scaling efficiency, the gradient all-reduce's seconds per step and share of
// the step time (goal: at most 10%), and the part of it left exposed — not
// hidden behind backward (LLAMAFACTORY_DDP_OVERLAP=0 turns the overlap off).
// The workers are this binary again, started with RANK/WORLD_SIZE/MASTER_PORT
// as the launcher would.
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "autograd/autograd.h"
#include "bench_model.h"
#include "dist/dist_env.h"
#include "dist/process_group.h"
#include "models/decoder.h"
#include "models/lora.h"
#include "ops/ops.h"
#include "train/data_parallel.h"
#include "train/optimizer.h"

namespace fs = std::filesystem;
using namespace lf;

namespace {

struct Options {
  int warmup = 1, steps = 3, max_world = 2;
  int64_t batch = 2, seq = 256;
  fs::path model_dir = fs::path(LF_BINARY_DIR) / "bench-train-model";
};

const char* kUsage =
    "usage: bench_dist [--steps N] [--warmup N] [--batch N] [--seq N] [--world N] [--model DIR]\n"
    "  --steps N   timed steps (default 3) after --warmup N (default 1)\n"
    "  --batch N   sequences per rank per step (default 2), --seq N tokens each (default 256)\n"
    "  --world N   largest number of worker processes (default 2); runs 1 and N\n"
    "  --model DIR the benchmark model (default: bench_train's, created once in the build tree)\n";

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (i + 1 >= argc) {
      std::fprintf(stderr, "%s", kUsage);
      std::exit(a == "--help" || a == "-h" ? 0 : 2);
    }
    const char* v = argv[++i];
    if (a == "--steps") o.steps = std::atoi(v);
    else if (a == "--warmup") o.warmup = std::atoi(v);
    else if (a == "--batch") o.batch = std::atoll(v);
    else if (a == "--seq") o.seq = std::atoll(v);
    else if (a == "--world") o.max_world = std::atoi(v);
    else if (a == "--model") o.model_dir = v;
    else {
      std::fprintf(stderr, "%s", kUsage);
      std::exit(2);
    }
  }
  if (o.steps < 1 || o.warmup < 0 || o.batch < 1 || o.seq < 2 || o.max_world < 2) {
    std::fprintf(stderr, "bench_dist: steps, batch >= 1, seq >= 2, world >= 2\n%s", kUsage);
    std::exit(2);
  }
  return o;
}

// The 1, 5 and 15 minute load averages: figures only compare under similar load.
std::string load_average() {
  std::string a = "?", b, c;
  std::ifstream("/proc/loadavg") >> a >> b >> c;
  return a + " " + b + " " + c;
}

double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

struct Figures {
  // Per timed step, on rank 0: the step, the engine's all-reduce time, and
  // the part of it the step waited for after backward.
  double step_s = 0, allreduce_s = 0, exposed_s = 0;
  int64_t started_in_backward = 0, started = 0;  // buckets, over the timed steps
};

// One worker: the training step of `llamafactory-cli train` (LoRA rank 8 on
// every linear, bf16, gradient checkpointing) on random tokens, with the
// gradients summed over the group when there is one.
Figures worker(const Options& o, const dist::DistEnv& env) {
  models::Decoder model = models::Decoder::load(o.model_dir, {DType::bf16, Device::cpu()});
  models::LoraConfig cfg;
  cfg.rank = 8;
  cfg.alpha = 16;
  auto adapters = models::attach_lora(model, cfg, 42);
  std::vector<train::NamedParam> params;
  for (auto& [name, var] : models::lora_parameters(adapters)) params.push_back({name, var});
  train::AdamW optimizer(params, {});
  std::unique_ptr<dist::ProcessGroup> group;
  std::unique_ptr<train::GradientReducer> reducer;
  if (env.distributed()) {
    group = std::make_unique<dist::ProcessGroup>(env, Device::cpu(), std::chrono::minutes(10));
    reducer = std::make_unique<train::GradientReducer>(*group, params);
  }
  std::mt19937_64 rng(1234 + static_cast<uint64_t>(env.rank));
  std::uniform_int_distribution<int64_t> token(0, model.spec().vocab_size - 1);
  std::vector<int64_t> host(static_cast<size_t>(o.batch * o.seq));
  for (int64_t& id : host) id = token(rng);
  const Tensor ids = Tensor::from_ints(host, {o.batch, o.seq});
  Figures f;
  for (int s = 0; s < o.warmup + o.steps; ++s) {
    double t0 = now();
    train::GradientReducer::Stats before = reducer ? reducer->stats() : train::GradientReducer::Stats();
    ag::Var loss = model.loss(ids, ids, Tensor(), ops::AttentionParams(), true);
    Tensor seed = ops::full({1}, 1.0f, DType::f32, Device::cpu());
    if (reducer) {
      reducer->backward(loss, seed);
      reducer->all_reduce();
    } else {
      ag::backward(loss, seed);
    }
    optimizer.step(1e-4f, 1.0f / static_cast<float>(env.world_size));
    if (s >= o.warmup) {
      f.step_s += now() - t0;
      if (reducer) {
        const train::GradientReducer::Stats& after = reducer->stats();
        f.allreduce_s += after.engine_seconds - before.engine_seconds;
        f.exposed_s += after.exposed_seconds - before.exposed_seconds;
        f.started_in_backward += after.started_in_backward - before.started_in_backward;
        f.started += after.buckets_started - before.buckets_started;
      }
    }
  }
  f.step_s /= o.steps;
  f.allreduce_s /= o.steps;
  f.exposed_s /= o.steps;
  if (group) group->finish();
  return f;
}

int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

// Runs `world` copies of this binary as workers; returns rank 0's figures.
Figures run_world(char** argv, int world, const fs::path& result) {
  int port = free_port();
  std::vector<pid_t> pids;
  for (int r = 0; r < world; ++r) {
    pid_t pid = ::fork();
    if (pid == 0) {
      ::setenv("RANK", std::to_string(r).c_str(), 1);
      ::setenv("LOCAL_RANK", std::to_string(r).c_str(), 1);
      ::setenv("WORLD_SIZE", std::to_string(world).c_str(), 1);
      ::setenv("LOCAL_WORLD_SIZE", std::to_string(world).c_str(), 1);
      ::setenv("MASTER_ADDR", "127.0.0.1", 1);
      ::setenv("MASTER_PORT", std::to_string(port).c_str(), 1);
      ::setenv("OMP_NUM_THREADS", "1", 0);
      ::setenv("LF_BENCH_DIST_RESULT", result.c_str(), 1);
      ::execv("/proc/self/exe", argv);
      ::_exit(127);
    }
    pids.push_back(pid);
  }
  bool ok = true;
  for (pid_t p : pids) {
    int st = 0;
    ::waitpid(p, &st, 0);
    ok = ok && WIFEXITED(st) && WEXITSTATUS(st) == 0;
  }
  if (!ok) {
    std::fprintf(stderr, "bench_dist: a worker of the %d-process run failed\n", world);
    std::exit(1);
  }
  Figures f;
  std::ifstream(result) >> f.step_s >> f.allreduce_s >> f.exposed_s >> f.started_in_backward >>
      f.started;
  return f;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    Options o = parse(argc, argv);
    if (const char* out = std::getenv("LF_BENCH_DIST_RESULT")) {
      dist::DistEnv env = dist::dist_env_from_environment();
      Figures f = worker(o, env);
      if (env.rank == 0) {
        std::ofstream(out) << f.step_s << " " << f.allreduce_s << " " << f.exposed_s << " "
                           << f.started_in_backward << " " << f.started << "\n";
      }
      return 0;
    }
    bench::ensure_bench_model(o.model_dir);
    fs::path result = fs::temp_directory_path() / ("bench_dist_" + std::to_string(::getpid()));
    std::printf("bench_dist: %s, LoRA rank 8, bf16, %lld x %lld tokens per rank per step, "
                "%d warm-up + %d timed steps, OMP_NUM_THREADS=%s per worker, overlap %s, load %s\n",
                o.model_dir.filename().c_str(), static_cast<long long>(o.batch),
                static_cast<long long>(o.seq), o.warmup, o.steps,
                std::getenv("OMP_NUM_THREADS") ? std::getenv("OMP_NUM_THREADS") : "1",
                train::ddp_overlap_from_env() ? "on" : "off", load_average().c_str());
    std::fflush(stdout);
    const double tokens = static_cast<double>(o.batch * o.seq);
    Figures one;
    for (int world : {1, o.max_world}) {
      Figures f = run_world(argv, world, result);
      double tps = tokens * world / f.step_s;
      if (world == 1) one = f;
      std::printf("%d process%s: %.2f s/step, %.1f tokens/s", world, world == 1 ? "  " : "es",
                  f.step_s, tps);
      if (world > 1) {
        std::printf(", scaling %.2fx of %d (efficiency %.0f%%), all-reduce %.1f ms/step = %.1f%% "
                    "of the step (goal <= 10%%), exposed %.1f ms/step = %.1f%% of the step "
                    "(%lld of %lld buckets started during backward)",
                    tps / (tokens / one.step_s), world, 100.0 * tps / (tokens * world / one.step_s),
                    1e3 * f.allreduce_s, 100.0 * f.allreduce_s / f.step_s, 1e3 * f.exposed_s,
                    100.0 * f.exposed_s / f.step_s, static_cast<long long>(f.started_in_backward),
                    static_cast<long long>(f.started));
      }
      std::printf("\n");
      std::fflush(stdout);
    }
    std::filesystem::remove(result);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_dist: %s\n", e.what());
    return 1;
  }
}
