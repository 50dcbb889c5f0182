// The launch decision and the torchrun variables (compat §1.4), the port and
// address checks made before any worker starts.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <map>

#include <gtest/gtest.h>

#include "core/error.h"
#include "dist/launch_config.h"
#include "dist/launch_port.h"

namespace {

using lf::dist::DeviceOffer;
using lf::dist::plan_launch;

lf::dist::EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars](const char* name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

DeviceOffer host() { return {1, true, "cpu", ""}; }
DeviceOffer accelerators(int n) { return {n, false, "npu", "ASCEND_RT_VISIBLE_DEVICES"}; }

std::string error_of(bool force, const DeviceOffer& offer, std::map<std::string, std::string> vars) {
  try {
    plan_launch(force, offer, env_of(std::move(vars)));
  } catch (const lf::Error& e) {
    return e.what();
  }
  return "";
}

// A socket listening on a free port, held for the test.
class Listener {
 public:
  Listener() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    EXPECT_EQ(listen(fd_, 1), 0);
    socklen_t len = sizeof a;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
  }
  ~Listener() { close(fd_); }
  int port() const { return port_; }

 private:
  int fd_ = -1, port_ = 0;
};

TEST(LaunchDecision, OneHostDeviceAndNoVariablesTrainsInProcess) {
  EXPECT_FALSE(plan_launch(false, host(), env_of({})));
  EXPECT_FALSE(plan_launch(false, accelerators(1), env_of({})));
  EXPECT_FALSE(plan_launch(false, host(), env_of({{"NPROC_PER_NODE", "1"}})));
}

TEST(LaunchDecision, SeveralVisibleDevicesLaunchOneWorkerEach) {
  auto c = plan_launch(false, accelerators(4), env_of({}));
  ASSERT_TRUE(c);
  EXPECT_EQ(c->nproc_per_node, 4);
  EXPECT_EQ(c->nnodes, 1);
  EXPECT_EQ(c->node_rank, 0);
  EXPECT_EQ(c->world_size(), 4);
  EXPECT_EQ(c->master_addr, "127.0.0.1");
  EXPECT_FALSE(c->port_given);
  EXPECT_GT(c->master_port, 0);
  EXPECT_FALSE(lf::dist::port_in_use(c->master_port)) << "the chosen port is free";
}

TEST(LaunchDecision, ForceTorchrunLaunchesEvenOneWorker) {
  auto c = plan_launch(true, host(), env_of({}));
  ASSERT_TRUE(c);
  EXPECT_EQ(c->nproc_per_node, 1);
  auto d = plan_launch(true, accelerators(1), env_of({}));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->nproc_per_node, 1);
}

TEST(LaunchDecision, NprocPerNodeStartsSeveralWorkersOnTheHost) {
  auto c = plan_launch(false, host(), env_of({{"NPROC_PER_NODE", "3"}, {"MASTER_PORT", "29555"}}));
  ASSERT_TRUE(c);
  EXPECT_EQ(c->nproc_per_node, 3);
  EXPECT_EQ(c->master_port, 29555);
  EXPECT_TRUE(c->port_given);
  auto d = plan_launch(false, accelerators(4), env_of({{"NPROC_PER_NODE", "2"}}));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->nproc_per_node, 2);
}

TEST(LaunchDecision, MultiNodeVariables) {
  auto c = plan_launch(true, accelerators(8),
                       env_of({{"NNODES", "2"}, {"NODE_RANK", "1"}, {"MASTER_ADDR", "192.168.0.1"},
                               {"MASTER_PORT", "29500"}}));
  ASSERT_TRUE(c);
  EXPECT_EQ(c->nnodes, 2);
  EXPECT_EQ(c->node_rank, 1);
  EXPECT_EQ(c->world_size(), 16);
  EXPECT_EQ(c->master_addr, "192.168.0.1");
  EXPECT_EQ(c->master_port, 29500);
  // NNODES above 1 is a launch even without FORCE_TORCHRUN on one-device nodes.
  EXPECT_TRUE(plan_launch(false, host(), env_of({{"NNODES", "2"}, {"MASTER_PORT", "29500"}})));
}

TEST(LaunchDecision, EmptyValuesMeanUnset) {
  EXPECT_FALSE(plan_launch(false, host(), env_of({{"NNODES", ""}, {"NPROC_PER_NODE", ""}})));
}

TEST(LaunchDecision, BadVariablesNameTheVariableAndTheFix) {
  std::string e = error_of(false, host(), {{"NNODES", "two"}});
  EXPECT_NE(e.find("NNODES=two is not valid"), std::string::npos) << e;
  e = error_of(false, host(), {{"NPROC_PER_NODE", "0"}});
  EXPECT_NE(e.find("NPROC_PER_NODE=0 is not valid"), std::string::npos) << e;
  e = error_of(false, host(), {{"NPROC_PER_NODE", "2x"}});
  EXPECT_NE(e.find("NPROC_PER_NODE=2x"), std::string::npos) << e;
  e = error_of(true, host(), {{"NNODES", "2"}, {"NODE_RANK", "2"}, {"MASTER_PORT", "29500"}});
  EXPECT_NE(e.find("NODE_RANK=2 must be below NNODES=2"), std::string::npos) << e;
  e = error_of(true, host(), {{"NODE_RANK", "-1"}});
  EXPECT_NE(e.find("NODE_RANK=-1 is not valid"), std::string::npos) << e;
  e = error_of(true, host(), {{"MASTER_PORT", "70000"}});
  EXPECT_NE(e.find("MASTER_PORT=70000 is not valid"), std::string::npos) << e;
  e = error_of(true, host(), {{"RDZV_ID", "job1"}});
  EXPECT_NE(e.find("RDZV_ID is set, but elastic launches"), std::string::npos) << e;
  e = error_of(true, host(), {{"NNODES", "2"}});
  EXPECT_NE(e.find("NNODES=2 needs MASTER_PORT"), std::string::npos) << e;
}

TEST(LaunchDecision, MoreWorkersThanVisibleDevicesIsAnError) {
  std::string e = error_of(false, accelerators(2), {{"NPROC_PER_NODE", "4"}});
  EXPECT_NE(e.find("NPROC_PER_NODE=4 but only 2 npu device(s) are visible"), std::string::npos) << e;
  EXPECT_NE(e.find("ASCEND_RT_VISIBLE_DEVICES"), std::string::npos) << e;
  EXPECT_EQ(error_of(false, host(), {{"NPROC_PER_NODE", "4"}}), "") << "the host fits any number";
}

TEST(LaunchPort, BusyPortIsDetectedAndFreePortIsBindable) {
  Listener l;
  EXPECT_TRUE(lf::dist::port_in_use(l.port()));
  int p = lf::dist::free_port();
  EXPECT_GT(p, 0);
  EXPECT_NE(p, l.port());
  EXPECT_FALSE(lf::dist::port_in_use(p));
}

TEST(LaunchPort, UnresolvableMasterAddrIsAnError) {
  EXPECT_NO_THROW(lf::dist::check_master_addr("127.0.0.1"));
  EXPECT_NO_THROW(lf::dist::check_master_addr("localhost"));
  try {
    lf::dist::check_master_addr("no-such-host.invalid");
    ADD_FAILURE() << "an unresolvable MASTER_ADDR was accepted";
  } catch (const lf::Error& e) {
    EXPECT_NE(std::string(e.what()).find("MASTER_ADDR=no-such-host.invalid cannot be resolved"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
