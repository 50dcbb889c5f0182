#include "dist/launch_output.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "core/error.h"

namespace lf::dist {
namespace {

constexpr size_t kTailBytes = 16 * 1024;

// Best effort: a console or log that stops accepting output must not stop training.
void write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    data.remove_prefix(static_cast<size_t>(n));
  }
}

}  // namespace

RankOutput::RankOutput(const std::optional<std::filesystem::path>& log, bool streamed)
    : streamed_(streamed) {
  if (!log) return;
  log_fd_ = open(log->c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
  LF_CHECK(log_fd_ >= 0, "cannot write the worker log ", log->string(), ": ",
           std::strerror(errno), "; check that output_dir is writable");
}

RankOutput::RankOutput(RankOutput&& o) noexcept
    : log_fd_(o.log_fd_), streamed_(o.streamed_), tail_(std::move(o.tail_)) {
  o.log_fd_ = -1;
}

RankOutput::~RankOutput() {
  if (log_fd_ >= 0) close(log_fd_);
}

void RankOutput::write(bool is_stderr, std::string_view data) {
  if (log_fd_ >= 0) write_all(log_fd_, data);
  if (streamed_) write_all(is_stderr ? STDERR_FILENO : STDOUT_FILENO, data);
  tail_.append(data);
  if (tail_.size() > 2 * kTailBytes) tail_.erase(0, tail_.size() - kTailBytes);
}

std::string RankOutput::tail(int lines) const {
  std::vector<std::string> all;
  std::string cur;
  for (char c : tail_) {
    if (c == '\n') {
      all.push_back(cur);
      cur.clear();
    } else if (c == '\r') {
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) all.push_back(cur);
  size_t from = all.size() > static_cast<size_t>(lines) ? all.size() - lines : 0;
  std::string out;
  for (size_t i = from; i < all.size(); ++i) out += all[i] + "\n";
  return out;
}

}  // namespace lf::dist
