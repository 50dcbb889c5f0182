// Runs setup work (model loading, adapter merging) on a short-lived thread and
// waits for it, passing its result or exception through.
//
// Why: OpenMP runtimes keep a pool of worker threads per thread that has run a
// parallel region, for the life of that thread. A process whose main thread
// loaded the model and whose engine thread decodes then manages two pools;
// libgomp counts them against the CPUs and, once it manages more threads than
// CPUs, cuts the spin-wait before a worker sleeps — so every one of the ~100
// parallel regions of a decode step pays a futex wake-up. The pool of a
// thread that has exited is gone, leaving the engine thread's the only one.
#pragma once
#include <exception>
#include <optional>
#include <thread>
#include <type_traits>
#include <utility>

namespace lf {

template <class F>
auto on_fresh_thread(F&& fn) -> std::invoke_result_t<F&> {
  using R = std::invoke_result_t<F&>;
  std::exception_ptr error;
  if constexpr (std::is_void_v<R>) {
    std::thread([&] {
      try {
        fn();
      } catch (...) {
        error = std::current_exception();
      }
    }).join();
    if (error) std::rethrow_exception(error);
  } else {
    std::optional<R> result;
    std::thread([&] {
      try {
        result.emplace(fn());
      } catch (...) {
        error = std::current_exception();
      }
    }).join();
    if (error) std::rethrow_exception(error);
    return std::move(*result);
  }
}

}  // namespace lf
