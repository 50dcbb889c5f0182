// Runs the launcher in this test process with small /bin/sh workers and
// captures its console (fds 1 and 2) into a string.
#pragma once
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "dist/launcher.h"

namespace lf::test {

inline std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A fresh temporary directory, removed at the end of the test.
class LaunchDir {
 public:
  LaunchDir() {
    static int counter = 0;
    path_ = std::filesystem::temp_directory_path() /
            ("lf_launch_" + std::to_string(getpid()) + "_" + std::to_string(counter++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~LaunchDir() { std::filesystem::remove_all(path_); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

struct LaunchResult {
  int status = -1;
  std::string error;    // the lf::Error message, when launch_workers threw
  std::string console;  // what the launcher wrote to fds 1 and 2
  double seconds = 0;
};

// A single-node config of n workers on a free port.
inline dist::LaunchConfig local_config(int n) {
  dist::LaunchConfig c;
  c.nproc_per_node = n;
  c.master_port = 29400;
  return c;
}

// Options whose workers run `script` with /bin/sh, logging under dir.
inline dist::LaunchOptions sh_workers(const dist::LaunchConfig& c, const std::string& script,
                                      const std::filesystem::path& dir) {
  dist::LaunchOptions o;
  o.config = c;
  o.worker_argv = {"/bin/sh", "-c", script};
  o.output_dir = dir;
  o.stop_grace = std::chrono::milliseconds(1000);
  return o;
}

// Runs launch_workers with fds 1 and 2 redirected to a file under dir.
inline LaunchResult run_launcher(const dist::LaunchOptions& o, const std::filesystem::path& dir) {
  const auto console = dir / "console.txt";
  std::fflush(stdout);
  std::fflush(stderr);
  int saved_out = dup(STDOUT_FILENO), saved_err = dup(STDERR_FILENO);
  int fd = open(console.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  dup2(fd, STDOUT_FILENO);
  dup2(fd, STDERR_FILENO);
  close(fd);
  LaunchResult r;
  auto start = std::chrono::steady_clock::now();
  try {
    r.status = dist::launch_workers(o);
  } catch (const std::exception& e) {
    r.error = e.what();
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::fflush(stdout);
  std::fflush(stderr);
  dup2(saved_out, STDOUT_FILENO);
  dup2(saved_err, STDERR_FILENO);
  close(saved_out);
  close(saved_err);
  r.console = read_text(console);
  return r;
}

}  // namespace lf::test
