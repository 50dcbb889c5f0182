// The launcher of `llamafactory-cli train` (torchrun's part in LLaMA-Factory,
// compat §1.4): starts one worker process per device of this node with the
// torchrun variables set (dist_env.h), streams local rank 0's console, keeps
// every rank's output in <output_dir>/logs/rank<R>.log, forwards SIGINT,
// SIGTERM and SIGHUP, and when a worker fails stops the others and exits with
// that worker's status. Every wait is bounded except the training itself.
#pragma once
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "dist/launch_config.h"

namespace lf::dist {

// The per-rank log folder inside output_dir (train_plan ignores it when
// deciding whether output_dir is empty).
inline constexpr const char* kRankLogDir = "logs";

std::filesystem::path rank_log_path(const std::filesystem::path& output_dir, int rank);

struct LaunchOptions {
  LaunchConfig config;
  std::vector<std::string> worker_argv;  // argv[0] is the program's path
  std::optional<std::filesystem::path> output_dir;  // none: no per-rank log files
  // After a worker fails, the others get SIGTERM, then SIGKILL after this.
  std::chrono::milliseconds stop_grace{5000};
  // After a forwarded signal, the workers have this long to save and exit
  // (torchrun's 30 s); a second signal kills them at once.
  std::chrono::milliseconds signal_grace{30000};
};

// Runs the workers of this node to the end; returns the launcher's exit
// status: 0, the first failing worker's status, or 128 + signal for a worker
// killed by a signal. Throws (before starting any worker) on a busy
// MASTER_PORT, an unresolvable MASTER_ADDR or an unusable log folder.
int launch_workers(const LaunchOptions& options);

}  // namespace lf::dist
