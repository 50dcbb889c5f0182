// The rendezvous store: a small TCP key-value server that worker rank 0 runs
// on MASTER_PORT, and the client every worker (rank 0 included) talks to it
// through. Collective engines exchange their bootstrap bytes through it and
// barriers count in it. The server also notices a worker whose connection
// drops without saying goodbye, so the survivors can name the rank that died.
#pragma once
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ops/collective.h"

namespace lf::dist {

class TcpStoreServer {
 public:
  // Listens on every interface at `port`; a port already taken is an error
  // naming MASTER_PORT and the fix.
  explicit TcpStoreServer(int port);
  ~TcpStoreServer();
  TcpStoreServer(const TcpStoreServer&) = delete;
  TcpStoreServer& operator=(const TcpStoreServer&) = delete;

  // Waits (at most `grace`) until `expected` ranks have said hello and every
  // client has said goodbye or left, so rank 0 does not take the store away
  // while others still use it (or have yet to read a verdict).
  void wait_for_clients(int expected, std::chrono::milliseconds grace);

 private:
  struct Conn;
  void serve();
  void handle(Conn& c, const std::string& msg);

  int listen_fd_ = -1;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::map<std::string, std::vector<char>> data_;
  int active_clients_ = 0;  // connected and not yet said goodbye
  int hellos_ = 0;          // clients that introduced themselves
  int64_t first_dead_ = -1;  // the first rank whose connection dropped without goodbye
  std::thread thread_;
};

class TcpStore : public ops::KeyValueStore {
 public:
  // Connects to host:port, retrying until `timeout`; introduces itself as
  // `rank`. Every blocking call gives up after `timeout`.
  TcpStore(const std::string& host, int port, int rank, std::chrono::milliseconds timeout);
  ~TcpStore() override;
  TcpStore(const TcpStore&) = delete;
  TcpStore& operator=(const TcpStore&) = delete;

  void set(const std::string& key, const std::vector<char>& value) override;
  std::vector<char> get(const std::string& key) override;
  bool check(const std::vector<std::string>& keys) override;
  void wait(const std::vector<std::string>& keys) override;
  int64_t add(const std::string& key, int64_t delta) override;

  // The first rank the server saw die, or -1. check() and wait() fail with a
  // message naming it as soon as one is known.
  int dead_rank();
  // The value of `key` if it exists now.
  bool try_get(const std::string& key, std::vector<char>* value);
  // Tells the server this rank leaves on purpose (not a crash).
  void goodbye();
  // This host's address on the route to the store (for engines' transports).
  const std::string& local_address() const { return local_address_; }
  std::chrono::milliseconds timeout() const { return timeout_; }
  std::string where() const;  // "MASTER_ADDR:MASTER_PORT = host:port"

 private:
  std::string request(const std::string& msg);

  std::string host_;
  int port_;
  std::chrono::milliseconds timeout_;
  int fd_ = -1;
  std::mutex mu_;
  std::string local_address_;
  bool said_goodbye_ = false;
};

}  // namespace lf::dist
