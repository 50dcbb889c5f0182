// `llamafactory-cli api` as a process: it reads API_HOST / API_PORT / API_KEY /
// API_MODEL_NAME, serves, and exits 0 on SIGTERM and SIGINT.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "../cli/run_cli.h"
#include "http_client.h"
#include "../common/free_port.h"
#include "serve_fixture.h"

using namespace lf::test;

namespace {


pid_t start_api(const std::filesystem::path& model, int port, const std::filesystem::path& log) {
  pid_t pid = fork();
  if (pid == 0) {
    setenv("API_HOST", "127.0.0.1", 1);
    setenv("API_PORT", std::to_string(port).c_str(), 1);
    setenv("API_KEY", kTestKey.c_str(), 1);
    setenv("API_MODEL_NAME", "cli-model", 1);
    freopen(log.c_str(), "w", stdout);
    dup2(fileno(stdout), 2);
    const std::string m = "model_name_or_path=" + model.string();
    execl(std::getenv("LF_CLI"), "llamafactory-cli", "api", m.c_str(), "template=qwen", "max_new_tokens=16",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  return pid;
}

// Waits up to `seconds` for the child; returns its exit code, or -1 (then kills it).
int wait_exit(pid_t pid, int seconds) {
  for (int i = 0; i < seconds * 20; ++i) {
    int st = 0;
    if (waitpid(pid, &st, WNOHANG) == pid) return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  return -1;
}

}  // namespace

TEST(ApiCli, ServesFromTheEnvironmentAndShutsDownOnSignals) {
  ASSERT_NE(std::getenv("LF_CLI"), nullptr) << "run through ctest";
  auto dir = serve_scratch("cli");
  auto model = make_tiny_model(dir / "model");
  for (int sig : {SIGTERM, SIGINT}) {
    const int port = free_port();
    pid_t pid = start_api(model, port, dir / "api.log");
    ASSERT_GT(pid, 0);
    HttpReply models;
    for (int i = 0; i < 200 && models.status != 200; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      models = get(port, "/v1/models");
    }
    EXPECT_EQ(models.status, 200) << models.body;
    EXPECT_EQ(models.json()["data"][0]["id"], "cli-model");
    EXPECT_EQ(get(port, "/v1/models", "").status, 401);
    // The seed's request, verbatim: the YAML's max_new_tokens bounds it.
    auto reply = post(port, R"({
        "model": "meta-llama/Meta-Llama-3-8B-Instruct",
        "messages": [
            {"role": "user", "content": "Hello"}
        ],
        "do_sample": false
    })");
    ASSERT_EQ(reply.status, 200) << reply.body;
    EXPECT_EQ(reply.json()["model"], "meta-llama/Meta-Llama-3-8B-Instruct");
    EXPECT_LE(reply.json()["usage"]["completion_tokens"].get<int>(), 16) << reply.body;
    kill(pid, sig);
    EXPECT_EQ(wait_exit(pid, 10), 0) << "signal " << sig;
  }
  std::filesystem::remove_all(dir);
}

TEST(ApiCli, BadPortIsAClearError) {
  auto dir = serve_scratch("cli_port");
  auto model = make_tiny_model(dir / "model");
  auto r = run_cli("api model_name_or_path=" + model.string() + " template=qwen", "API_PORT=80x");
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find("API_PORT=80x is not a port number"), std::string::npos) << r.out;
  std::filesystem::remove_all(dir);
}

TEST(ApiCli, ABusyPortIsRefusedNotShared) {
  auto dir = serve_scratch("cli_busy");
  auto model = make_tiny_model(dir / "model");
  // A listener that allows port sharing, as a first `api` with httplib's
  // default options would: a second server must still be refused.
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  const int yes = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &yes, sizeof yes);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(listen(fd, 4), 0);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  const std::string port = std::to_string(ntohs(a.sin_port));
  auto r = run_cli("api model_name_or_path=" + model.string() + " template=qwen",
                   "API_HOST=127.0.0.1 API_PORT=" + port);
  close(fd);
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find("port is in use"), std::string::npos) << r.out;
  std::filesystem::remove_all(dir);
}
