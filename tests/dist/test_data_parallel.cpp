// Data-parallel training with worker processes on loopback: W ranks with the
// same global batch give the losses and adapter of one process; faults end
// every rank with a message naming the cause.
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "../train/train_fixture.h"
#include "dist_workers.h"
#include "models/safetensors.h"
#include "train/data_parallel.h"

namespace lf::test {
namespace {

const char* kArgs =
    "train model_name_or_path=model dataset=tiny template=qwen do_train=true cutoff_len=64 "
    "learning_rate=5e-3 logging_steps=1 lora_rank=4 ddp_timeout=20 ";

std::string cli_command(const std::string& overrides) {
  // Built with += : g++ 12 warns falsely (-Wrestrict) on "'" + string.
  std::string cmd(1, '\'');
  cmd += cli_path();
  cmd += "' ";
  cmd += kArgs;
  cmd += overrides;
  return cmd;
}

// Runs `world` ranks of the same command (with `env` added to each rank's
// environment); returns the workers after they end.
std::vector<Worker> run_world(const TrainDir& dir, int world, const std::string& overrides,
                              const std::string& tag, double limit = 120,
                              const std::map<std::string, std::string>& env = {}) {
  int port = free_port();
  std::vector<Worker> workers;
  for (int r = 0; r < world; ++r) {
    auto e = rank_env(r, world, port);
    e.insert(env.begin(), env.end());
    workers.push_back(spawn(dir.path(), cli_command(overrides), e,
                            dir.path() / (tag + "_rank" + std::to_string(r) + ".log")));
  }
  wait_all(workers, limit);
  return workers;
}

std::map<std::string, std::vector<float>> adapter(const std::filesystem::path& out) {
  std::map<std::string, std::vector<float>> m;
  models::SafetensorsFile f((out / "adapter_model.safetensors").string());
  for (const auto& e : f.entries()) m[e.name] = f.load(e.name, DType::f32).to_floats();
  return m;
}

void expect_same_training(const TrainDir& dir, const std::string& single, const std::string& multi) {
  auto a = dir.losses(single), b = dir.losses(multi);
  ASSERT_FALSE(a.empty());
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], b[i], 2e-4) << "step " << i + 1;
  auto wa = adapter(dir.path() / single), wb = adapter(dir.path() / multi);
  ASSERT_EQ(wa.size(), wb.size());
  ASSERT_FALSE(wa.empty());
  for (auto& [name, va] : wa) {
    ASSERT_TRUE(wb.count(name)) << name;
    ASSERT_EQ(va.size(), wb[name].size()) << name;
    for (size_t i = 0; i < va.size(); ++i) ASSERT_NEAR(va[i], wb[name][i], 1e-5) << name << "[" << i << "]";
  }
}

std::string logs(const std::vector<Worker>& workers) {
  std::string s;
  for (const auto& w : workers) s += "---- " + w.log.filename().string() + "\n" + slurp(w.log);
  return s;
}

TEST(DataParallelSampler, RankSlicesTileTheGlobalBatchInOrder) {
  std::vector<data::EncodedExample> rows(7);
  train::Rows global;
  for (const auto& r : rows) global.push_back(&r);
  for (int world : {1, 2, 3, 4}) {
    const int64_t per_rank = (7 + world - 1) / world;
    train::Rows joined;
    for (int r = 0; r < world; ++r) {
      train::Rows part = train::rank_slice(global, r, per_rank);
      EXPECT_LE(static_cast<int64_t>(part.size()), per_rank);
      joined.insert(joined.end(), part.begin(), part.end());
    }
    EXPECT_EQ(joined, global) << "world " << world;
  }
  EXPECT_EQ(train::rank_slice(global, 3, 2).size(), 1u);  // the short last slice
  EXPECT_TRUE(train::rank_slice(global, 4, 2).empty());
}

TEST(DataParallelSampler, LossTokensCountShiftedLabels) {
  data::Batch b;
  b.batch_size = 2;
  b.seq_len = 4;
  // Position 0's label is never a target (the decoder predicts token t+1 from t).
  b.labels = {5, -100, 7, 8, -100, -100, -100, 9};
  EXPECT_EQ(train::loss_tokens(b), 3);
}

TEST(DataParallel, TwoRanksMatchOneProcessWithTheSameGlobalBatch) {
  TrainDir dir;
  // 6 examples, global batch 4: the second batch leaves rank 1 an empty slice.
  auto one = dir.train("per_device_train_batch_size=4 max_steps=4 output_dir=single");
  ASSERT_EQ(one.status, 0) << one.out;
  auto ws = run_world(dir, 2, "per_device_train_batch_size=2 max_steps=4 output_dir=dp2", "dp2");
  for (const auto& w : ws) ASSERT_EQ(w.status, 0) << logs(ws);
  expect_same_training(dir, "single", "dp2");
  std::string rank0 = slurp(ws[0].log), rank1 = slurp(ws[1].log);
  EXPECT_NE(rank0.find("Process rank: 0, world size: 2, device: cpu"), std::string::npos) << rank0;
  EXPECT_NE(rank1.find("Process rank: 1, world size: 2, device: cpu"), std::string::npos) << rank1;
  EXPECT_NE(rank0.find("collectives through gloo"), std::string::npos) << rank0;
}

