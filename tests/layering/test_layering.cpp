// Enforces ARCHITECTURE.md's rule: nothing above src/ops names a backend, a
// vendor type or header, or branches on a device family.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "source_scanner.h"

using lf::test::scan_source;

namespace {

std::vector<std::string> rules_hit(const std::string& snippet) {
  std::vector<std::string> out;
  for (const auto& v : scan_source(snippet)) out.push_back(v.rule);
  return out;
}

}  // namespace

TEST(LayeringScanner, CatchesEachKindOfViolation) {
  EXPECT_EQ(rules_hit("#include <acl/acl.h>\n").size(), 1u);
  EXPECT_EQ(rules_hit("#include \"aclnnop/aclnn_matmul.h\"\n").size(), 1u);
  EXPECT_EQ(rules_hit("#include <cuda_runtime.h>\n").size(), 1u);
  EXPECT_EQ(rules_hit("#include <nccl.h>\n").size(), 1u);
  EXPECT_EQ(rules_hit("#include <hccl/hccl.h>\n").size(), 1u);
  EXPECT_EQ(rules_hit("#  include <oneapi/dnnl/dnnl.hpp>\n").size(), 1u);
  EXPECT_EQ(rules_hit("#include \"backends/cpu/cpu_backend.h\"\n").size(), 1u);
  EXPECT_EQ(rules_hit("void f(aclTensor* t);\n"),
            (std::vector<std::string>{"vendor ACL/aclnn API or type"}));
  EXPECT_EQ(rules_hit("aclrtSetDevice(0);\n").size(), 1u);
  EXPECT_EQ(rules_hit("cudaStream_t stream;\n"),
            (std::vector<std::string>{"vendor CUDA/NCCL API or type"}));
  EXPECT_EQ(rules_hit("HcclComm comm;\n").size(), 1u);
  EXPECT_EQ(rules_hit("ncclAllReduce(a, b);\n").size(), 1u);
  EXPECT_EQ(rules_hit("dnnl::engine e;\n").size(), 1u);
  EXPECT_EQ(rules_hit("if (d.type == DeviceType::npu) x();\n"),
            (std::vector<std::string>{"names a device family"}));
  EXPECT_EQ(rules_hit("if (d.type == lf::DeviceType :: cuda) x();\n").size(), 1u);
  EXPECT_EQ(rules_hit("if (device == \"npu\") x();\n"),
            (std::vector<std::string>{"device family compared as a string"}));
  EXPECT_EQ(rules_hit("bool g = \"cuda:0\" != name;\n").size(), 1u);
  EXPECT_EQ(rules_hit("auto& b = ops::cpu::cpu_backend();\n"),
            (std::vector<std::string>{"names a backend"}));
  EXPECT_EQ(rules_hit("AscendBackend b;\n").size(), 1u);
}

TEST(LayeringScanner, ReportsTheLine) {
  auto v = scan_source("int a;\n// ok\nvoid f(aclTensor* t);\n");
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].line, 3);
  EXPECT_EQ(v[0].text, "void f(aclTensor* t);");
  // Commented-out code is not code.
  EXPECT_TRUE(scan_source("/*\n#include <acl/acl.h>\n*/\n// if (d == \"npu\")\n").empty());
}

TEST(LayeringScanner, IgnoresCommentsMessagesAndNeutralNames) {
  const char* fine = R"SRC(
#include "core/device.h"
#include "ops/ops.h"
// The NPU path (aclTensor, DeviceType::npu) lives in the backend.
/* cudaMalloc, HcclComm and dnnl:: are only mentioned here */
const char* msg = "set ASCEND_RT_VISIBLE_DEVICES, not cudaSetDevice; DeviceType::npu";
const char* raw = R"x(aclnnMatmul "npu" == x)x";
char c = '"';
int acl = 0, cuda_graphs = 0;
auto f = lf::cpu_features();
for (DeviceType t : kAllDeviceTypes) use(device_type_name(t));
)SRC";
  auto v = scan_source(fine);
  for (const auto& x : v) ADD_FAILURE() << x.line << ": " << x.rule << ": " << x.text;
}

TEST(Layering, NoCodeAboveOpsNamesABackendOrVendor) {
  namespace fs = std::filesystem;
  const fs::path src = fs::path(LF_SOURCE_DIR) / "src";
  const char* layers[] = {"autograd", "models", "tokenizer", "data", "train", "infer",
                          "serve",    "dist",   "hub",       "hparams", "cli"};
  size_t files = 0;
  std::ostringstream report;
  for (const char* layer : layers) {
    if (!fs::is_directory(src / layer)) continue;
    for (const auto& entry : fs::recursive_directory_iterator(src / layer)) {
      const std::string ext = entry.path().extension().string();
      if (!entry.is_regular_file() || (ext != ".h" && ext != ".cpp" && ext != ".hpp" && ext != ".cc")) {
        continue;
      }
      std::ifstream in(entry.path());
      std::stringstream text;
      text << in.rdbuf();
      ++files;
      for (const auto& v : scan_source(text.str())) {
        report << fs::relative(entry.path(), src).string() << ":" << v.line << ": " << v.rule
               << ": " << v.text << "\n";
      }
    }
  }
  EXPECT_GT(files, 0u) << "no sources found under " << src;
  EXPECT_EQ(report.str(), "") << "Code above src/ops must reach devices only through ops/ and "
                                 "core/ (ARCHITECTURE.md, Layers):\n"
                              << report.str();
}
