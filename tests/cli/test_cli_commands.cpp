#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "build_info.h"
#include "run_cli.h"
#include "temp_config.h"

using lf::test::run_cli;

TEST(Cli, HelpAndNoArgumentsPrintUsage) {
  for (const char* args : {"", "help"}) {
    auto r = run_cli(args);
    EXPECT_EQ(r.status, 0) << r.out;
    EXPECT_NE(r.out.find("| Usage:"), std::string::npos) << r.out;
    for (const char* c : {"train", "chat", "api", "webchat", "webui", "export", "env", "version"}) {
      EXPECT_NE(r.out.find(std::string("llamafactory-cli ") + c + ":"), std::string::npos) << c;
    }
  }
}

TEST(Cli, UnknownCommandExitsTwoWithUsage) {
  auto r = run_cli("trian");
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.out.rfind("Unknown command: trian.\n", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("| Usage:"), std::string::npos) << r.out;
}

TEST(Cli, VersionBanner) {
  auto r = run_cli("version");
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("Welcome to llamafactory.cpp, version "), std::string::npos) << r.out;
}

TEST(Cli, ShortAliasRunsTheSameProgram) {
  const char* cli = std::getenv("LF_CLI");
  ASSERT_NE(cli, nullptr);
  std::string lmf = std::string(cli).substr(0, std::string(cli).rfind('/')) + "/lmf";
  FILE* p = popen(("'" + lmf + "' version 2>&1").c_str(), "r");
  ASSERT_NE(p, nullptr);
  char buf[256] = {};
  std::string out;
  while (std::fgets(buf, sizeof buf, p)) out += buf;
  EXPECT_EQ(pclose(p), 0);
  EXPECT_NE(out.find("Welcome to llamafactory.cpp"), std::string::npos) << out;
}

TEST(Cli, ConfigErrorsPrintOneErrorLineAndExitOne) {
  auto r = run_cli("train learnig_rate=1");
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.out.rfind("[ERROR] unknown config key 'learnig_rate' (did you mean 'learning_rate'?)", 0), 0u)
      << r.out;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
  r = run_cli("train /nonexistent.yaml");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("[ERROR] config file /nonexistent.yaml not found"), std::string::npos);
}

// The commands whose implementation has not landed are those whose source
// calls refuse_unavailable; the list shrinks as issues land.
std::vector<std::string> unavailable_commands() {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(std::string(LF_SOURCE_DIR) + "/src/cli")) {
    const std::string name = e.path().filename().string();
    if (name.rfind("cmd_", 0) != 0) continue;
    std::ifstream in(e.path());
    std::stringstream text;
    text << in.rdbuf();
    if (text.str().find("refuse_unavailable(") != std::string::npos) {
      out.push_back(name.substr(4, name.size() - 8));
    }
  }
  return out;
}

TEST(Cli, CommandsNotYetBuiltRefuseAfterCheckingTheConfig) {
  lf::test::TempDir dir;
  std::string cfg = dir.write("c.yaml", "model_name_or_path: m\ntemplate: llama3\n");
  for (const std::string& c : unavailable_commands()) {
    auto r = run_cli(c + " " + cfg);
    EXPECT_EQ(r.status, 1) << c;
    EXPECT_NE(r.out.find("[ERROR] `llamafactory-cli " + c + "` is not available in this build yet"),
              std::string::npos)
        << r.out;
  }
  // A bad config is still reported as such first.
  auto r = run_cli("webchat temperature=hot");
  EXPECT_NE(r.out.find("'temperature' expects a number"), std::string::npos) << r.out;
  // Inference commands do not take training keys, as in LLaMA-Factory.
  r = run_cli("webchat learning_rate=1e-4");
  EXPECT_NE(r.out.find("not used by this command"), std::string::npos) << r.out;
}

TEST(Cli, EnvHasLlamaFactoryShape) {
  auto r = run_cli("env", "CUDA_VISIBLE_DEVICES=0");
  ASSERT_EQ(r.status, 0) << r.out;
  ASSERT_GE(r.out.size(), 2u);
  EXPECT_EQ(r.out.front(), '\n');
  EXPECT_EQ(r.out.substr(r.out.size() - 2), "\n\n");
  std::istringstream lines(r.out.substr(1, r.out.size() - 2));
  std::string line;
  std::vector<std::string> keys;
  const std::regex shape(R"(- ([^:]+): (.+))");
  while (std::getline(lines, line)) {
    std::smatch m;
    ASSERT_TRUE(std::regex_match(line, m, shape)) << "bad line: '" << line << "'";
    keys.push_back(m[1]);
  }
  for (const char* k : {"`llamafactory.cpp` version", "Platform", "Compiler", "Build type",
                        "Backends compiled", "CPU", "Visible devices", "Default device",
                        "Default data directory"}) {
    EXPECT_NE(std::find(keys.begin(), keys.end(), k), keys.end()) << "missing " << k;
  }
  // A build from a git checkout always knows its commit.
  if (*LF_GIT_COMMIT) {
    EXPECT_NE(std::find(keys.begin(), keys.end(), "Git commit"), keys.end());
  }
  EXPECT_EQ(keys.front(), "`llamafactory.cpp` version");
  EXPECT_EQ(keys.back(), "Default data directory");
  EXPECT_EQ(run_cli("env extra").status, 1);
}

TEST(Cli, AllowExtraArgsWarnsAtTheConfiguredVerbosity) {
  auto r = run_cli("chat foo=1", "ALLOW_EXTRA_ARGS=1");
  EXPECT_NE(r.out.find("[WARNING|"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("ignoring unknown config keys 'foo'"), std::string::npos) << r.out;
  r = run_cli("chat foo=1", "ALLOW_EXTRA_ARGS=1 LLAMAFACTORY_VERBOSITY=ERROR");
  EXPECT_EQ(r.out.find("[WARNING|"), std::string::npos) << r.out;
}
