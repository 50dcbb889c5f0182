// Data parallelism on two simulated NPUs: one worker process per device,
// gradients summed through the simulated HCCL across processes, gives the
// losses of one CPU process with the same global batch.
#include <gtest/gtest.h>

#include <cmath>

#include "../dist/dist_workers.h"
#include "../train/train_fixture.h"

namespace lf::test {
namespace {

TEST(NpuDataParallel, TwoNpuProcessesMatchOneCpuProcess) {
  TrainDir d;
  auto cpu = d.train("output_dir=cpu max_steps=3 device=cpu per_device_train_batch_size=4");
  ASSERT_EQ(cpu.status, 0) << cpu.out;
  int port = free_port();
  // Built with += : g++ 12 warns falsely (-Wrestrict) on "'" + string.
  std::string cmd(1, '\'');
  cmd += cli_path();
  cmd += "' train model_name_or_path=model dataset=tiny template=qwen do_train=true cutoff_len=64 "
         "learning_rate=5e-3 logging_steps=1 lora_rank=4 max_steps=3 per_device_train_batch_size=2 "
         "ddp_timeout=60 output_dir=npu";
  std::vector<Worker> ws;
  for (int r = 0; r < 2; ++r) {
    auto env = rank_env(r, 2, port);
    env["HCCL_CONNECT_TIMEOUT"] = "60";
    ws.push_back(spawn(d.path(), cmd, env, d.path() / ("npu" + std::to_string(r) + ".log")));
  }
  wait_all(ws, 240);
  for (const auto& w : ws) ASSERT_EQ(w.status, 0) << slurp(w.log);
  EXPECT_NE(slurp(ws[0].log).find("collectives through hccl"), std::string::npos) << slurp(ws[0].log);
  EXPECT_NE(slurp(ws[1].log).find("Process rank: 1, world size: 2, device: npu:1"), std::string::npos)
      << slurp(ws[1].log);
  auto lc = d.losses("cpu"), ln = d.losses("npu");
  ASSERT_EQ(lc.size(), 3u);
  ASSERT_EQ(ln.size(), 3u);
  for (size_t i = 0; i < lc.size(); ++i)
    EXPECT_NEAR(lc[i], ln[i], 1e-3 * std::fabs(lc[i]) + 1e-4) << "step " << i + 1;
}

}  // namespace
}  // namespace lf::test
