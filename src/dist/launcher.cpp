#include "dist/launcher.h"

#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <map>
#include <thread>

#include "core/error.h"
#include "core/log.h"
#include "dist/launch_output.h"
#include "dist/launch_port.h"
#include "dist/launch_process.h"
#include "dist/launch_signals.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace lf::dist {
namespace {

constexpr auto kPollInterval = std::chrono::milliseconds(100);
// How long output of exited workers (held open by their children) is still read.
constexpr auto kDrainAfterExit = std::chrono::seconds(1);
// A worker that survives SIGKILL this long (stuck in the kernel) is left behind.
constexpr auto kReapAfterKill = std::chrono::seconds(5);
constexpr int kTailLines = 20;

struct Worker {
  int local_rank = 0;
  int rank = 0;
  pid_t pid = -1;
  int fds[2] = {-1, -1};  // stdout, stderr
  RankOutput output;
  bool running = true;
  int status = 0;  // wait status
};

std::string signal_name(int sig) {
  const char* abbrev = sigabbrev_np(sig);
  return abbrev ? std::string("SIG") + abbrev : "signal " + std::to_string(sig);
}

bool failed(int status) { return !WIFEXITED(status) || WEXITSTATUS(status) != 0; }

int exit_code(int status) {
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string how_it_ended(int status) {
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    return "was killed by signal " + std::to_string(sig) + " (" + signal_name(sig) + ")";
  }
  return "exited with status " + std::to_string(WEXITSTATUS(status));
}

std::map<std::string, std::string> worker_env(const LaunchConfig& c, int local_rank) {
  int rank = c.node_rank * c.nproc_per_node + local_rank;
  std::map<std::string, std::string> env = {
      {"RANK", std::to_string(rank)},
      {"LOCAL_RANK", std::to_string(local_rank)},
      {"WORLD_SIZE", std::to_string(c.world_size())},
      {"LOCAL_WORLD_SIZE", std::to_string(c.nproc_per_node)},
      {"GROUP_RANK", std::to_string(c.node_rank)},
      {"NODE_RANK", std::to_string(c.node_rank)},
      {"GROUP_WORLD_SIZE", std::to_string(c.nnodes)},
      {"ROLE_RANK", std::to_string(rank)},
      {"ROLE_WORLD_SIZE", std::to_string(c.world_size())},
      {"MASTER_ADDR", c.master_addr},
      {"MASTER_PORT", std::to_string(c.master_port)},
  };
  // Workers sharing the host split its cores instead of each taking all of them.
  if (c.nproc_per_node > 1 && !std::getenv("OMP_NUM_THREADS")) {
    unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    env["OMP_NUM_THREADS"] = std::to_string(std::max(1u, cores / c.nproc_per_node));
  }
  return env;
}

void preflight(const LaunchOptions& o) {
  const LaunchConfig& c = o.config;
  LF_CHECK(c.nproc_per_node >= 1 && c.nnodes >= 1 && c.node_rank < c.nnodes,
           "inconsistent launch settings: NNODES=", c.nnodes, " NODE_RANK=", c.node_rank,
           " NPROC_PER_NODE=", c.nproc_per_node);
  check_master_addr(c.master_addr);
  if (c.node_rank == 0 && c.port_given && port_in_use(c.master_port)) {
    fail("MASTER_PORT ", c.master_port,
         " is already in use on this host: stop what uses it or choose another port",
         c.nnodes == 1 ? " (leave MASTER_PORT unset for a free one)" : "");
  }
}

class Supervisor {
 public:
  Supervisor(const LaunchOptions& o, SignalRelay& relay, std::vector<Worker>& workers)
      : o_(o), relay_(relay), workers_(workers) {}

  int run() {
    while (!finished()) {
      poll_once();
      for (int sig : relay_.take()) on_signal(sig);
      reap();
      if (deadline_ && Clock::now() > *deadline_ && !killed_at_) kill_all();
    }
    for (auto& w : workers_) close_fds(w);
    int status = result();
    if (status != 0) {
      std::string logs = o_.output_dir ? "; every rank's output is in " +
                                             (*o_.output_dir / kRankLogDir).string()
                                       : "";
      if (received_signal_) {
        log::warn("Stopped by ", signal_name(received_signal_), " with exit status ", status, logs);
      } else {
        log::error("Training failed with exit status ", status, logs);
      }
    }
    return status;
  }

