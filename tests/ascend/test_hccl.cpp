// HCCL communicators between two ranks (threads, one simulated NPU each), the
// EJ0001 remedy, and finding the processes that hold an NPU from npu-smi.
#include <thread>
#include <unistd.h>

#include "backends/ascend/hccl_comm.h"
#include "backends/ascend/npu_smi.h"
#include "core/error.h"
#include "ops/backend.h"
#include "util.h"

namespace lf::test {
namespace {

using ascend::HcclCommunicator;

TEST(Hccl, AllReduceAndBroadcastAcrossTwoRanks) {
  npu_runtime();
  std::vector<char> root = ascend::hccl_root_info(0);
  std::vector<std::vector<float>> sums(2), bcast(2);
  auto rank_main = [&](int rank) {
    const Device d{DeviceType::npu, rank};
    HcclCommunicator comm(2, root, rank, rank);
    Tensor t = Tensor::from_vector({1.0f + rank, 10.0f * (rank + 1)}, {2}, DType::f32, d);
    comm.all_reduce_sum(t);
    Tensor b = Tensor::from_vector({rank == 1 ? 7.0f : 0.0f}, {1}, DType::f32, d);
    comm.broadcast(b, 1);
    ops::backend_for(d).synchronize(rank);
    sums[rank] = t.to_floats();
    bcast[rank] = b.to_floats();
  };
  std::thread r1(rank_main, 1);
  rank_main(0);
  r1.join();
  for (int r = 0; r < 2; ++r) {
    EXPECT_EQ(sums[r], (std::vector<float>{3.0f, 30.0f})) << "rank " << r;
    EXPECT_EQ(bcast[r], (std::vector<float>{7.0f})) << "rank " << r;
  }
}

TEST(Hccl, NpuSmiProcessTableNamesHolders) {
  const std::string smi = R"(+------------------------------------------------------------------------------------------------+
| npu-smi 23.0.2.1                 Version: 23.0.2.1                                             |
+---------------------------+---------------+----------------------------------------------------+
| NPU   Name                | Health        | Power(W)    Temp(C)           Hugepages-Usage(page)|
| Chip                      | Bus-Id        | AICore(%)   Memory-Usage(MB)  HBM-Usage(MB)        |
+===========================+===============+====================================================+
| 0     910B2C              | OK            | 88.6        51                0    / 0             |
| 0                         | 0000:5A:00.0  | 0           0    / 0          20701/ 65536         |
+===========================+===============+====================================================+
+---------------------------+---------------+----------------------------------------------------+
| NPU     Chip              | Process id    | Process name             | Process memory(MB)      |
+===========================+===============+====================================================+
| 0       0                 | 4194303       | python3.8                | 17400                   |
| 1       0                 | 4242          |                          | 113                     |
| No running processes found in NPU 2                                                            |
+---------------------------+---------------+----------------------------------------------------+
)";
  auto rows = ascend::parse_npu_smi_processes(smi);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].npu, 0);
  EXPECT_EQ(rows[0].pid, 4194303);
  EXPECT_EQ(rows[0].name, "python3.8");
  EXPECT_EQ(rows[0].memory_mb, 17400);
  EXPECT_EQ(rows[1].name, "");
  auto holders = ascend::npu_holders(smi, {0, 2}, /*self_pid=*/4242);
  ASSERT_EQ(holders.size(), 1u);
  EXPECT_TRUE(contains(holders[0], "NPU 0: pid 4194303 (python3.8, 17400 MB, not running here"))
      << holders[0];
  EXPECT_TRUE(ascend::npu_holders(smi, {1}, /*self_pid=*/4242).empty());  // this process
}

TEST(HccpFault, InitFailureGivesTheSeedFaqRemedy) {
  if (!env_is("CANN_SIM_FAULT", "hccp")) GTEST_SKIP() << "run by ctest ascend.hccp_fault";
  npu_runtime();
  std::vector<char> root = ascend::hccl_root_info(0);
  try {
    HcclCommunicator comm(1, root, 0, 0);
    FAIL() << "HCCL initialisation should fail";
  } catch (const Error& e) {
    std::string m = e.what();
    EXPECT_TRUE(contains(m, "HcclCommInitRootInfo failed: 7 HCCL_E_UNAVAIL")) << m;
    EXPECT_TRUE(contains(m, "EJ0001")) << m;
    EXPECT_TRUE(contains(m, "wait 10 seconds")) << m;
  }
}

}  // namespace
}  // namespace lf::test
