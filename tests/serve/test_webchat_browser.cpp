// `llamafactory-cli webchat` end to end: the process serves the page on
// GRADIO_SERVER_NAME:GRADIO_SERVER_PORT, headless Chromium (Debian's, driven
// by the npm package playwright-core) sends messages and sees the streamed
// answers, and SIGTERM / SIGINT end it with status 0. The browser and the npm
// package are required: without them the test fails and says how to get them.
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <sstream>

#include "core/error.h"
#include "webchat_fixture.h"
#include "webchat_process.h"

using namespace lf::test;
using lf::data::Message;
using lf::data::Role;

namespace {

// Pinned so the test drives the same automation code everywhere.
const std::string kPlaywright = "playwright-core@1.65.1";
const std::filesystem::path kNpmDir = std::filesystem::path(LF_BINARY_DIR) / "npm-webchat";

std::string chromium_path() {
  const char* custom = std::getenv("LF_CHROMIUM");
  return custom && *custom ? custom : "/usr/bin/chromium";
}

// "" when node, playwright-core and Chromium are ready, else what is missing and how to get it.
std::string browser_missing() {
  if (access(chromium_path().c_str(), X_OK) != 0)
    return "Chromium is not at " + chromium_path() + ": run scripts/install-deps.sh (apt-get install chromium), "
           "or point LF_CHROMIUM at a Chromium binary";
  if (shell("node --version").status != 0) return "node is not installed: run scripts/install-deps.sh";
  const auto stamp = kNpmDir / ".installed";
  std::ifstream in(stamp);
  std::string installed;
  std::getline(in, installed);
  if (installed == kPlaywright && std::filesystem::exists(kNpmDir / "node_modules" / "playwright-core")) return "";
  ShellRun r = shell("timeout 300 npm install --no-audit --no-fund --no-save --prefix '" + kNpmDir.string() + "' " +
                     kPlaywright);
  if (r.status != 0) return "npm could not install " + kPlaywright + " (needs the npm registry once):\n" + r.out;
  std::ofstream(stamp) << kPlaywright << "\n";
  return "";
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST(WebChatBrowser, PageSendsAMessageAndShowsTheStreamedAnswer) {
  ASSERT_NE(std::getenv("LF_CLI"), nullptr) << "run through ctest";
  const std::string missing = browser_missing();
  ASSERT_EQ(missing, "") << "the web chat browser test needs headless Chromium and playwright-core";
  auto dir = serve_scratch("webchat_browser");
  auto model = make_tiny_model(dir / "model");
  const int port = free_port();
  pid_t pid = start_webchat({"model_name_or_path=" + model.string(), "template=qwen", "max_new_tokens=48",
                             "top_p=0.6", "temperature=0.5"},
                            {"GRADIO_SERVER_NAME=127.0.0.1", "GRADIO_SERVER_PORT=" + std::to_string(port)},
                            dir / "webchat.log");
  ASSERT_GT(pid, 0);
  ASSERT_TRUE(wait_ready(port, 60)) << read_file(dir / "webchat.log");
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/";
  ShellRun r = shell("NODE_PATH='" + (kNpmDir / "node_modules").string() + "' timeout 240 node '" + LF_SOURCE_DIR +
                     "/tests/serve/webchat_browser.cjs' " + url + " '" + chromium_path() + "'");
  kill(pid, SIGTERM);
  EXPECT_EQ(wait_exit(pid, 20), 0) << read_file(dir / "webchat.log");
  ASSERT_EQ(r.status, 0) << r.out;
  const size_t at = r.out.find("RESULT ");
  ASSERT_NE(at, std::string::npos) << r.out;
  const auto shown = nlohmann::json::parse(r.out.substr(at + 7, r.out.find('\n', at) - at - 7));

  // The page showed what this model answers, computed here without the server.
  lf::infer::ChatEngine engine(infer_args(model));
  std::vector<Message> turns = {{Role::user, "hello"}};
  EXPECT_EQ(shown["first"], greedy_reply(engine, turns, 8));
  turns.push_back({Role::assistant, shown["first"]});
  turns.push_back({Role::user, "<b>bold</b> & <script>x()</script>"});
  EXPECT_EQ(shown["second"], greedy_reply(engine, turns, 8, "You are terse."));
  std::filesystem::remove_all(dir);
}

TEST(WebChatCli, SigintStopsItAndBadSettingsAreClearErrors) {
  ASSERT_NE(std::getenv("LF_CLI"), nullptr) << "run through ctest";
  auto dir = serve_scratch("webchat_cli");
  auto model = make_tiny_model(dir / "model");
  const std::vector<std::string> args = {"model_name_or_path=" + model.string(), "template=qwen"};
  const int port = free_port();
  pid_t pid = start_webchat(args, {"GRADIO_SERVER_NAME=127.0.0.1", "GRADIO_SERVER_PORT=" + std::to_string(port)},
                            dir / "first.log");
  ASSERT_GT(pid, 0);
  ASSERT_TRUE(wait_ready(port, 60)) << read_file(dir / "first.log");
  EXPECT_NE(read_file(dir / "first.log").find("Visit http://127.0.0.1:" + std::to_string(port)), std::string::npos);

  // A second one on the same port says so and leaves the first alone.
  pid_t second = start_webchat(args, {"GRADIO_SERVER_NAME=127.0.0.1", "GRADIO_SERVER_PORT=" + std::to_string(port)},
                               dir / "second.log");
  EXPECT_EQ(wait_exit(second, 60), 1);
  EXPECT_NE(read_file(dir / "second.log").find("the port is in use"), std::string::npos)
      << read_file(dir / "second.log");
  EXPECT_NE(read_file(dir / "second.log").find("GRADIO_SERVER_PORT=" + std::to_string(port + 1)), std::string::npos);
  EXPECT_EQ(get(port, "/api/config", "").status, 200);

  kill(pid, SIGINT);
  EXPECT_EQ(wait_exit(pid, 20), 0) << read_file(dir / "first.log");

  const std::vector<std::pair<std::string, std::string>> refusals = {
      {"GRADIO_SHARE=1", "no share tunnel"},
      {"GRADIO_SERVER_PORT=78x", "GRADIO_SERVER_PORT=78x is not a port number"},
      {"GRADIO_SERVER_NAME=no-such-host.invalid", "no-such-host.invalid is not an address"},
  };
  for (const auto& [env, message] : refusals) {
    // The case's variable comes first, so it wins over the free port.
    pid_t p = start_webchat(args, {env, "GRADIO_SERVER_PORT=" + std::to_string(free_port())}, dir / "bad.log");
    EXPECT_EQ(wait_exit(p, 60), 1) << env;
    EXPECT_NE(read_file(dir / "bad.log").find(message), std::string::npos) << env << ": " << read_file(dir / "bad.log");
  }
  std::filesystem::remove_all(dir);
}

TEST(WebChatCli, ABusyPortIsSkippedWhenNoneWasChosen) {
  // What an unset GRADIO_SERVER_PORT does from 7860 (Gradio's search), on a port of ours.
  int busy = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(busy, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(listen(busy, 1), 0);
  socklen_t len = sizeof a;
  getsockname(busy, reinterpret_cast<sockaddr*>(&a), &len);
  const int taken = ntohs(a.sin_port);

  auto dir = serve_scratch("webchat_ports");
  lf::infer::ChatEngine engine(infer_args(make_tiny_model(dir / "model")));
  lf::serve::WebChatOptions o;
  o.host = "127.0.0.1";
  o.port = taken;
  o.ports_to_try = 1;
  lf::serve::WebChatServer only(engine, o);
  try {
    only.bind();
    ADD_FAILURE() << "bound a port that is in use";
  } catch (const lf::Error& e) {
    EXPECT_NE(std::string(e.what()).find("the port is in use"), std::string::npos) << e.what();
  }
  o.ports_to_try = 5;
  lf::serve::WebChatServer searching(engine, o);
  const int got = searching.bind();
  EXPECT_GT(got, taken);
  EXPECT_LT(got, taken + 5);
  close(busy);
  std::filesystem::remove_all(dir);
}
