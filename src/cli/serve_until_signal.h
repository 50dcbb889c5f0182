// SIGINT / SIGTERM for the serving commands (`api`, `webchat`): blocked in
// every thread and taken synchronously by the main thread, which then stops
// the server gracefully.
#pragma once
#include <pthread.h>

#include <csignal>
#include <string>
#include <thread>

#include "core/log.h"

namespace lf::cli {

// Call before any thread exists, so that every thread inherits the mask.
inline sigset_t block_stop_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

// Runs server.serve() on a thread until one of `signals` arrives, then stops
// the server and waits for it; `what` names it in the log line.
template <class Server>
void serve_until_signal(Server& server, const sigset_t& signals, const std::string& what) {
  std::thread loop([&server] { server.serve(); });
  int sig = 0;
  sigwait(&signals, &sig);
  log::info("Received ", sig == SIGINT ? "SIGINT" : "SIGTERM", ", shutting down ", what);
  server.stop();
  loop.join();
}

}  // namespace lf::cli
