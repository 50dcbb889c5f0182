// The seed's promise on a (simulated) Ascend host: `device=npu:0` trains the
// same LoRA run as the CPU, ASCEND_RT_VISIBLE_DEVICES picks the card, and
// `llamafactory-cli env` shows it.
#include <gtest/gtest.h>

#include <cmath>

#include "../train/train_fixture.h"

using lf::test::TrainDir;

TEST(NpuTraining, LoraLossesMatchTheCpuRun) {
  TrainDir d;
  auto cpu = d.train("output_dir=cpu max_steps=4 device=cpu");
  ASSERT_EQ(cpu.status, 0) << cpu.out;
  auto npu = d.train("output_dir=npu max_steps=4 device=npu:0");
  ASSERT_EQ(npu.status, 0) << npu.out;
  EXPECT_NE(npu.out.find("device: npu:0"), std::string::npos) << npu.out;
  auto lc = d.losses("cpu"), ln = d.losses("npu");
  ASSERT_EQ(lc.size(), 4u);
  ASSERT_EQ(ln.size(), 4u);
  for (size_t i = 0; i < lc.size(); ++i) {
    EXPECT_NEAR(lc[i], ln[i], 1e-3 * std::fabs(lc[i]) + 1e-4) << "step " << i + 1;
  }
}

TEST(NpuTraining, AutoPicksTheNpuAndVisibilityRenumbers) {
  TrainDir d;
  auto r = d.train("output_dir=vis max_steps=1", "ASCEND_RT_VISIBLE_DEVICES=1");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("device: npu:0"), std::string::npos) << "auto = the NPU: " << r.out;
  r = d.train("output_dir=vis2 max_steps=1 device=npu:1", "ASCEND_RT_VISIBLE_DEVICES=1");
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.out.find("npu:1 does not exist"), std::string::npos) << r.out;
}

TEST(NpuTraining, EnvShowsTheSimulatedNpu) {
  TrainDir d;
  auto r = lf::test::run_cli_in(d.path(), "env");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("NPU type: Ascend910B2"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("CANN version"), std::string::npos) << r.out;
}

TEST(NpuTraining, Ascend910AFallsBackToFp16WithLossScaling) {
  TrainDir d;
  auto r = d.train("output_dir=a910 max_steps=2 device=npu:0 bf16=true", "CANN_SIM_SOC=Ascend910A");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("has no bfloat16: training in float16 with dynamic loss scaling"),
            std::string::npos) << r.out;
  EXPECT_EQ(d.losses("a910").size(), 2u);
}
