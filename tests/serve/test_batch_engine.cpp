// The batching engine on a tiny float32 model: batched results equal each
// sequence generated alone (greedy and seeded sampling), preemption under a
// small KV cache keeps results, and cancelled or finished sequences give back
// every KV block.
#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <thread>

#include "core/error.h"
#include "infer/batch_engine.h"
#include "serve_fixture.h"

using namespace lf;
using namespace lf::test;

namespace {

class BatchEngineTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::filesystem::path(serve_scratch("batch"));
    models::LoadOptions o;
    o.dtype = DType::f32;
    model_ = new models::Decoder(models::Decoder::load(make_tiny_model(*dir_ / "model"), o));
  }
  static void TearDownTestSuite() {
    delete model_;
    std::filesystem::remove_all(*dir_);
    delete dir_;
  }
  static inline models::Decoder* model_ = nullptr;
  static inline std::filesystem::path* dir_ = nullptr;
};

std::vector<int32_t> prompt(int i, int extra = 0) {
  std::vector<int32_t> p;
  for (int t = 0; t < 5 + i % 7 + extra; ++t) p.push_back(static_cast<int32_t>((37 * i + 11 * t) % 3000 + 10));
  return p;
}

infer::GenerateOptions options(int64_t max_new, bool sample, uint64_t seed) {
  infer::GenerateOptions g;
  g.max_new_tokens = max_new;
  g.sampling.do_sample = sample;
  g.sampling.temperature = 0.9f;
  g.sampling.top_p = 0.9f;
  g.sampling.top_k = 20;
  g.sampling.repetition_penalty = 1.1f;
  g.seed = seed;
  return g;
}

// A small pool, quick to allocate, still holding every test's sequences.
infer::EngineOptions small_cache() {
  infer::EngineOptions eo;
  eo.kv_cache_bytes = 8 << 20;
  return eo;
}

std::vector<int32_t> drain(infer::Generation& g) {
  std::vector<int32_t> ids;
  while (g.next(ids)) {
  }
  return ids;
}

// Each request alone (one after the other), then all of them at once.
// Returns the batched engine's preemption count.
int64_t expect_batched_equals_alone(const models::Decoder& model, int requests, int64_t max_new,
                                    bool sample, infer::EngineOptions eo, int prompt_extra = 0) {
  std::vector<std::vector<int32_t>> alone;
  {
    infer::BatchEngine sequential(model, eo);
    for (int i = 0; i < requests; ++i)
      alone.push_back(drain(*sequential.submit(prompt(i, prompt_extra), options(max_new, sample, 100 + i))));
    EXPECT_EQ(sequential.peak_batch(), 1);
  }
  EXPECT_GT(std::set<std::vector<int32_t>>(alone.begin(), alone.end()).size(), 1u)
      << "the prompts must get different answers for this test to tell rows apart";
  infer::BatchEngine e(model, eo);
  std::vector<std::shared_ptr<infer::Generation>> gens;
  for (int i = 0; i < requests; ++i) gens.push_back(e.submit(prompt(i, prompt_extra), options(max_new, sample, 100 + i)));
  for (int i = 0; i < requests; ++i) {
    EXPECT_EQ(drain(*gens[static_cast<size_t>(i)]), alone[static_cast<size_t>(i)]) << "request " << i;
    EXPECT_EQ(gens[static_cast<size_t>(i)]->finish_reason(), "length");
  }
  EXPECT_GT(e.peak_batch(), 1) << "the requests were never decoded together";
  return e.preemptions();
}

bool wait_all_blocks_free(const infer::BatchEngine& e) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (e.free_blocks() != e.total_blocks()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

}  // namespace

TEST_F(BatchEngineTest, SixteenGreedyRequestsEqualTheirSequentialResults) {
  expect_batched_equals_alone(*model_, 16, 24, false, small_cache());
}

TEST_F(BatchEngineTest, SeededSamplingDoesNotDependOnTheBatch) {
  expect_batched_equals_alone(*model_, 8, 16, true, small_cache());
}

TEST_F(BatchEngineTest, PreemptionUnderASmallCacheKeepsResults) {
  // The smallest pool holds one full context. 8 prompts of about an eighth of
  // it are admitted together; growing by 64 tokens each they need more, so
  // some are preempted and recomputed.
  infer::EngineOptions eo;
  eo.kv_cache_bytes = 1;
  const int extra = static_cast<int>(model_->spec().max_position_embeddings / 8) - 48;
  EXPECT_GT(expect_batched_equals_alone(*model_, 8, 64, false, eo, extra), 0)
      << "the cache never ran out: the test did not exercise preemption";
}

TEST_F(BatchEngineTest, StopIdsEndWithStop) {
  infer::BatchEngine e(*model_, small_cache());
  std::vector<int32_t> first = drain(*e.submit(prompt(3), options(6, false, 1)));
  ASSERT_FALSE(first.empty());
  infer::GenerateOptions g = options(6, false, 1);
  g.stop_ids = {first[2]};
  auto gen = e.submit(prompt(3), g);
  std::vector<int32_t> cut = drain(*gen);
  EXPECT_EQ(cut, std::vector<int32_t>(first.begin(), first.begin() + 2));
  EXPECT_EQ(gen->finish_reason(), "stop");
  EXPECT_TRUE(wait_all_blocks_free(e));
}

TEST_F(BatchEngineTest, CancelledStreamsReturnEveryBlock) {
  infer::BatchEngine e(*model_, small_cache());
  const int64_t total = e.total_blocks();
  std::vector<std::shared_ptr<infer::Generation>> gens;
  for (int i = 0; i < 6; ++i) gens.push_back(e.submit(prompt(i), options(100000, true, i)));
  for (auto& g : gens) {
    std::vector<int32_t> ids;
    ASSERT_TRUE(g->next(ids));  // running: holding blocks
  }
  EXPECT_LT(e.free_blocks(), total);
  for (auto& g : gens) g->cancel();
  for (auto& g : gens) drain(*g);
  EXPECT_TRUE(wait_all_blocks_free(e)) << e.free_blocks() << " of " << total << " blocks free";
  for (auto& g : gens) EXPECT_EQ(g->finish_reason(), "stop");
}

TEST_F(BatchEngineTest, BadRequestsAreRefusedAtSubmit) {
  infer::BatchEngine e(*model_, small_cache());
  std::vector<int32_t> long_prompt(static_cast<size_t>(model_->spec().max_position_embeddings), 5);
  EXPECT_THROW(e.submit(long_prompt, options(4, false, 0)), Error);
  EXPECT_THROW(e.submit({}, options(4, false, 0)), Error);
  infer::GenerateOptions bad = options(4, true, 0);
  bad.sampling.top_p = 0.0f;
  EXPECT_THROW(e.submit(prompt(1), bad), Error);
  bad = options(4, true, 0);
  bad.sampling.repetition_penalty = 0.0f;
  EXPECT_THROW(e.submit(prompt(1), bad), Error);
  // The engine goes on serving.
  EXPECT_EQ(drain(*e.submit(prompt(1), options(3, false, 0))).size(), 3u);
  EXPECT_EQ(e.free_blocks(), e.total_blocks());
}
