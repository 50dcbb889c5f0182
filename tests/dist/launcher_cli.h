// Starts the built llamafactory-cli as a child of this test (so its pid and
// its workers' pids are known), with its console in a file, and waits for it
// with a bound.
#pragma once
#include <fcntl.h>
#include <signal.h>
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

namespace lf::test {

struct CliRun {
  pid_t pid = -1;
  std::filesystem::path console;
};

struct CliExit {
  int status = -1;  // exit status, 128 + signal, or -1 when it had to be killed
  std::string console;
  double seconds = 0;
};

inline std::string cli_program() {
  const char* p = std::getenv("LF_CLI");
  return p ? p : LF_BINARY_DIR "/bin/llamafactory-cli";
}

// Runs `llamafactory-cli args...` in dir with env added, console into `console`.
inline CliRun start_cli(const std::filesystem::path& dir, const std::vector<std::string>& args,
                        const std::map<std::string, std::string>& env,
                        const std::filesystem::path& console) {
  std::string program = cli_program();
  std::vector<std::string> argv_s = {program};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    int fd = open(console.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
    if (chdir(dir.c_str()) != 0) _exit(126);
    setenv("OMP_NUM_THREADS", "1", 1);
    for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
    execv(program.c_str(), argv.data());
    _exit(127);
  }
  return {pid, console};
}

// Waits up to `limit` seconds; a run still going then is killed (status -1).
inline CliExit wait_cli(const CliRun& run, double limit) {
  auto start = std::chrono::steady_clock::now();
  CliExit e;
  int st = 0;
  for (;;) {
    pid_t r = waitpid(run.pid, &st, WNOHANG);
    e.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (r == run.pid) {
      e.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
      break;
    }
    if (e.seconds > limit) {
      kill(run.pid, SIGKILL);
      waitpid(run.pid, &st, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::ifstream in(run.console);
  std::stringstream s;
  s << in.rdbuf();
  e.console = s.str();
  return e;
}

// The pid of the child of `parent` whose environment has RANK=rank, or -1.
inline pid_t worker_pid(pid_t parent, int rank) {
  namespace fs = std::filesystem;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/proc", ec)) {
    std::string name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(e.path() / "stat");
    std::string line;
    std::getline(stat, line);
    auto close_paren = line.rfind(')');
    if (close_paren == std::string::npos) continue;
    std::istringstream rest(line.substr(close_paren + 2));
    char state;
    pid_t ppid = 0;
    rest >> state >> ppid;
    if (ppid != parent) continue;
    std::ifstream env(e.path() / "environ", std::ios::binary);
    std::string var;
    while (std::getline(env, var, '\0')) {
      if (var == "RANK=" + std::to_string(rank)) return std::stoi(name);
    }
  }
  return -1;
}

// Whether `pid` has ended (no process, or a zombie) within `seconds`.
inline bool process_gone(pid_t pid, double seconds) {
  auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  for (;;) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(stat, line)) return true;
    auto close_paren = line.rfind(')');
    if (close_paren != std::string::npos && close_paren + 2 < line.size() &&
        line[close_paren + 2] == 'Z') {
      return true;
    }
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace lf::test
