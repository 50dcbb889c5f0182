#include "core/progress.h"

#include <unistd.h>

#include <cstdio>

namespace lf {

ProgressBar::ProgressBar(std::string desc, int64_t total, std::string unit)
    : desc_(std::move(desc)), unit_(std::move(unit)), total_(total), tty_(isatty(2) != 0) {
  start_ = last_draw_ = std::chrono::steady_clock::now();
}

ProgressBar::~ProgressBar() {
  if (!finished_ && tty_ && done_ > 0) std::fputc('\n', stderr);
}

double ProgressBar::elapsed_seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

double ProgressBar::remaining_seconds() const {
  int64_t progressed = done_ - (start_done_ < 0 ? 0 : start_done_);
  if (progressed <= 0 || total_ <= 0) return 0;
  return elapsed_seconds() / static_cast<double>(progressed) * static_cast<double>(total_ - done_);
}

std::string ProgressBar::format_duration(double seconds) {
  long s = seconds < 0 ? 0 : static_cast<long>(seconds + 0.5);
  char buf[32];
  if (s >= 3600) std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
  else std::snprintf(buf, sizeof buf, "%02ld:%02ld", s / 60, s % 60);
  return buf;
}

void ProgressBar::update(int64_t done, const std::string& postfix) {
  // The rate counts from the first update, so a resumed run's ETA is not skewed.
  if (start_done_ < 0) {
    start_done_ = done;
    start_ = std::chrono::steady_clock::now();
  }
  done_ = done;
  postfix_ = postfix;
  draw(done_ >= total_);
}

void ProgressBar::finish() {
  if (finished_) return;
  draw(true);
  if (tty_) std::fputc('\n', stderr);
  finished_ = true;
}

void ProgressBar::draw(bool force) {
  auto now = std::chrono::steady_clock::now();
  double since = std::chrono::duration<double>(now - last_draw_).count();
  if (!force && since < (tty_ ? 0.1 : 5.0)) return;
  last_draw_ = now;
  double elapsed = elapsed_seconds();
  int64_t progressed = done_ - (start_done_ < 0 ? 0 : start_done_);
  double rate = elapsed > 0 ? progressed / elapsed : 0;
  int pct = total_ > 0 ? static_cast<int>(100.0 * done_ / total_) : 0;
  constexpr int kWidth = 20;
  int filled = total_ > 0 ? static_cast<int>(kWidth * done_ / total_) : 0;
  std::string bar(filled, '#');
  bar.resize(kWidth, ' ');
  char rate_buf[32];
  if (rate >= 1 || rate == 0) std::snprintf(rate_buf, sizeof rate_buf, "%.2f%s/s", rate, unit_.c_str());
  else std::snprintf(rate_buf, sizeof rate_buf, "%.2fs/%s", 1.0 / rate, unit_.c_str());
  std::fprintf(stderr, "%s%s: %3d%%|%s| %lld/%lld [%s<%s, %s%s%s]%s", tty_ ? "\r" : "",
               desc_.c_str(), pct, bar.c_str(), static_cast<long long>(done_),
               static_cast<long long>(total_), format_duration(elapsed).c_str(),
               format_duration(remaining_seconds()).c_str(), rate_buf,
               postfix_.empty() ? "" : ", ", postfix_.c_str(), tty_ ? "" : "\n");
  std::fflush(stderr);
}

}  // namespace lf
