// The accept loop of an httplib server: serve() runs it on one thread and
// stop() ends it from another. httplib's own stop() does nothing before the
// loop has begun, so a stop() that races serve() is remembered, not lost.
#pragma once
#include <atomic>

namespace httplib {
class Server;
}

namespace lf::serve {

class HttpLoop {
 public:
  explicit HttpLoop(httplib::Server& http) : http_(http) {}
  void serve();  // returns after stop()
  void stop();
  // Whether stop() was called: streaming handlers end their answers early.
  bool stopping() const { return stopping_; }

 private:
  httplib::Server& http_;
  std::atomic<bool> stopping_{false}, serving_{false};
};

}  // namespace lf::serve
