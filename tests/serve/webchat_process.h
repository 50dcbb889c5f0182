// `llamafactory-cli webchat` as a child process of the serve tests, and the
// shell runs the browser test makes (node, npm).
#pragma once
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "http_client.h"
#include "../common/free_port.h"

extern char** environ;

namespace lf::test {


// Starts `llamafactory-cli webchat <args>` with `env` (NAME=value) added to
// this process's environment; its output goes to `log`.
inline pid_t start_webchat(const std::vector<std::string>& args, const std::vector<std::string>& env,
                           const std::filesystem::path& log) {
  const char* cli = std::getenv("LF_CLI");
  if (!cli) return -1;
  // Everything the child needs is built before fork(): the parent has threads.
  std::vector<std::string> envs(env);
  for (char** e = environ; *e; ++e) envs.emplace_back(*e);
  std::vector<char*> envp, argv = {const_cast<char*>("llamafactory-cli"), const_cast<char*>("webchat")};
  for (auto& e : envs) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<std::string> arg_copy(args);
  for (auto& a : arg_copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  const std::string log_path = log.string();
  pid_t pid = fork();
  if (pid == 0) {
    FILE* out = std::freopen(log_path.c_str(), "w", stdout);
    if (out) dup2(fileno(out), 2);
    execve(cli, argv.data(), envp.data());
    _exit(127);
  }
  return pid;
}

// Waits up to `seconds` for the page's configuration to be served.
inline bool wait_ready(int port, int seconds) {
  for (int i = 0; i < seconds * 20; ++i) {
    if (get(port, "/api/config", "").status == 200) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

// Waits up to `seconds` for the child; returns its exit code, or -1 (then kills it).
inline int wait_exit(pid_t pid, int seconds) {
  for (int i = 0; i < seconds * 20; ++i) {
    int st = 0;
    if (waitpid(pid, &st, WNOHANG) == pid) return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  return -1;
}

struct ShellRun {
  int status = -1;
  std::string out;  // stdout and stderr together
};

inline ShellRun shell(const std::string& cmd) {
  ShellRun r;
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return r;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int st = pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

}  // namespace lf::test
