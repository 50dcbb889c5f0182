// The communication thread of a CPU collective engine: runs jobs one at a
// time in the order they are posted. Gloo runs one collective at a time per
// context, and every rank must run them in the same order; posting them all
// here gives both, while the posting thread goes on computing.
#pragma once
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "ops/collective.h"

namespace lf::cpu {

struct CommJob;

class CommThread {
 public:
  CommThread();
  // Runs what is still queued, then joins.
  ~CommThread();
  CommThread(const CommThread&) = delete;
  CommThread& operator=(const CommThread&) = delete;

  // Queues `job`; the work's wait() returns when it has run and rethrows what
  // it threw. After a job fails, later ones fail with its error without
  // running: a context whose collective failed cannot be trusted with more.
  std::unique_ptr<ops::CollectiveWork> post(std::function<void()> job);

 private:
  void loop();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::shared_ptr<CommJob>> queue_;
  bool stop_ = false;
  std::exception_ptr failed_;  // only touched by the thread
  std::thread thread_;
};

}  // namespace lf::cpu
