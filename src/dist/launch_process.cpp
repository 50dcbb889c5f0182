#include "dist/launch_process.h"

#include <fcntl.h>
#include <sys/prctl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "core/error.h"

extern char** environ;

namespace lf::dist {
namespace {

struct Pipe {
  int read = -1, write = -1;
};

Pipe make_pipe() {
  int fds[2];
  LF_CHECK(pipe2(fds, O_CLOEXEC) == 0, "cannot create a pipe for a worker: ", std::strerror(errno));
  return {fds[0], fds[1]};
}

// A pseudo-terminal in raw mode (no "\n" → "\r\n"): the master is read like a pipe.
Pipe make_terminal() {
  int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  LF_CHECK(master >= 0, "cannot open a pseudo-terminal for a worker: ", std::strerror(errno));
  char name[128];
  if (grantpt(master) != 0 || unlockpt(master) != 0 || ptsname_r(master, name, sizeof name) != 0) {
    int err = errno;
    close(master);
    fail("cannot set up a pseudo-terminal for a worker: ", std::strerror(err));
  }
  int slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (slave < 0) {
    int err = errno;
    close(master);
    fail("cannot open pseudo-terminal ", name, ": ", std::strerror(err));
  }
  termios t{};
  if (tcgetattr(slave, &t) == 0) {
    cfmakeraw(&t);
    tcsetattr(slave, TCSANOW, &t);
  }
  return {master, slave};
}

std::vector<std::string> merged_environment(const std::map<std::string, std::string>& extra) {
  std::vector<std::string> out;
  for (char** e = environ; *e; ++e) {
    std::string entry = *e;
    std::string key = entry.substr(0, entry.find('='));
    if (!extra.count(key)) out.push_back(std::move(entry));
  }
  for (const auto& [k, v] : extra) out.push_back(k + "=" + v);
  return out;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> p;
  for (auto& s : strings) p.push_back(s.data());
  p.push_back(nullptr);
  return p;
}

// Between fork and exec only async-signal-safe calls. Signals arrive blocked
// (spawn_worker blocks them around fork): the launcher's handlers must not run
// in the child, or a signal meant for the worker would reach the launcher's pipe.
[[noreturn]] void exec_child(pid_t launcher, int null_fd, int out_fd, int err_fd, char** argv,
                             char** envp) {
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  for (int sig = 1; sig < NSIG; ++sig) {
    struct sigaction cur {};
    if (sigaction(sig, nullptr, &cur) != 0) continue;
    bool caught = cur.sa_handler != SIG_DFL && cur.sa_handler != SIG_IGN;
    if (caught || sig == SIGPIPE) sigaction(sig, &dfl, nullptr);
  }
  setpgid(0, 0);
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != launcher) _exit(1);  // the launcher died before prctl took effect
  sigset_t none;
  sigemptyset(&none);
  pthread_sigmask(SIG_SETMASK, &none, nullptr);
  dup2(null_fd, STDIN_FILENO);
  dup2(out_fd, STDOUT_FILENO);
  dup2(err_fd, STDERR_FILENO);
  execve(argv[0], argv, envp);
  static const char msg[] = "[ERROR] the launcher cannot execute the worker program\n";
  (void)!write(STDERR_FILENO, msg, sizeof msg - 1);
  _exit(127);
}

}  // namespace

WorkerProcess spawn_worker(const SpawnRequest& request) {
  LF_CHECK(!request.argv.empty(), "a worker needs a program to run");
  LF_CHECK(access(request.argv[0].c_str(), X_OK) == 0, "cannot execute worker program ",
           request.argv[0], ": ", std::strerror(errno));
  std::vector<std::string> args = request.argv;
  std::vector<std::string> env = merged_environment(request.env);
  std::vector<char*> argv = pointers(args), envp = pointers(env);

  int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  LF_CHECK(null_fd >= 0, "cannot open /dev/null: ", std::strerror(errno));
  Pipe out = make_pipe();
  Pipe err = request.stderr_terminal ? make_terminal() : make_pipe();
  pid_t launcher = getpid();
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  pid_t pid = fork();
  if (pid == 0) exec_child(launcher, null_fd, out.write, err.write, argv.data(), envp.data());
  int fork_errno = errno;
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  close(null_fd);
  close(out.write);
  close(err.write);
  if (pid < 0) {
    close(out.read);
    close(err.read);
    fail("cannot start a worker process: ", std::strerror(fork_errno));
  }
  setpgid(pid, pid);  // also here, so signal_worker reaches the group at once
  return {pid, out.read, err.read};
}

void signal_worker(pid_t pid, int sig) {
  if (kill(-pid, sig) != 0) kill(pid, sig);
}

std::string self_executable() {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  LF_CHECK(!ec, "cannot find this program's path (/proc/self/exe): ", ec.message());
  return p.string();
}

}  // namespace lf::dist
