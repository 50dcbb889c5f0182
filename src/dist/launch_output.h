// Where one worker's output goes: its rank's log file (stdout and stderr in
// arrival order), the launcher's console when it is the streamed rank, and a
// short in-memory tail printed when the rank fails.
#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace lf::dist {

class RankOutput {
 public:
  // log: the rank's log file (truncated), or none. streamed: copy stdout to
  // fd 1 and stderr to fd 2.
  RankOutput(const std::optional<std::filesystem::path>& log, bool streamed);
  ~RankOutput();
  RankOutput(RankOutput&& o) noexcept;
  RankOutput(const RankOutput&) = delete;
  RankOutput& operator=(const RankOutput&) = delete;
  RankOutput& operator=(RankOutput&&) = delete;

  void write(bool is_stderr, std::string_view data);
  // The last `lines` lines seen (carriage-return redraws collapsed).
  std::string tail(int lines) const;
  bool streamed() const { return streamed_; }

 private:
  int log_fd_ = -1;
  bool streamed_ = false;
  std::string tail_;
};

}  // namespace lf::dist