TEST(DataParallel, FourRanksWithAccumulationMatchOneProcess) {
  TrainDir dir;
  auto one = dir.train("per_device_train_batch_size=4 gradient_accumulation_steps=2 max_steps=2 "
                       "output_dir=single");
  ASSERT_EQ(one.status, 0) << one.out;
  auto ws = run_world(dir, 4, "per_device_train_batch_size=1 gradient_accumulation_steps=2 "
                              "max_steps=2 output_dir=dp4", "dp4");
  for (const auto& w : ws) ASSERT_EQ(w.status, 0) << logs(ws);
  expect_same_training(dir, "single", "dp4");
  // Rank 0 alone writes the outputs.
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "dp4" / "trainer_state.json"));
}

TEST(DataParallel, OverlapOnAndOffTrainIdentically) {
  TrainDir dir;
  const std::string args = "per_device_train_batch_size=2 gradient_accumulation_steps=2 max_steps=3 ";
  auto on = run_world(dir, 2, args + "output_dir=on", "on", 120, {{"LLAMAFACTORY_DDP_OVERLAP", "1"}});
  for (const auto& w : on) ASSERT_EQ(w.status, 0) << logs(on);
  auto off = run_world(dir, 2, args + "output_dir=off", "off", 120, {{"LLAMAFACTORY_DDP_OVERLAP", "0"}});
  for (const auto& w : off) ASSERT_EQ(w.status, 0) << logs(off);
  // The same buckets summed in the same order: the same numbers, bit for bit.
  auto lon = dir.losses("on"), loff = dir.losses("off");
  ASSERT_EQ(lon.size(), 3u);
  EXPECT_EQ(lon, loff);
  EXPECT_EQ(adapter(dir.path() / "on"), adapter(dir.path() / "off"));
  std::string a = slurp(on[0].log), b = slurp(off[0].log);
  EXPECT_NE(a.find("overlap on"), std::string::npos) << a;
  EXPECT_NE(b.find("overlap off"), std::string::npos) << b;
  // With overlap on, the step's reduction starts inside the last backward.
  EXPECT_NE(a.find("3 of 3 buckets started during backward"), std::string::npos) << a;
  EXPECT_NE(b.find("0 of 3 buckets started during backward"), std::string::npos) << b;
}

TEST(DataParallel, ResumeWithAnotherWorldSizeIsRefused) {
  TrainDir dir;
  auto one = dir.train("per_device_train_batch_size=2 max_steps=3 save_steps=1 output_dir=out");
  ASSERT_EQ(one.status, 0) << one.out;
  auto ws = run_world(dir, 2, "per_device_train_batch_size=1 max_steps=4 output_dir=out", "resume");
  for (const auto& w : ws) {
    EXPECT_NE(w.status, 0) << logs(ws);
    EXPECT_NE(slurp(w.log).find("was written by a run with 1 process(es) but this run has 2"),
              std::string::npos) << logs(ws);
  }
}

TEST(DataParallel, KilledWorkerStopsTheOthersNamingIt) {
  TrainDir dir;
  int port = free_port();
  std::string cmd = cli_command("per_device_train_batch_size=1 max_steps=100000 output_dir=kill "
                                "ddp_timeout=15");
  std::vector<Worker> ws;
  for (int r = 0; r < 2; ++r)
    ws.push_back(spawn(dir.path(), cmd, rank_env(r, 2, port), dir.path() / ("kill" + std::to_string(r) + ".log")));
  // Kill rank 1 once training is under way (rank 0 has logged a step).
  auto log_file = dir.path() / "kill" / "trainer_log.jsonl";
  for (int i = 0; i < 1500 && slurp(log_file).empty(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_FALSE(slurp(log_file).empty()) << logs(ws);
  ::kill(ws[1].pid, SIGKILL);
  std::vector<Worker> survivor{ws[0]};
  wait_all(survivor, 30);
  std::vector<Worker> victim{ws[1]};
  wait_all(victim, 5);
  EXPECT_NE(survivor[0].status, 0);
  EXPECT_LT(survivor[0].status, 128) << "rank 0 should exit with an error, not be killed by the test";
  EXPECT_LT(survivor[0].seconds, 15.0);
  EXPECT_NE(slurp(survivor[0].log).find("rank 1 died"), std::string::npos) << slurp(survivor[0].log);
}

}  // namespace
}  // namespace lf::test
