// One worker process of the launcher: started with fork + exec (no shell) in
// its own process group, its stdout and stderr on pipes the launcher reads,
// and killed when the launcher dies so no worker outlives it.
#pragma once
#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

namespace lf::dist {

struct SpawnRequest {
  std::vector<std::string> argv;             // argv[0] is the program's path
  std::map<std::string, std::string> env;    // added to (or replacing) this process's
  // Give the worker a terminal for stderr, so its progress bar redraws in
  // place (carriage returns) when the launcher's console is a terminal.
  bool stderr_terminal = false;
};

struct WorkerProcess {
  pid_t pid = -1;
  int out_fd = -1;  // read ends; the launcher closes them
  int err_fd = -1;
};

// Throws when the pipes or the process cannot be created; a program that
// cannot be executed makes the worker exit with status 127 and a message.
WorkerProcess spawn_worker(const SpawnRequest& request);

// Sends `sig` to the worker's process group (the worker and anything it started).
void signal_worker(pid_t pid, int sig);

// The path of the running executable (/proc/self/exe).
std::string self_executable();

}  // namespace lf::dist
