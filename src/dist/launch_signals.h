// Catches SIGINT, SIGTERM and SIGHUP while the launcher runs, so it can
// forward them to its workers instead of dying; SIGPIPE is ignored so a
// closed console does not kill the launcher. Restores the old dispositions.
#pragma once
#include <csignal>
#include <vector>

namespace lf::dist {

class SignalRelay {
 public:
  SignalRelay();
  ~SignalRelay();
  SignalRelay(const SignalRelay&) = delete;
  SignalRelay& operator=(const SignalRelay&) = delete;

  // Becomes readable when a signal arrived (for poll).
  int fd() const { return read_fd_; }
  // The signals received since the last call, in order.
  std::vector<int> take();

  static constexpr int kForwarded[] = {SIGINT, SIGTERM, SIGHUP};

 private:
  int read_fd_ = -1, write_fd_ = -1;
  struct sigaction old_[3] {}, old_pipe_ {};
};

}  // namespace lf::dist
