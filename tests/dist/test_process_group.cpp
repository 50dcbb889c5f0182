// The rendezvous store, the process group's validation and errors, and the
// Gloo engine's reductions, with ranks as threads (or a forked process) on
// loopback.
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "core/error.h"
#include "dist/dist_env.h"
#include "dist/process_group.h"
#include "dist/tcp_store.h"
#include "dist_workers.h"
#include "ops/ops.h"
#include "rank_threads.h"

namespace lf::dist {
namespace {

using namespace std::chrono_literals;
using lf::test::env_of;
using lf::test::free_port;
using lf::test::run_ranks;

TEST(TcpStore, SetGetAddCheckAcrossClients) {
  int port = free_port();
  TcpStoreServer server(port);
  TcpStore a("127.0.0.1", port, 0, 2s), b("127.0.0.1", port, 1, 2s);
  a.set("k", {'h', 'i'});
  EXPECT_EQ(b.get("k"), (std::vector<char>{'h', 'i'}));
  EXPECT_EQ(a.add("n", 2), 2);
  EXPECT_EQ(b.add("n", 5), 7);
  EXPECT_TRUE(b.check({"k", "n"}));
  EXPECT_FALSE(b.check({"k", "absent"}));
  std::thread later([&] {
    std::this_thread::sleep_for(50ms);
    a.set("late", {'x'});
  });
  EXPECT_EQ(b.get("late"), std::vector<char>{'x'});
  later.join();
  EXPECT_EQ(a.local_address(), "127.0.0.1");
  a.goodbye();
  b.goodbye();
}

TEST(TcpStore, WaitTimesOutNamingTheKey) {
  int port = free_port();
  TcpStoreServer server(port);
  TcpStore a("127.0.0.1", port, 0, 300ms);
  auto start = std::chrono::steady_clock::now();
  try {
    a.wait({"never/set"});
    FAIL() << "wait returned";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("never/set"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("ddp_timeout"), std::string::npos) << e.what();
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
  a.goodbye();
}

TEST(TcpStore, UnreachableMasterIsAClearErrorWithinTheTimeout) {
  int port = free_port();  // nothing listens there
  auto start = std::chrono::steady_clock::now();
  try {
    TcpStore a("127.0.0.1", port, 1, 500ms);
    FAIL() << "connected to a closed port";
  } catch (const Error& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("cannot reach the rendezvous store"), std::string::npos) << m;
    EXPECT_NE(m.find("127.0.0.1:" + std::to_string(port)), std::string::npos) << m;
    EXPECT_NE(m.find("MASTER_ADDR"), std::string::npos) << m;
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST(TcpStore, PortInUseNamesMasterPort) {
  int port = free_port();
  TcpStoreServer first(port);
  try {
    TcpStoreServer second(port);
    FAIL() << "two servers bound one port";
  } catch (const Error& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("MASTER_PORT " + std::to_string(port) + " is already in use"), std::string::npos) << m;
  }
}

TEST(TcpStore, DroppedClientIsReportedDead) {
  int port = free_port();
  TcpStoreServer server(port);
  TcpStore watcher("127.0.0.1", port, 0, 2s);
  {
    TcpStore leaver("127.0.0.1", port, 3, 2s);
    leaver.set("x", {'1'});
  }  // closes without goodbye, as a killed process does
  auto deadline = std::chrono::steady_clock::now() + 2s;
  while (watcher.dead_rank() < 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(10ms);
  EXPECT_EQ(watcher.dead_rank(), 3);
  try {
    watcher.wait({"y"});
    FAIL() << "wait ignored the dead rank";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("rank 3 died"), std::string::npos) << e.what();
  }
  watcher.goodbye();
}

TEST(ProcessGroup, AllReduceBroadcastBarrierOverGloo) {
  const int n = 3;
  int port = free_port();
  std::vector<std::vector<float>> sums(n), casts(n), scalars(n);
  auto errors = run_ranks(n, [&](int r) {
    ProcessGroup pg(env_of(r, n, port), Device::cpu(), 10s);
    EXPECT_STREQ(pg.engine(), "gloo");
    Tensor t = Tensor::from_vector({1.0f * r, 10.0f, -2.0f * r, 0.5f}, {2, 2});
    pg.all_reduce_sum(t);
    sums[r] = t.to_floats();
    Tensor h = Tensor::from_vector({1.0f + r, 2.0f}, {2}).to(DType::bf16);
    pg.all_reduce_sum(h);
    EXPECT_EQ(h.dtype(), DType::bf16);
    auto s = pg.all_reduce_sum(std::vector<double>{1.0, static_cast<double>(r)});
    scalars[r] = {static_cast<float>(s[0]), static_cast<float>(s[1])};
    Tensor b = Tensor::from_vector({static_cast<float>(r + 7)}, {1});
    pg.broadcast(b, 1);
    casts[r] = b.to_floats();
    pg.barrier("test");
    pg.finish();
  });
  for (int r = 0; r < n; ++r) {
    EXPECT_EQ(errors[r], "") << "rank " << r;
    EXPECT_EQ(sums[r], (std::vector<float>{3.0f, 30.0f, -6.0f, 1.5f}));
    EXPECT_EQ(scalars[r], (std::vector<float>{3.0f, 3.0f}));
    EXPECT_EQ(casts[r], std::vector<float>{8.0f});
  }
}

TEST(ProcessGroup, AsyncAllReducesRunInStartOrderBesideTheCaller) {
  const int n = 2;
  int port = free_port();
  std::vector<std::vector<std::vector<float>>> sums(n);
  auto errors = run_ranks(n, [&](int r) {
    ProcessGroup pg(env_of(r, n, port), Device::cpu(), 10s);
    std::vector<Tensor> ts;
    std::vector<std::unique_ptr<ops::CollectiveWork>> works;
    for (int k = 0; k < 4; ++k) {
      ts.push_back(ops::full({1000 * (k + 1)}, static_cast<float>(k + r), DType::f32, Device::cpu()));
      works.push_back(pg.all_reduce_sum_async(ts.back()));
    }
    // A blocking collective started after them runs after them.
    auto s = pg.all_reduce_sum(std::vector<double>{static_cast<double>(r)});
    EXPECT_EQ(s[0], 1.0);
    for (int k = 3; k >= 0; --k) {  // waited in any order
      works[k]->wait();
      EXPECT_GE(works[k]->seconds(), 0.0);
      sums[r].push_back({ts[k].to_floats().front(), ts[k].to_floats().back()});
    }
    pg.finish();
  });
  for (int r = 0; r < n; ++r) {
    EXPECT_EQ(errors[r], "") << "rank " << r;
    ASSERT_EQ(sums[r].size(), 4u);
    for (int k = 0; k < 4; ++k) {
      float want = static_cast<float>(2 * k + 1);  // k + (k + 1)
      EXPECT_EQ(sums[r][3 - k], (std::vector<float>{want, want})) << "rank " << r << " tensor " << k;
    }
  }
}

TEST(ProcessGroup, RankThatNeverArrivesIsNamed) {
  int port = free_port();
  auto start = std::chrono::steady_clock::now();
  auto errors = run_ranks(2, [&](int r) { ProcessGroup pg(env_of(r, 3, port), Device::cpu(), 1s); });
  EXPECT_NE(errors[0].find("rank(s) 2 of WORLD_SIZE=3 never arrived"), std::string::npos) << errors[0];
  EXPECT_NE(errors[1], "");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 8s);
}

TEST(ProcessGroup, UnequalProcessesPerNodeAreReportedOnEveryRank) {
  // Node 0 runs 2 workers, node 1 runs 1 (LLaMA-Factory issue #7215 hangs here).
  int port = free_port();
  auto errors = run_ranks(3, [&](int r) {
    DistEnv e = r < 2 ? env_of(r, 3, port, 0, 2) : env_of(2, 3, port, 1, 1);
    e.local_rank = r < 2 ? r : 0;
    ProcessGroup pg(e, Device::cpu(), 5s);
  });
  for (int r = 0; r < 3; ++r) {
    EXPECT_NE(errors[r].find("node 1 runs 1 process per node but node 0 runs 2"), std::string::npos)
        << "rank " << r << ": " << errors[r];
  }
}

TEST(ProcessGroup, NodesComputingDifferentWorldSizesAreReported) {
  // NNODES=2 with NPROC_PER_NODE 2 on node 0 (WORLD_SIZE 4) but 1 on node 1
  // (WORLD_SIZE 2, so its only worker is RANK 1 too).
  int port = free_port();
  auto errors = run_ranks(3, [&](int r) {
    DistEnv e = r < 2 ? env_of(r, 4, port, 0, 2) : env_of(1, 2, port, 1, 1);
    e.local_rank = r < 2 ? r : 0;
    ProcessGroup pg(e, Device::cpu(), 3s);
  });
  for (int r = 0; r < 3; ++r) {
    EXPECT_NE(errors[r].find("node 1 runs 1 process per node but node 0 runs 2"), std::string::npos)
        << "worker " << r << ": " << errors[r];
  }
}

TEST(ProcessGroup, ConflictingWorldSizeIsReported) {
  int port = free_port();
  auto errors = run_ranks(2, [&](int r) {
    DistEnv e = env_of(r, 2, port);
    if (r == 1) e.world_size = 3;
    ProcessGroup pg(e, Device::cpu(), 5s);
  });
  EXPECT_NE(errors[1].find("WORLD_SIZE=3 but rank 0 has WORLD_SIZE=2"), std::string::npos) << errors[1];
  EXPECT_NE(errors[0].find("WORLD_SIZE=3"), std::string::npos) << errors[0];
}

TEST(ProcessGroup, DuplicateRankIsReported) {
  int port = free_port();
  auto errors = run_ranks(3, [&](int r) {
    DistEnv e = env_of(r == 2 ? 1 : r, 3, port);
    ProcessGroup pg(e, Device::cpu(), 3s);
  });
  bool named = false;
  for (const auto& m : errors) named = named || m.find("RANK=1 is used by more than one worker") != std::string::npos;
  EXPECT_TRUE(named) << errors[0] << "\n" << errors[1] << "\n" << errors[2];
  for (const auto& m : errors) EXPECT_NE(m, "");
}

TEST(ProcessGroup, KilledRankIsNamedByTheSurvivor) {
  int port = free_port();
  pid_t child = ::fork();
  if (child == 0) {
    try {
      ProcessGroup pg(env_of(1, 2, port), Device::cpu(), 10s);
      ::kill(::getpid(), SIGKILL);
    } catch (...) {
    }
    ::_exit(3);
  }
  auto start = std::chrono::steady_clock::now();
  std::string error;
  try {
    ProcessGroup pg(env_of(0, 2, port), Device::cpu(), 10s);
    Tensor t = ops::full({1024}, 1.0f, DType::f32, Device::cpu());
    for (int i = 0; i < 100; ++i) pg.all_reduce_sum(t);
  } catch (const Error& e) {
    error = e.what();
  }
  int st = 0;
  ::waitpid(child, &st, 0);
  EXPECT_TRUE(WIFSIGNALED(st)) << "the child should have been killed";
  EXPECT_NE(error.find("rank 1 died"), std::string::npos) << error;
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
}

TEST(DistEnv, ReadsAndValidatesTheVariables) {
  auto with = [](std::vector<std::pair<const char*, const char*>> vars) {
    for (const char* v : {"RANK", "LOCAL_RANK", "WORLD_SIZE", "LOCAL_WORLD_SIZE", "GROUP_RANK",
                          "NODE_RANK", "MASTER_ADDR", "MASTER_PORT"})
      ::unsetenv(v);
    for (auto& [k, v] : vars) ::setenv(k, v, 1);
  };
  with({});
  EXPECT_FALSE(dist_env_from_environment().distributed());
  with({{"WORLD_SIZE", "4"}, {"RANK", "3"}, {"LOCAL_RANK", "1"}, {"LOCAL_WORLD_SIZE", "2"},
        {"GROUP_RANK", "1"}, {"MASTER_ADDR", "10.0.0.1"}, {"MASTER_PORT", "29500"}});
  DistEnv e = dist_env_from_environment();
  EXPECT_EQ(e.rank, 3);
  EXPECT_EQ(e.local_rank, 1);
  EXPECT_EQ(e.node_rank, 1);
  EXPECT_EQ(e.master_addr, "10.0.0.1");
  EXPECT_EQ(e.master_port, 29500);
  with({{"WORLD_SIZE", "2"}, {"RANK", "2"}, {"MASTER_PORT", "29500"}});
  EXPECT_THROW(dist_env_from_environment(), Error);
  with({{"WORLD_SIZE", "2"}, {"RANK", "1"}});
  try {
    dist_env_from_environment();
    FAIL() << "missing MASTER_PORT accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("MASTER_PORT"), std::string::npos);
  }
  with({{"WORLD_SIZE", "two"}});
  EXPECT_THROW(dist_env_from_environment(), Error);
  with({});
}

}  // namespace
}  // namespace lf::dist
