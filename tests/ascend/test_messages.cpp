// Status messages (the seed FAQ's remedies) and toolkit / version probing.
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "backends/ascend/probe.h"
#include "backends/ascend/status.h"
#include "util.h"

namespace lf::test {
namespace {

using ascend::status_message;

TEST(Messages, AiCpuExceptionExplainsTheSamplingFaq) {
  std::string m = status_message("aclrtSynchronizeStream", "aclnnTopk", 507018, "AICPU Kernel task happen error");
  EXPECT_TRUE(contains(m, "in op aclnnTopk: 507018 ACL_ERROR_RT_AICPU_EXCEPTION")) << m;
  EXPECT_TRUE(contains(m, "CANN says: AICPU Kernel task happen error")) << m;
  EXPECT_TRUE(contains(m, "do_sample: true is supported")) << m;
}

TEST(Messages, AiCoreExceptionIsNotConfusedWithAiCpu) {
  std::string m = status_message("aclrtSynchronizeStream", "", 507015, "");
  EXPECT_TRUE(contains(m, "507015 ACL_ERROR_RT_AICORE_EXCEPTION")) << m;
  EXPECT_TRUE(contains(m, "AI Core kernel failed")) << m;
}

TEST(Messages, HccpInitFailureGivesTheStaleProcessRemedy) {
  std::string m = status_message("HcclCommInitRootInfo", "", 7, "EJ0001", /*hccl=*/true);
  EXPECT_TRUE(contains(m, "7 HCCL_E_UNAVAIL")) << m;
  EXPECT_TRUE(contains(m, "npu-smi info")) << m;
  EXPECT_TRUE(contains(m, "wait 10 seconds")) << m;
}

TEST(Messages, ParameterErrorsAreNamed) {
  EXPECT_EQ(ascend::status_name(161001), "ACLNN_ERR_PARAM_NULLPTR");
  EXPECT_EQ(ascend::status_name(161002), "ACLNN_ERR_PARAM_INVALID");
  EXPECT_EQ(ascend::status_name(100002), "ACL_ERROR_REPEAT_INITIALIZE");
  EXPECT_EQ(ascend::status_name(424242), "unknown status");
  EXPECT_TRUE(contains(status_message("aclnnMatmulGetWorkspaceSize", "aclnnMatmul", 561003, ""),
                       "kernels package"));
}

TEST(Probe, VersionFromTheSimulatedToolkitFiles) {
  EXPECT_EQ(ascend::cann_version_from_files(CANN_SIM_HOME), "8.1.RC1");
  EXPECT_EQ(ascend::cann_version_from_files(""), "");
}

TEST(Probe, VersionFallsBackToRuntimeVersionInfo) {
  namespace fs = std::filesystem;
  fs::path home = fs::temp_directory_path() / ("lf_cann_" + std::to_string(::getpid()));
  fs::create_directories(home / "runtime");
  std::ofstream(home / "runtime" / "version.info") << "Version=7.2.0.1.100\nversion_dir=8.0.RC1\n";
  EXPECT_EQ(ascend::cann_version_from_files(home.string()), "8.0.RC1");
  fs::remove_all(home);
}

TEST(Probe, ReasonsNameTheMissingPiece) {
  ascend::Probe p;
  p.count_status = 507899;
  EXPECT_TRUE(contains(ascend::unavailable_reason(p), "driver")) << ascend::unavailable_reason(p);
  p = {};
  p.toolkit = "/opt/cann";
  EXPECT_TRUE(contains(ascend::unavailable_reason(p), "no NPU"));
  p.count = 1;
  EXPECT_EQ(ascend::unavailable_reason(p), "");
  p.toolkit = "";
  EXPECT_TRUE(contains(ascend::unavailable_reason(p), "set_env.sh"));
}

}  // namespace
}  // namespace lf::test
