// The seed's command on a (simulated) two-NPU host: `ASCEND_RT_VISIBLE_DEVICES=0,1
// llamafactory-cli train ...` launches one worker per visible NPU by itself,
// and asking for more workers than visible NPUs is an error naming both.
#include <gtest/gtest.h>

#include "../train/train_fixture.h"

namespace lf::test {
namespace {

std::string slurp_file(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(NpuLauncher, SeedCommandStartsOneWorkerPerVisibleNpu) {
  TrainDir d;
  auto r = d.train("output_dir=out max_steps=2 ddp_timeout=60",
                   "ASCEND_RT_VISIBLE_DEVICES=0,1 HCCL_CONNECT_TIMEOUT=60");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("Initializing 2 distributed tasks at: 127.0.0.1:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("device: npu:0"), std::string::npos) << r.out;
  std::string rank1 = slurp_file(d.path() / "out" / "logs" / "rank1.log");
  EXPECT_NE(rank1.find("Process rank: 1, world size: 2, device: npu:1"), std::string::npos) << rank1;
  EXPECT_EQ(d.losses("out").size(), 2u);
}

TEST(NpuLauncher, MoreWorkersThanVisibleNpusIsAnError) {
  TrainDir d;
  auto r = d.train("output_dir=out max_steps=1", "ASCEND_RT_VISIBLE_DEVICES=0,1 NPROC_PER_NODE=3");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("NPROC_PER_NODE=3 but only 2 npu device(s) are visible (selected by "
                       "ASCEND_RT_VISIBLE_DEVICES)"),
            std::string::npos)
      << r.out;
}

}  // namespace
}  // namespace lf::test
