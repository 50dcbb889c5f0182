// The launcher with small /bin/sh workers: the variables each rank gets,
// per-rank logs and console, exit-status propagation, stopping the others
// after a failure, signal forwarding, and the checks before any worker starts.
#include <netinet/in.h>
#include <pty.h>
#include <sys/socket.h>

#include <csignal>
#include <thread>

#include "launcher_run.h"

namespace {

namespace fs = std::filesystem;
using lf::test::LaunchDir;
using lf::test::local_config;
using lf::test::read_text;
using lf::test::run_launcher;
using lf::test::sh_workers;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

bool wait_for(const fs::path& p, double seconds) {
  auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (!fs::exists(p)) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

TEST(Launcher, EachRankGetsTheTorchrunVariables) {
  LaunchDir dir;
  auto c = local_config(2);
  c.nnodes = 2;
  c.node_rank = 1;
  c.master_port = 29611;
  c.port_given = true;
  auto o = sh_workers(c, "env > \"$0/env$RANK\"", dir.path());
  o.worker_argv.push_back(dir.path().string());  // $0 of the script
  auto r = run_launcher(o, dir.path());
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.status, 0) << r.console;
  EXPECT_TRUE(contains(r.console, "Initializing 2 distributed tasks at: 127.0.0.1:29611")) << r.console;
  for (int local = 0; local < 2; ++local) {
    int rank = 2 + local;
    std::string env = read_text(dir.path() / ("env" + std::to_string(rank)));
    EXPECT_TRUE(contains(env, "\nRANK=" + std::to_string(rank) + "\n")) << env;
    EXPECT_TRUE(contains(env, "\nLOCAL_RANK=" + std::to_string(local) + "\n")) << env;
    EXPECT_TRUE(contains(env, "\nWORLD_SIZE=4\n")) << env;
    EXPECT_TRUE(contains(env, "\nLOCAL_WORLD_SIZE=2\n")) << env;
    EXPECT_TRUE(contains(env, "\nGROUP_RANK=1\n")) << env;
    EXPECT_TRUE(contains(env, "\nNODE_RANK=1\n")) << env;
    EXPECT_TRUE(contains(env, "\nMASTER_ADDR=127.0.0.1\n")) << env;
    EXPECT_TRUE(contains(env, "\nMASTER_PORT=29611\n")) << env;
    EXPECT_TRUE(contains(env, "\nOMP_NUM_THREADS=") || std::getenv("OMP_NUM_THREADS")) << env;
    EXPECT_TRUE(contains(env, "\nPATH=")) << "the launcher's environment is kept";
  }
}

TEST(Launcher, EveryRankHasALogAndRankZeroIsOnTheConsole) {
  LaunchDir dir;
  auto o = sh_workers(local_config(3), "echo \"out of $RANK\"; echo \"err of $RANK\" >&2", dir.path());
  auto r = run_launcher(o, dir.path());
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.status, 0);
  for (int rank = 0; rank < 3; ++rank) {
    std::string log = read_text(lf::dist::rank_log_path(dir.path(), rank));
    EXPECT_TRUE(contains(log, "out of " + std::to_string(rank) + "\n")) << log;
    EXPECT_TRUE(contains(log, "err of " + std::to_string(rank) + "\n")) << log;
  }
  EXPECT_TRUE(contains(r.console, "out of 0\n")) << r.console;
  EXPECT_TRUE(contains(r.console, "err of 0\n")) << r.console;
  EXPECT_FALSE(contains(r.console, "of 1\n")) << r.console;
  EXPECT_FALSE(contains(r.console, "of 2\n")) << r.console;
}

TEST(Launcher, FirstFailureStopsTheOthersAndItsStatusIsReturned) {
  LaunchDir dir;
  auto o = sh_workers(local_config(3),
                      "if [ \"$RANK\" = 1 ]; then echo 'rank one broke: reason here' >&2; exit 3; fi; "
                      "exec sleep 60",
                      dir.path());
  auto r = run_launcher(o, dir.path());
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.status, 3) << r.console;
  EXPECT_LT(r.seconds, 10) << "the sleeping workers were not stopped";
  EXPECT_TRUE(contains(r.console, "Worker rank 1 (local rank 1, pid ")) << r.console;
  EXPECT_TRUE(contains(r.console, "exited with status 3; stopping the other 2 worker(s)")) << r.console;
  // The failing rank's last lines reach the console although only rank 0 streams.
  EXPECT_TRUE(contains(r.console, "rank one broke: reason here")) << r.console;
  EXPECT_TRUE(contains(r.console, "rank1.log")) << r.console;
}

TEST(Launcher, KilledWorkerIsReportedBySignalAndExits128PlusSignal) {
  LaunchDir dir;
  auto o = sh_workers(local_config(2), "if [ \"$RANK\" = 1 ]; then kill -9 $$; fi; exec sleep 60",
                      dir.path());
  auto r = run_launcher(o, dir.path());
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.status, 128 + SIGKILL);
  EXPECT_LT(r.seconds, 10) << r.console;
  EXPECT_TRUE(contains(r.console, "Worker rank 1")) << r.console;
  EXPECT_TRUE(contains(r.console, "was killed by signal 9 (SIGKILL)")) << r.console;
}

