// A tqdm-style progress bar on stderr for long work (training steps, downloads,
// dataset encoding). On a terminal it redraws one line; when stderr is a file
// or pipe it prints a line at most every few seconds, so logs stay readable.
#pragma once
#include <chrono>
#include <cstdint>
#include <string>

namespace lf {

class ProgressBar {
 public:
  ProgressBar(std::string desc, int64_t total, std::string unit = "it");
  ~ProgressBar();
  // Advances to `done` (absolute) with an optional postfix ("loss=1.23, 1.2k tok/s").
  void update(int64_t done, const std::string& postfix = "");
  void finish();
  double elapsed_seconds() const;
  // Estimated seconds left at the current rate (0 before any progress).
  double remaining_seconds() const;

  static std::string format_duration(double seconds);  // "01:05" or "1:02:03"

 private:
  void draw(bool force);
  std::string desc_, unit_, postfix_;
  int64_t total_, done_ = 0, start_done_ = -1;
  bool tty_, finished_ = false;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace lf
