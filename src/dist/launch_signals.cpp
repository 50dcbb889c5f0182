#include "dist/launch_signals.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

#include "core/error.h"

namespace lf::dist {
namespace {

std::atomic<int> g_write_fd{-1};

extern "C" void relay_signal(int sig) {
  int saved = errno;
  unsigned char b = static_cast<unsigned char>(sig);
  (void)!write(g_write_fd.load(), &b, 1);
  errno = saved;
}

}  // namespace

SignalRelay::SignalRelay() {
  int fds[2];
  LF_CHECK(pipe2(fds, O_CLOEXEC | O_NONBLOCK) == 0, "cannot create the launcher's signal pipe: ",
           std::strerror(errno));
  read_fd_ = fds[0];
  write_fd_ = fds[1];
  g_write_fd.store(write_fd_);
  struct sigaction sa {};
  sa.sa_handler = relay_signal;
  sa.sa_flags = SA_RESTART;
  sigemptyset(&sa.sa_mask);
  for (int i = 0; i < 3; ++i) {
    sigaction(kForwarded[i], nullptr, &old_[i]);
    // A signal ignored when the launcher started (nohup, a background job) stays ignored.
    if (old_[i].sa_handler != SIG_IGN) sigaction(kForwarded[i], &sa, nullptr);
  }
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  sigaction(SIGPIPE, &ignore, &old_pipe_);
}

SignalRelay::~SignalRelay() {
  for (int i = 0; i < 3; ++i) sigaction(kForwarded[i], &old_[i], nullptr);
  sigaction(SIGPIPE, &old_pipe_, nullptr);
  g_write_fd.store(-1);
  close(read_fd_);
  close(write_fd_);
}

std::vector<int> SignalRelay::take() {
  std::vector<int> out;
  unsigned char buf[64];
  ssize_t n;
  while ((n = read(read_fd_, buf, sizeof buf)) > 0) out.insert(out.end(), buf, buf + n);
  return out;
}

}  // namespace lf::dist
