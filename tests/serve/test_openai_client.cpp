// The API as applications use it: the official OpenAI client for Node (npm
// `openai`), installed once into the build tree, against an in-process server.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>

#include "http_client.h"
#include "serve_fixture.h"

using namespace lf::test;

namespace {

struct ShellRun {
  int status = -1;
  std::string out;
};

ShellRun shell(const std::string& cmd) {
  ShellRun r;
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return r;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int st = pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

const std::filesystem::path kNpmDir = std::filesystem::path(LF_BINARY_DIR) / "npm-serve";

// "" when the client is ready, else why it is not.
std::string ensure_openai_client() {
  if (shell("node --version").status != 0) return "node is not installed";
  if (std::filesystem::exists(kNpmDir / "node_modules" / "openai" / "package.json")) return "";
  ShellRun r = shell("timeout 180 npm install --no-audit --no-fund --prefix '" + kNpmDir.string() + "' openai");
  if (r.status != 0) return "npm could not fetch the `openai` package:\n" + r.out;
  return "";
}

}  // namespace

TEST(OpenAiClient, OfficialNodeClientWorksAgainstTheServer) {
  const std::string missing = ensure_openai_client();
  if (!missing.empty()) GTEST_SKIP() << "skipping the OpenAI client test: " << missing;
  auto dir = serve_scratch("openai");
  {
    lf::serve::ApiOptions o;
    o.api_key = kTestKey;
    o.model_name = "served-name";
    RunningServer server(make_tiny_model(dir / "model"), o);
    const std::string script = std::string(LF_SOURCE_DIR) + "/tests/serve/openai_client.cjs";
    ShellRun r = shell("NODE_PATH='" + (kNpmDir / "node_modules").string() + "' timeout 120 node '" + script +
                  "' http://127.0.0.1:" + std::to_string(server.port()) + "/v1 " + kTestKey);
    EXPECT_EQ(r.status, 0) << r.out;
    EXPECT_NE(r.out.find("openai client checks passed"), std::string::npos) << r.out;
  }
  std::filesystem::remove_all(dir);
}
