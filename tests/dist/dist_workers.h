// Helpers for the distributed tests: a free loopback port, and worker
// processes (llamafactory-cli with RANK/WORLD_SIZE/... set, as the launcher or
// torchrun would) started directly, with their output in a file.
#pragma once
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "../common/free_port.h"

namespace lf::test {


inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// One worker process: `sh -c command` in dir with extra environment, output in log.
struct Worker {
  pid_t pid = -1;
  std::filesystem::path log;
  int status = -1;  // exit status; 128+signal when killed
  double seconds = 0;
};

inline Worker spawn(const std::filesystem::path& dir, const std::string& command,
                    const std::map<std::string, std::string>& env, const std::filesystem::path& log) {
  Worker w;
  w.log = log;
  w.pid = ::fork();
  if (w.pid == 0) {
    for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
    std::string cmd = "cd '" + dir.string() + "' && exec " + command + " > '" + log.string() + "' 2>&1";
    ::execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  return w;
}

// Waits for every worker, killing any still running after `limit` seconds
// (so a hang fails the test instead of blocking it).
inline void wait_all(std::vector<Worker>& workers, double limit) {
  auto start = std::chrono::steady_clock::now();
  size_t left = workers.size();
  while (left > 0) {
    double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    for (Worker& w : workers) {
      if (w.pid <= 0) continue;
      if (t > limit) ::kill(w.pid, SIGKILL);
      int st = 0;
      if (::waitpid(w.pid, &st, t > limit ? 0 : WNOHANG) == w.pid) {
        w.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        w.seconds = t;
        w.pid = -1;
        left--;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

// The environment of rank `rank` of `world` on one node.
inline std::map<std::string, std::string> rank_env(int rank, int world, int port) {
  return {{"RANK", std::to_string(rank)},        {"LOCAL_RANK", std::to_string(rank)},
          {"WORLD_SIZE", std::to_string(world)}, {"LOCAL_WORLD_SIZE", std::to_string(world)},
          {"MASTER_ADDR", "127.0.0.1"},          {"MASTER_PORT", std::to_string(port)},
          {"OMP_NUM_THREADS", "1"}};
}

}  // namespace lf::test
