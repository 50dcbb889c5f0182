// The gradient reducer with ranks as threads over Gloo: buckets start during
// backward when overlap is on, and the sums are the same, bit for bit, with
// overlap on and off.
#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "autograd/autograd.h"
#include "dist/process_group.h"
#include "dist_workers.h"
#include "ops/ops.h"
#include "rank_threads.h"
#include "train/data_parallel.h"

namespace lf::test {
namespace {

using namespace std::chrono_literals;

constexpr int kParams = 6;
constexpr int64_t kWidth = 64;

struct RankResult {
  std::vector<std::vector<float>> local, reduced;  // per parameter
  train::GradientReducer::Stats stats;
  size_t buckets = 0;
};

// A chain y = x * w0 * w1 * ... (elementwise) on rank-dependent x: each w's
// gradient is final as soon as its own product's rule has run, the last
// first. One parameter per bucket.
RankResult train_step(int rank, int world, int port, bool overlap) {
  dist::ProcessGroup pg(env_of(rank, world, port), Device::cpu(), 20s);
  std::vector<train::NamedParam> params;
  for (int i = 0; i < kParams; ++i) {
    float v = 1.0f + 0.125f * static_cast<float>(i);
    // Built with += : g++ 12 warns falsely (-Wrestrict) on "w" + string.
    std::string name(1, 'w');
    name += std::to_string(i);
    params.push_back({name, ag::Var::parameter(ops::full({kWidth}, v, DType::f32, Device::cpu()))});
  }
  train::GradientReducer reducer(pg, params, kWidth * sizeof(float), overlap);
  std::vector<float> x(kWidth);
  for (int64_t j = 0; j < kWidth; ++j) x[j] = 0.01f * static_cast<float>(j + 1) * static_cast<float>(rank + 1);
  ag::Var y(Tensor::from_vector(x, {kWidth}));
  for (const auto& p : params) y = ag::mul(y, p.var);
  reducer.backward(y, ops::full({kWidth}, 1.0f, DType::f32, Device::cpu()));
  RankResult r;
  for (const auto& p : params) r.local.push_back(p.var.grad().to_floats());
  reducer.all_reduce();
  for (const auto& p : params) r.reduced.push_back(p.var.grad().to_floats());
  r.stats = reducer.stats();
  r.buckets = reducer.bucket_count();
  pg.finish();
  return r;
}

std::vector<RankResult> run(int world, bool overlap) {
  int port = free_port();
  std::vector<RankResult> results(static_cast<size_t>(world));
  auto errors = run_ranks(world, [&](int r) { results[r] = train_step(r, world, port, overlap); });
  for (int r = 0; r < world; ++r) EXPECT_EQ(errors[r], "") << "rank " << r;
  return results;
}

TEST(GradientReducer, OverlapStartsBucketsDuringBackwardAndSumsOverRanks) {
  const int world = 2;
  auto results = run(world, /*overlap=*/true);
  for (int r = 0; r < world; ++r) {
    SCOPED_TRACE(::testing::Message() << "rank " << r);
    const RankResult& rr = results[r];
    EXPECT_EQ(rr.buckets, static_cast<size_t>(kParams));
    EXPECT_EQ(rr.stats.steps, 1);
    EXPECT_EQ(rr.stats.buckets_started, kParams);
    // Every bucket's all-reduce started while backward was still walking.
    EXPECT_EQ(rr.stats.started_in_backward, kParams);
    EXPECT_GE(rr.stats.exposed_seconds, 0.0);
    for (int i = 0; i < kParams; ++i) {
      ASSERT_EQ(rr.reduced[i].size(), static_cast<size_t>(kWidth));
      for (int64_t j = 0; j < kWidth; ++j) {
        float want = results[0].local[i][j] + results[1].local[i][j];
        ASSERT_FLOAT_EQ(rr.reduced[i][j], want) << "w" << i << "[" << j << "]";
      }
    }
  }
}

TEST(GradientReducer, OverlapOffStartsNothingDuringBackwardAndSumsTheSame) {
  auto on = run(2, /*overlap=*/true), off = run(2, /*overlap=*/false);
  for (int r = 0; r < 2; ++r) {
    EXPECT_EQ(off[r].stats.started_in_backward, 0) << "rank " << r;
    EXPECT_EQ(off[r].stats.buckets_started, kParams) << "rank " << r;
    EXPECT_EQ(on[r].reduced, off[r].reduced) << "rank " << r;
  }
}

TEST(GradientReducer, OverlapSwitchReadsTheEnvironment) {
  const char* name = "LLAMAFACTORY_DDP_OVERLAP";
  std::string saved = std::getenv(name) ? std::getenv(name) : "";
  bool had = std::getenv(name) != nullptr;
  ::unsetenv(name);
  EXPECT_TRUE(train::ddp_overlap_from_env());
  for (const char* off : {"0", "false", "no", "off"}) {
    ::setenv(name, off, 1);
    EXPECT_FALSE(train::ddp_overlap_from_env()) << off;
  }
  for (const char* on : {"1", "true", "Y", ""}) {
    ::setenv(name, on, 1);
    EXPECT_TRUE(train::ddp_overlap_from_env()) << on;
  }
  if (had) ::setenv(name, saved.c_str(), 1);
  else ::unsetenv(name);
}

}  // namespace
}  // namespace lf::test