 private:
  bool finished() {
    auto now = Clock::now();
    bool running = std::any_of(workers_.begin(), workers_.end(), [](auto& w) { return w.running; });
    if (running) {
      if (killed_at_ && now - *killed_at_ > kReapAfterKill) {
        log::error("some workers did not exit after SIGKILL; leaving them behind");
        return true;
      }
      return false;
    }
    if (!all_exited_at_) all_exited_at_ = now;
    bool open = std::any_of(workers_.begin(), workers_.end(),
                            [](auto& w) { return w.fds[0] >= 0 || w.fds[1] >= 0; });
    return !open || now - *all_exited_at_ > kDrainAfterExit;
  }

  void poll_once() {
    std::vector<pollfd> fds{{relay_.fd(), POLLIN, 0}};
    std::vector<std::pair<size_t, int>> owner{{0, -1}};
    for (size_t i = 0; i < workers_.size(); ++i) {
      for (int s = 0; s < 2; ++s) {
        if (workers_[i].fds[s] < 0) continue;
        fds.push_back({workers_[i].fds[s], POLLIN, 0});
        owner.push_back({i, s});
      }
    }
    int n = poll(fds.data(), fds.size(), static_cast<int>(kPollInterval.count()));
    if (n <= 0) return;
    for (size_t k = 1; k < fds.size(); ++k) {
      if (fds[k].revents) read_from(workers_[owner[k].first], owner[k].second);
    }
  }

  // One read; end of output (EOF, or EIO from a terminal whose worker exited) closes the fd.
  void read_from(Worker& w, int stream) {
    char buf[65536];
    ssize_t n = read(w.fds[stream], buf, sizeof buf);
    if (n > 0) {
      w.output.write(stream == 1, std::string_view(buf, static_cast<size_t>(n)));
    } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
      close(w.fds[stream]);
      w.fds[stream] = -1;
    }
  }

  // Reads what an exited worker left in its pipes, so its tail is complete.
  void drain(Worker& w) {
    for (int s = 0; s < 2; ++s) {
      for (int i = 0; i < 1024 && w.fds[s] >= 0; ++i) {
        pollfd p{w.fds[s], POLLIN, 0};
        if (poll(&p, 1, 0) <= 0) break;
        read_from(w, s);
      }
    }
  }

  void close_fds(Worker& w) {
    for (int& fd : w.fds) {
      if (fd >= 0) close(fd);
      fd = -1;
    }
  }

  void on_signal(int sig) {
    if (received_signal_ && !killed_at_) {
      log::warn("Received ", signal_name(sig), " again: killing the workers");
      kill_all();
      return;
    }
    if (received_signal_) return;
    received_signal_ = sig;
    log::warn("Received ", signal_name(sig), ": forwarding it to the workers (send it again to "
              "kill them at once)");
    signal_running(sig);
    deadline_ = Clock::now() + o_.signal_grace;
  }

  void reap() {
    std::vector<Worker*> exited;
    for (auto& w : workers_) {
      if (!w.running) continue;
      int status = 0;
      pid_t r = waitpid(w.pid, &status, WNOHANG);
      if (r == 0 || (r < 0 && errno == EINTR)) continue;
      w.running = false;
      w.status = r == w.pid ? status : (1 << 8);
      exit_order_.push_back(&w);
      exited.push_back(&w);
    }
    // A dead worker's peers fail right after it; when both are seen at once,
    // the one killed by a signal is the cause.
    std::stable_partition(exited.begin(), exited.end(),
                          [](const Worker* w) { return WIFSIGNALED(w->status); });
    for (Worker* w : exited) {
      if (failed(w->status) && !first_failure_ && !received_signal_ && !killed_at_) {
        on_failure(*w);
      } else if (first_failure_ || received_signal_) {
        log::info("Worker rank ", w->rank, " (pid ", w->pid, ") ", how_it_ended(w->status));
      }
    }
  }