TEST(Launcher, WorkerIgnoringSigtermIsKilledAfterTheGracePeriod) {
  LaunchDir dir;
  auto o = sh_workers(local_config(2),
                      "if [ \"$RANK\" = 0 ]; then while [ ! -e \"$0/ready\" ]; do sleep 0.05; done; "
                      "exit 5; fi; trap '' TERM; touch \"$0/ready\"; while :; do sleep 0.1; done",
                      dir.path());
  o.worker_argv.push_back(dir.path().string());
  o.stop_grace = std::chrono::milliseconds(500);
  auto r = run_launcher(o, dir.path());
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.status, 5);
  EXPECT_LT(r.seconds, 8) << r.console;
  EXPECT_TRUE(contains(r.console, "sending SIGKILL")) << r.console;
}

TEST(Launcher, SigtermToTheLauncherIsForwardedAndTheStatusPropagated) {
  LaunchDir dir;
  auto o = sh_workers(local_config(2),
                      "trap 'echo \"rank $RANK got TERM\"; exit 143' TERM; "
                      "touch \"$0/ready$RANK\"; while :; do sleep 0.1; done",
                      dir.path());
  o.worker_argv.push_back(dir.path().string());
  std::thread sender([&] {
    if (wait_for(dir.path() / "ready0", 10) && wait_for(dir.path() / "ready1", 10)) {
      kill(getpid(), SIGTERM);
    }
  });
  auto r = run_launcher(o, dir.path());
  sender.join();
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.status, 143) << r.console;
  EXPECT_LT(r.seconds, 10) << r.console;
  EXPECT_TRUE(contains(r.console, "Received SIGTERM: forwarding it to the workers")) << r.console;
  EXPECT_FALSE(contains(r.console, "stopping the other")) << "an interrupted worker is not a failure";
  EXPECT_TRUE(contains(r.console, "exited with status 143")) << r.console;
  EXPECT_TRUE(contains(r.console, "Stopped by SIGTERM with exit status 143")) << r.console;
  for (int rank = 0; rank < 2; ++rank) {
    std::string log = read_text(lf::dist::rank_log_path(dir.path(), rank));
    EXPECT_TRUE(contains(log, "rank " + std::to_string(rank) + " got TERM")) << log;
  }
}

TEST(Launcher, BusyMasterPortIsRefusedBeforeAnyWorkerStarts) {
  LaunchDir dir;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(listen(fd, 1), 0);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  auto c = local_config(2);
  c.master_port = ntohs(a.sin_port);
  c.port_given = true;
  auto o = sh_workers(c, "touch \"$0/started\"", dir.path());
  o.worker_argv.push_back(dir.path().string());
  auto r = run_launcher(o, dir.path());
  close(fd);
  EXPECT_EQ(r.error, "MASTER_PORT " + std::to_string(c.master_port) +
                         " is already in use on this host: stop what uses it or choose another "
                         "port (leave MASTER_PORT unset for a free one)");
  EXPECT_FALSE(fs::exists(dir.path() / "started"));
}

TEST(Launcher, UnresolvableMasterAddrIsRefusedBeforeAnyWorkerStarts) {
  LaunchDir dir;
  auto c = local_config(1);
  c.nnodes = 2;
  c.node_rank = 1;
  c.master_addr = "no-such-host.invalid";
  c.port_given = true;
  auto r = run_launcher(sh_workers(c, "true", dir.path()), dir.path());
  EXPECT_TRUE(contains(r.error, "MASTER_ADDR=no-such-host.invalid cannot be resolved")) << r.error;
}

TEST(Launcher, UnexecutableWorkerProgramIsAnError) {
  LaunchDir dir;
  auto o = sh_workers(local_config(2), "true", dir.path());
  o.worker_argv = {(dir.path() / "missing-program").string()};
  auto r = run_launcher(o, dir.path());
  EXPECT_TRUE(contains(r.error, "cannot execute worker program")) << r.error;
  EXPECT_TRUE(contains(r.error, "missing-program")) << r.error;
}

// On a terminal console rank 0's stderr is a terminal too, so progress bars
// redraw in place; carriage returns pass through untouched.
TEST(Launcher, RankZeroGetsATerminalWhenTheConsoleIsOne) {
  LaunchDir dir;
  int master = -1, slave = -1;
  ASSERT_EQ(openpty(&master, &slave, nullptr, nullptr, nullptr), 0);
  auto o = sh_workers(local_config(2),
                      "if [ -t 2 ]; then echo \"rank $RANK: terminal\"; else echo \"rank $RANK: pipe\"; "
                      "fi; printf 'step 1\\rstep 2\\n' >&2",
                      dir.path());
  std::fflush(stderr);
  int saved = dup(STDERR_FILENO);
  dup2(slave, STDERR_FILENO);
  int status = lf::dist::launch_workers(o);
  dup2(saved, STDERR_FILENO);
  close(saved);
  close(slave);
  close(master);
  EXPECT_EQ(status, 0);
  std::string log0 = read_text(lf::dist::rank_log_path(dir.path(), 0));
  std::string log1 = read_text(lf::dist::rank_log_path(dir.path(), 1));
  EXPECT_TRUE(contains(log0, "rank 0: terminal")) << log0;
  EXPECT_TRUE(contains(log1, "rank 1: pipe")) << log1;
  EXPECT_TRUE(contains(log0, "step 1\rstep 2\n")) << "no \\r\\n translation: " << log0;
}

}  // namespace
