// `llamafactory-cli train` as a launcher, end to end on CPU: workers train
// together, per-rank logs, and the faults (a killed worker, a busy port, an
// unreachable master, a rank that never arrives) end the run with a clear
// error, never a hang.
#include <netinet/in.h>
#include <sys/socket.h>

#include <cmath>

#include "../train/train_fixture.h"
#include "dist/launch_port.h"
#include "train/train_plan.h"
#include "launcher_cli.h"
#include "launcher_run.h"

namespace {

namespace fs = std::filesystem;
using lf::test::CliExit;
using lf::test::start_cli;
using lf::test::TrainDir;
using lf::test::wait_cli;

const std::vector<std::string> kTrain = {
    "train", "model_name_or_path=model", "dataset=tiny", "template=qwen", "do_train=true",
    "cutoff_len=64", "learning_rate=5e-3", "logging_steps=1", "lora_rank=4",
    "disable_shuffling=true"};

std::vector<std::string> train_args(std::initializer_list<std::string> extra) {
  std::vector<std::string> a = kTrain;
  a.insert(a.end(), extra);
  return a;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

CliExit run(const TrainDir& d, std::initializer_list<std::string> extra,
            const std::map<std::string, std::string>& env, double limit = 120) {
  static int n = 0;
  auto console = d.path() / ("console" + std::to_string(n++) + ".txt");
  return wait_cli(start_cli(d.path(), train_args(extra), env, console), limit);
}

size_t lines_in(const fs::path& p) {
  std::ifstream in(p);
  size_t n = 0;
  std::string line;
  while (std::getline(in, line)) ++n;
  return n;
}

// Waits (at most 2 minutes) until the run in out_dir has logged `steps` steps.
void wait_for_steps(const fs::path& out_dir, size_t steps) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (lines_in(out_dir / "trainer_log.jsonl") < steps &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

TEST(LauncherCli, ForceTorchrunRunsOneWorkerAndKeepsItsLog) {
  TrainDir d;
  auto r = run(d, {"output_dir=out", "max_steps=2", "per_device_train_batch_size=2"},
               {{"FORCE_TORCHRUN", "1"}});
  ASSERT_EQ(r.status, 0) << r.console;
  EXPECT_TRUE(contains(r.console, "Initializing 1 distributed tasks at: 127.0.0.1:")) << r.console;
  EXPECT_TRUE(fs::exists(d.path() / "out" / "adapter_model.safetensors"));
  std::string log = lf::test::read_text(d.path() / "out" / "logs" / "rank0.log");
  EXPECT_TRUE(contains(log, "Total optimization steps = 2")) << log;
}

TEST(LauncherCli, SettingErrorsStopBeforeAnyWorkerStarts) {
  TrainDir d;
  auto r = run(d, {"output_dir=out"}, {{"NPROC_PER_NODE", "two"}});
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(contains(r.console, "[ERROR] NPROC_PER_NODE=two is not valid")) << r.console;
  r = run(d, {"output_dir=out"}, {{"NNODES", "2"}, {"NODE_RANK", "1"}});
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(contains(r.console, "NNODES=2 needs MASTER_PORT")) << r.console;
  // A config error is reported once, by the launcher.
  r = run(d, {"output_dir=out", "learnig_rate=1"}, {{"NPROC_PER_NODE", "2"}});
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(contains(r.console, "did you mean 'learning_rate'")) << r.console;
  EXPECT_FALSE(contains(r.console, "Initializing")) << r.console;
  EXPECT_FALSE(fs::exists(d.path() / "out"));
}

TEST(LauncherCli, BusyMasterPortIsAClearError) {
  TrainDir d;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(listen(fd, 1), 0);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  std::string port = std::to_string(ntohs(a.sin_port));
  auto r = run(d, {"output_dir=out"}, {{"NPROC_PER_NODE", "2"}, {"MASTER_PORT", port}});
  close(fd);
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(contains(r.console, "MASTER_PORT " + port + " is already in use on this host"))
      << r.console;
}

TEST(LauncherCli, TwoWorkersOnCpuTrainTogether) {
  TrainDir d;
  auto r = run(d, {"output_dir=out", "max_steps=3", "per_device_train_batch_size=1"},
               {{"NPROC_PER_NODE", "2"}});
  ASSERT_EQ(r.status, 0) << r.console;
  EXPECT_TRUE(contains(r.console, "Initializing 2 distributed tasks at: 127.0.0.1:")) << r.console;
  EXPECT_TRUE(fs::exists(d.path() / "out" / "adapter_model.safetensors"));
  EXPECT_EQ(d.losses("out").size(), 3u);
  for (int rank = 0; rank < 2; ++rank) {
    EXPECT_TRUE(fs::file_size(d.path() / "out" / "logs" / ("rank" + std::to_string(rank) + ".log")) > 0);
  }
}

TEST(LauncherCli, KilledWorkerEndsTheRunNamingItsRank) {
  TrainDir d;
  auto console = d.path() / "console_kill.txt";
  auto launcher = start_cli(d.path(), train_args({"output_dir=out", "max_steps=100000",
                                                  "save_steps=100000",
                                                  "per_device_train_batch_size=1"}),
                            {{"NPROC_PER_NODE", "2"}}, console);
  wait_for_steps(d.path() / "out", 3);
  pid_t victim = lf::test::worker_pid(launcher.pid, 1);
  pid_t survivor = lf::test::worker_pid(launcher.pid, 0);
  ASSERT_GT(victim, 0) << "rank 1 not found among the launcher's children";
  ASSERT_GT(survivor, 0) << "rank 0 not found among the launcher's children";
  ASSERT_EQ(kill(victim, SIGKILL), 0);
  auto r = wait_cli(launcher, 60);
  EXPECT_EQ(r.status, 128 + SIGKILL) << r.console;
  EXPECT_LT(r.seconds, 20) << "the launcher did not stop promptly";
  EXPECT_TRUE(contains(r.console, "Worker rank 1 (local rank 1, pid " + std::to_string(victim) +
                                      ") was killed by signal 9 (SIGKILL)"))
      << r.console;
  EXPECT_TRUE(lf::test::process_gone(survivor, 5)) << "rank 0 outlived the launcher";
}

TEST(LauncherCli, WorkersDieWithAKilledLauncher) {
  TrainDir d;
  auto launcher = start_cli(d.path(), train_args({"output_dir=out", "max_steps=100000",
                                                  "save_steps=100000",
                                                  "per_device_train_batch_size=1"}),
                            {{"NPROC_PER_NODE", "2"}}, d.path() / "console.txt");
  wait_for_steps(d.path() / "out", 2);
  pid_t workers[] = {lf::test::worker_pid(launcher.pid, 0), lf::test::worker_pid(launcher.pid, 1)};
  ASSERT_GT(workers[0], 0);
  ASSERT_GT(workers[1], 0);
  kill(launcher.pid, SIGKILL);
  wait_cli(launcher, 10);
  for (pid_t w : workers) EXPECT_TRUE(lf::test::process_gone(w, 5)) << "worker " << w << " survived";
}

// SIGTERM to the launcher reaches every worker: the run stops at a step
// boundary, saves a checkpoint and exits 143.
TEST(LauncherCli, SigtermToTheLauncherSavesACheckpointAndExits143) {
  TrainDir d;
  auto launcher = start_cli(d.path(), train_args({"output_dir=out", "max_steps=100000",
                                                  "save_steps=100000",
                                                  "per_device_train_batch_size=1"}),
                            {{"NPROC_PER_NODE", "2"}}, d.path() / "console.txt");
  wait_for_steps(d.path() / "out", 2);
  kill(launcher.pid, SIGTERM);
  auto r = wait_cli(launcher, 60);
  EXPECT_EQ(r.status, 143) << r.console;
  EXPECT_LT(r.seconds, 20) << r.console;
  EXPECT_TRUE(contains(r.console, "Received SIGTERM: forwarding it to the workers")) << r.console;
  EXPECT_TRUE(lf::train::last_checkpoint(d.path() / "out")) << r.console;
}

TEST(LauncherCli, UnreachableMasterIsAClearErrorNotAHang) {
  TrainDir d;
  std::string port = std::to_string(lf::dist::free_port());
  auto r = run(d, {"output_dir=out", "max_steps=2", "ddp_timeout=3"},
               {{"NNODES", "2"}, {"NODE_RANK", "1"}, {"NPROC_PER_NODE", "1"},
                {"MASTER_ADDR", "127.0.0.2"}, {"MASTER_PORT", port}},
               60);
  EXPECT_NE(r.status, 0) << r.console;
  EXPECT_NE(r.status, -1) << "hung: " << r.console;
  EXPECT_TRUE(contains(r.console, "127.0.0.2:" + port)) << r.console;
  EXPECT_TRUE(contains(r.console, "Worker rank 1")) << r.console;
}

TEST(LauncherCli, RankThatNeverArrivesIsAClearErrorNotAHang) {
  TrainDir d;
  std::string port = std::to_string(lf::dist::free_port());
  auto r = run(d, {"output_dir=out", "max_steps=2", "ddp_timeout=3"},
               {{"NNODES", "2"}, {"NODE_RANK", "0"}, {"NPROC_PER_NODE", "1"},
                {"MASTER_PORT", port}},
               60);
  EXPECT_NE(r.status, 0) << r.console;
  EXPECT_NE(r.status, -1) << "hung: " << r.console;
  EXPECT_TRUE(contains(r.console, "never arrived")) << r.console;
}

// Two launchers on loopback (NNODES=2, one worker each) train as one job:
// the same losses as one process with the same global batch.
TEST(LauncherCli, TwoNodesOnLoopbackMatchOneProcess) {
  TrainDir d;
  auto single = run(d, {"output_dir=single", "max_steps=3", "per_device_train_batch_size=2"}, {});
  ASSERT_EQ(single.status, 0) << single.console;
  std::string port = std::to_string(lf::dist::free_port());
  std::map<std::string, std::string> env = {
      {"NNODES", "2"}, {"NPROC_PER_NODE", "1"}, {"MASTER_ADDR", "127.0.0.1"}, {"MASTER_PORT", port}};
  auto env0 = env, env1 = env;
  env0["NODE_RANK"] = "0";
  env1["NODE_RANK"] = "1";
  auto node0 = start_cli(d.path(), train_args({"output_dir=node0", "max_steps=3",
                                               "per_device_train_batch_size=1"}),
                         env0, d.path() / "node0.txt");
  auto node1 = start_cli(d.path(), train_args({"output_dir=node1", "max_steps=3",
                                               "per_device_train_batch_size=1"}),
                         env1, d.path() / "node1.txt");
  auto r0 = wait_cli(node0, 120), r1 = wait_cli(node1, 120);
  ASSERT_EQ(r0.status, 0) << r0.console;
  ASSERT_EQ(r1.status, 0) << r1.console;
  EXPECT_TRUE(contains(r0.console, "Node 0 of 2: ranks 0 to 0 of 2")) << r0.console;
  EXPECT_TRUE(fs::exists(d.path() / "node0" / "logs" / "rank0.log"));
  EXPECT_TRUE(fs::exists(d.path() / "node1" / "logs" / "rank1.log"));
  auto expected = d.losses("single"), got = d.losses("node0");
  ASSERT_EQ(got.size(), expected.size());
  ASSERT_EQ(got.size(), 3u);
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_NEAR(got[i], expected[i], 1e-4 * std::fabs(expected[i])) << "step " << i + 1;
  }
}

// Nodes that disagree on the number of workers (LLaMA-Factory #7215 hangs)
// stop with an error instead.
TEST(LauncherCli, MismatchedWorkerCountsAcrossNodesAreReported) {
  TrainDir d;
  std::string port = std::to_string(lf::dist::free_port());
  std::map<std::string, std::string> env0 = {
      {"NNODES", "2"}, {"NODE_RANK", "0"}, {"NPROC_PER_NODE", "2"}, {"MASTER_PORT", port}};
  auto env1 = env0;
  env1["NODE_RANK"] = "1";
  env1["NPROC_PER_NODE"] = "1";
  auto node0 = start_cli(d.path(), train_args({"output_dir=node0", "max_steps=2", "ddp_timeout=20"}),
                         env0, d.path() / "node0.txt");
  auto node1 = start_cli(d.path(), train_args({"output_dir=node1", "max_steps=2", "ddp_timeout=20"}),
                         env1, d.path() / "node1.txt");
  auto r0 = wait_cli(node0, 60), r1 = wait_cli(node1, 60);
  EXPECT_NE(r0.status, 0) << r0.console;
  EXPECT_NE(r1.status, 0) << r1.console;
  EXPECT_NE(r0.status, -1) << "hung: " << r0.console;
  EXPECT_NE(r1.status, -1) << "hung: " << r1.console;
  EXPECT_TRUE(contains(r0.console + r1.console, "NPROC_PER_NODE")) << r0.console << r1.console;
}

}  // namespace