  void on_failure(Worker& w) {
    first_failure_ = &w;
    size_t others = std::count_if(workers_.begin(), workers_.end(), [](auto& x) { return x.running; });
    log::error("Worker rank ", w.rank, " (local rank ", w.local_rank, ", pid ", w.pid, ") ",
               how_it_ended(w.status),
               others ? "; stopping the other " + std::to_string(others) + " worker(s)" : "");
    drain(w);
    if (!w.output.streamed()) {
      std::string tail = w.output.tail(kTailLines);
      if (!tail.empty()) {
        std::string where = o_.output_dir ? " (full log: " +
                                                rank_log_path(*o_.output_dir, w.rank).string() + ")"
                                          : "";
        std::fprintf(stderr, "---- last lines of rank %d%s ----\n%s----\n", w.rank,
                     where.c_str(), tail.c_str());
      }
    }
    signal_running(SIGTERM);
    deadline_ = Clock::now() + o_.stop_grace;
  }

  void signal_running(int sig) {
    for (auto& w : workers_) {
      if (w.running) signal_worker(w.pid, sig);
    }
  }

  void kill_all() {
    if (std::any_of(workers_.begin(), workers_.end(), [](auto& w) { return w.running; })) {
      log::warn("Workers still running after the grace period: sending SIGKILL");
    }
    signal_running(SIGKILL);
    killed_at_ = Clock::now();
  }

  int result() const {
    if (first_failure_) return exit_code(first_failure_->status);
    for (const Worker* w : exit_order_) {
      if (failed(w->status)) return exit_code(w->status);
    }
    bool left_behind = std::any_of(workers_.begin(), workers_.end(), [](auto& w) { return w.running; });
    return left_behind ? 128 + SIGKILL : 0;
  }

  const LaunchOptions& o_;
  SignalRelay& relay_;
  std::vector<Worker>& workers_;
  std::vector<const Worker*> exit_order_;
  const Worker* first_failure_ = nullptr;
  int received_signal_ = 0;
  std::optional<Clock::time_point> deadline_, killed_at_, all_exited_at_;
};

}  // namespace

fs::path rank_log_path(const fs::path& output_dir, int rank) {
  return output_dir / kRankLogDir / ("rank" + std::to_string(rank) + ".log");
}

int launch_workers(const LaunchOptions& o) {
  preflight(o);
  const LaunchConfig& c = o.config;
  if (o.output_dir) {
    std::error_code ec;
    fs::create_directories(*o.output_dir / kRankLogDir, ec);
    LF_CHECK(!ec, "cannot create the worker log folder ", (*o.output_dir / kRankLogDir).string(),
             ": ", ec.message(), "; check that output_dir is writable");
  }
  log::info("Initializing ", c.nproc_per_node, " distributed tasks at: ", c.master_addr, ":",
            c.master_port);
  if (c.nnodes > 1) {
    log::info("Node ", c.node_rank, " of ", c.nnodes, ": ranks ", c.node_rank * c.nproc_per_node,
              " to ", (c.node_rank + 1) * c.nproc_per_node - 1, " of ", c.world_size());
  }
  bool terminal = isatty(STDERR_FILENO) != 0;
  SignalRelay relay;  // before the first worker, so no signal is missed
  std::vector<Worker> workers;
  workers.reserve(static_cast<size_t>(c.nproc_per_node));
  try {
    for (int lr = 0; lr < c.nproc_per_node; ++lr) {
      int rank = c.node_rank * c.nproc_per_node + lr;
      std::optional<fs::path> log;
      if (o.output_dir) log = rank_log_path(*o.output_dir, rank);
      RankOutput output(log, lr == 0);
      WorkerProcess p = spawn_worker({o.worker_argv, worker_env(c, lr), terminal && lr == 0});
      workers.push_back({lr, rank, p.pid, {p.out_fd, p.err_fd}, std::move(output)});
    }
  } catch (...) {
    for (auto& w : workers) {
      signal_worker(w.pid, SIGKILL);
      waitpid(w.pid, nullptr, 0);
      for (int fd : w.fds) close(fd);
    }
    throw;
  }
  Supervisor supervisor(o, relay, workers);
  return supervisor.run();
}

}  // namespace lf::dist
