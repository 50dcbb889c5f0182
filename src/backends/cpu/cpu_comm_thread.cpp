#include "backends/cpu/cpu_comm_thread.h"

#include <chrono>
#include <future>

namespace lf::cpu {

struct CommJob {
  std::function<void()> fn;
  std::promise<void> done;
  double seconds = 0;  // written before `done` is set
};

namespace {

class JobWork : public ops::CollectiveWork {
 public:
  explicit JobWork(std::shared_ptr<CommJob> job)
      : job_(std::move(job)), done_(job_->done.get_future().share()) {}
  void wait() override { done_.get(); }
  double seconds() const override { return job_->seconds; }

 private:
  std::shared_ptr<CommJob> job_;
  std::shared_future<void> done_;
};

}  // namespace

CommThread::CommThread() : thread_([this] { loop(); }) {}

CommThread::~CommThread() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_one();
  thread_.join();
}

std::unique_ptr<ops::CollectiveWork> CommThread::post(std::function<void()> job) {
  auto j = std::make_shared<CommJob>();
  j->fn = std::move(job);
  auto work = std::make_unique<JobWork>(j);  // takes the future before the thread can finish
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(std::move(j));
  }
  cv_.notify_one();
  return work;
}

void CommThread::loop() {
  for (;;) {
    std::shared_ptr<CommJob> j;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
      if (queue_.empty()) return;
      j = std::move(queue_.front());
      queue_.pop_front();
    }
    if (failed_) {
      j->done.set_exception(failed_);
      continue;
    }
    auto start = std::chrono::steady_clock::now();
    try {
      j->fn();
    } catch (...) {
      failed_ = std::current_exception();
    }
    j->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    j->fn = nullptr;  // drops the tensors it holds
    if (failed_) j->done.set_exception(failed_);
    else j->done.set_value();
  }
}

}  // namespace lf::cpu
