#include "serve/http_loop.h"

#include <httplib.h>

#include <chrono>
#include <thread>

namespace lf::serve {

void HttpLoop::serve() {
  // Announce first, then check: a concurrent stop() either sees serving_ and
  // waits for the loop to run, or this sees stopping_ (both are seq_cst).
  serving_ = true;
  if (!stopping_) http_.listen_after_bind();
  serving_ = false;
}

void HttpLoop::stop() {
  stopping_ = true;
  while (serving_ && !http_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  http_.stop();
}

}  // namespace lf::serve
