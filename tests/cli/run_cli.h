// Runs the built llamafactory-cli (path from LF_CLI) through the shell and
// captures its output and exit status.
#pragma once
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace lf::test {

struct CliResult {
  int status = -1;
  std::string out;  // stdout and stderr together
};

// `env` is prepended as shell assignments, e.g. "ALLOW_EXTRA_ARGS=1".
inline CliResult run_cli(const std::string& args, const std::string& env = "") {
  const char* cli = std::getenv("LF_CLI");
  CliResult r;
  if (!cli) {
    r.out = "LF_CLI is not set: run this test through ctest";
    return r;
  }
  std::string cmd = env + " '" + cli + "' " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int st = pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

}  // namespace lf::test
