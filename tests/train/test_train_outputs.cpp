#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "core/atomic_file.h"
#include "core/error.h"
#include "train/loss_plot.h"
#include "train/loss_scaler.h"
#include "train/lr_scheduler.h"
#include "train/trainer_log.h"

using namespace lf;
using namespace lf::train;
namespace fs = std::filesystem;

namespace {
fs::path temp_dir(const std::string& name) {
  fs::path p = fs::temp_directory_path() / ("lf_test_" + name + "_" + std::to_string(getpid()));
  fs::remove_all(p);
  fs::create_directories(p);
  return p;
}
}  // namespace

TEST(LrScheduler, LinearWarmupThenDecay) {
  SchedulerConfig c;
  c.type = SchedulerType::linear;
  c.base_lr = 1.0;
  c.warmup_steps = 10;
  c.total_steps = 110;
  EXPECT_DOUBLE_EQ(learning_rate_at(c, 0), 0.0);
  EXPECT_DOUBLE_EQ(learning_rate_at(c, 5), 0.5);
  EXPECT_DOUBLE_EQ(learning_rate_at(c, 10), 1.0);
  EXPECT_DOUBLE_EQ(learning_rate_at(c, 60), 0.5);
  EXPECT_DOUBLE_EQ(learning_rate_at(c, 110), 0.0);
}

TEST(LrScheduler, CosineAndFriends) {
  SchedulerConfig c;
  c.base_lr = 2.0;
  c.total_steps = 100;
  c.type = SchedulerType::cosine;
  EXPECT_NEAR(learning_rate_at(c, 50), 1.0, 1e-12);  // half-way down a half cosine
  EXPECT_NEAR(learning_rate_at(c, 100), 0.0, 1e-12);
  c.type = SchedulerType::constant;
  EXPECT_DOUBLE_EQ(learning_rate_at(c, 77), 2.0);
  c.type = SchedulerType::constant_with_warmup;
  c.warmup_steps = 4;
  EXPECT_DOUBLE_EQ(learning_rate_at(c, 1), 0.5);
  EXPECT_DOUBLE_EQ(learning_rate_at(c, 90), 2.0);
  c.type = SchedulerType::cosine_with_restarts;
  c.warmup_steps = 0;
  c.restarts = 2;
  EXPECT_NEAR(learning_rate_at(c, 0), 2.0, 1e-12);
  EXPECT_NEAR(learning_rate_at(c, 50), 2.0, 1e-12);  // second cycle restarts at the top
  c.type = SchedulerType::polynomial;
  c.lr_end = 0.0;
  EXPECT_NEAR(learning_rate_at(c, 25), 1.5, 1e-12);
  EXPECT_EQ(resolve_warmup_steps(0, 0.1, 95), 10);
  EXPECT_EQ(resolve_warmup_steps(3, 0.5, 95), 3);
  EXPECT_THROW(parse_scheduler("reduce_lr_on_plateau"), Error);
}

TEST(TrainerLog, WritesJsonlAndState) {
  fs::path dir = temp_dir("log");
  TrainerLog log(dir);
  LogEntry e;
  e.step = 5;
  e.total_steps = 10;
  e.epoch = 0.5;
  e.loss = 1.234567;
  e.lr = 1e-4;
  e.elapsed_seconds = 65;
  e.remaining_seconds = 3725;
  log.log(e);
  std::ifstream in(dir / "trainer_log.jsonl");
  std::string line;
  ASSERT_TRUE(std::getline(in, line));
  auto j = nlohmann::json::parse(line);
  EXPECT_EQ(j["current_steps"], 5);
  EXPECT_EQ(j["total_steps"], 10);
  EXPECT_DOUBLE_EQ(j["loss"].get<double>(), 1.2346);
  EXPECT_DOUBLE_EQ(j["percentage"].get<double>(), 50.0);
  EXPECT_EQ(j["elapsed_time"], "0:01:05");
  EXPECT_EQ(j["remaining_time"], "1:02:05");
  auto state = log.trainer_state(5, 10, 0.5, 1.0, 1, 5, 2);
  EXPECT_EQ(state["log_history"].size(), 1u);
  EXPECT_EQ(state["global_step"], 5);
  std::vector<double> steps, values;
  log.series("loss", &steps, &values);
  EXPECT_EQ(steps, (std::vector<double>{5}));
  fs::remove_all(dir);
}

TEST(LossPlot, SmoothingAndPng) {
  auto s = smooth_curve({1, 1, 1});
  for (double v : s) EXPECT_DOUBLE_EQ(v, 1.0);
  auto r = smooth_curve({0, 10});
  EXPECT_GT(r[1], 0.0);
  EXPECT_LT(r[1], 10.0);
  fs::path dir = temp_dir("plot");
  plot_loss((dir / "training_loss.png").string(), "training loss", "loss", {1, 2, 3},
            {3.0, 2.0, 1.5});
  std::ifstream png(dir / "training_loss.png", std::ios::binary);
  char magic[8] = {};
  png.read(magic, 8);
  EXPECT_EQ(std::string(magic + 1, 3), "PNG");
  EXPECT_THROW(plot_loss((dir / "x.png").string(), "t", "loss", {}, {}), Error);
  fs::remove_all(dir);
}

TEST(AtomicDir, CommitReplacesAndAbortLeavesNothing) {
  fs::path dir = temp_dir("atomic");
  {
    AtomicDir d(dir / "checkpoint-1");
    write_file_atomic(d.path() / "a.txt", "one");
    d.commit();
  }
  EXPECT_EQ(read_file(dir / "checkpoint-1" / "a.txt"), "one");
  {
    AtomicDir d(dir / "checkpoint-1");
    write_file_atomic(d.path() / "a.txt", "two");
  }  // no commit: the old checkpoint is untouched, no temp dir left
  EXPECT_EQ(read_file(dir / "checkpoint-1" / "a.txt"), "one");
  int entries = 0;
  for (auto& e : fs::directory_iterator(dir)) { (void)e; entries++; }
  EXPECT_EQ(entries, 1);
  EXPECT_THROW(read_file(dir / "missing"), Error);
  fs::remove_all(dir);
}

TEST(LossScaler, HalvesOnOverflowAndGrowsAfterAnInterval) {
  LossScaler s(true, 1024.0, 3);
  s.update(false);
  EXPECT_DOUBLE_EQ(s.scale(), 512.0);
  s.update(true);
  s.update(true);
  EXPECT_DOUBLE_EQ(s.scale(), 512.0);
  s.update(true);
  EXPECT_DOUBLE_EQ(s.scale(), 1024.0);
  LossScaler off(false);
  off.update(false);
  EXPECT_DOUBLE_EQ(off.scale(), 1.0);
}
