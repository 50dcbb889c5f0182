// `llamafactory-cli tokenize` against the library it wraps.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "reference.h"
#include "tokenizer/tokenizer.h"

namespace lf::tok {
namespace {

using nlohmann::json;

std::string cli() {
  const char* env = std::getenv("LF_CLI");
  const std::string path = env ? env : std::string(LF_BINARY_DIR) + "/bin/llamafactory-cli";
  LF_CHECK(std::filesystem::exists(path), "no CLI at ", path, "; build the llamafactory-cli target first");
  return path;
}

// Runs the CLI with `input` on stdin; returns stdout and sets the exit status.
std::string run_cli(const std::string& args, const std::string& input, int& status) {
  // One input file per test and call: CTest runs the tests in parallel.
  static int calls = 0;
  const auto in = std::filesystem::path(LF_BINARY_DIR) /
                  ("tokenizer-cli-" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) +
                   "-" + std::to_string(++calls) + ".txt");
  std::ofstream(in) << input;
  const std::string cmd = cli() + " tokenize " + args + " < '" + in.string() + "' 2>&1";
  std::unique_ptr<FILE, int (*)(FILE*)> p(popen(cmd.c_str(), "r"), pclose);
  std::string out;
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof buf, p.get())) > 0;) out.append(buf, n);
  status = WEXITSTATUS(pclose(p.release()));
  return out;
}

TEST(Cli, EncodesAndDecodesLineByLine) {
  const std::string dir = test::tokenizer_dir("demo");
  const Tokenizer tok = Tokenizer::load(dir);
  const std::vector<std::string> texts = {"Hello, world!", "你好，世界", "<|im_start|>user\nhi<|im_end|>", ""};
  std::string input;
  for (const auto& t : texts) input += json(t).dump() + "\n";
  int status = -1;
  const std::string out = run_cli("model_name_or_path=" + dir, input, status);
  ASSERT_EQ(status, 0) << out;
  std::istringstream lines(out);
  std::string line, arrays;
  for (const auto& t : texts) {
    ASSERT_TRUE(std::getline(lines, line));
    EXPECT_EQ(json::parse(line).get<std::vector<int32_t>>(), tok.encode(t));
    arrays += line + "\n";
  }
  const std::string back = run_cli("model_name_or_path=" + dir + " decode=true", arrays, status);
  ASSERT_EQ(status, 0) << back;
  std::istringstream decoded(back);
  for (const auto& t : texts) {
    ASSERT_TRUE(std::getline(decoded, line));
    EXPECT_EQ(json::parse(line).get<std::string>(), t);
  }
}

TEST(Cli, AddSpecialTokensFollowsTheTokenizer) {
  const std::string dir = test::tokenizer_dir("llama2");
  int status = -1;
  const std::string out = run_cli("model_name_or_path=" + dir + " add_special_tokens=true", "\"hi\"\n", status);
  ASSERT_EQ(status, 0) << out;
  EXPECT_EQ(json::parse(out).get<std::vector<int32_t>>(), Tokenizer::load(dir).encode("hi", true));
}

TEST(Cli, BadLineIsAnErrorNamingIt) {
  int status = -1;
  const std::string out = run_cli("model_name_or_path=" + test::tokenizer_dir("demo"), "\"ok\"\nnot json\n", status);
  EXPECT_EQ(status, 1);
  EXPECT_NE(out.find("stdin line 2"), std::string::npos) << out;
}

}  // namespace
}  // namespace lf::tok
