#include "dist/tcp_store.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/error.h"

namespace lf::dist {
namespace {

using Clock = std::chrono::steady_clock;

// Wire format: every message is a u32 length then the payload; a request's
// payload starts with its operation byte.
void put_u32(std::string& s, uint32_t v) { s.append(reinterpret_cast<const char*>(&v), 4); }
void put_i64(std::string& s, int64_t v) { s.append(reinterpret_cast<const char*>(&v), 8); }
void put_bytes(std::string& s, const char* p, size_t n) {
  put_u32(s, static_cast<uint32_t>(n));
  s.append(p, n);
}
void put_str(std::string& s, const std::string& v) { put_bytes(s, v.data(), v.size()); }

struct Reader {
  const std::string& s;
  size_t pos = 0;
  uint32_t u32() {
    LF_CHECK(pos + 4 <= s.size(), "rendezvous store: truncated message");
    uint32_t v;
    std::memcpy(&v, s.data() + pos, 4);
    pos += 4;
    return v;
  }
  int64_t i64() {
    LF_CHECK(pos + 8 <= s.size(), "rendezvous store: truncated message");
    int64_t v;
    std::memcpy(&v, s.data() + pos, 8);
    pos += 8;
    return v;
  }
  std::string str() {
    uint32_t n = u32();
    LF_CHECK(pos + n <= s.size(), "rendezvous store: truncated message");
    std::string v = s.substr(pos, n);
    pos += n;
    return v;
  }
};

std::string frame(const std::string& payload) {
  std::string out;
  put_u32(out, static_cast<uint32_t>(payload.size()));
  return out + payload;
}

bool send_all(int fd, const std::string& s) {
  size_t done = 0;
  while (done < s.size()) {
    ssize_t n = ::send(fd, s.data() + done, s.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

bool recv_all(int fd, char* p, size_t n) {
  size_t done = 0;
  while (done < n) {
    ssize_t r = ::recv(fd, p + done, n - done, 0);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    done += static_cast<size_t>(r);
  }
  return true;
}

}  // namespace

// ---------------------------------------------------------------- server

struct TcpStoreServer::Conn {
  int fd = -1;
  std::string inbox;
  int rank = -1;
  bool goodbye = false;
};

TcpStoreServer::TcpStoreServer(int port) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  LF_CHECK(listen_fd_ >= 0, "rendezvous store: socket() failed: ", std::strerror(errno));
  int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_ANY);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    int err = errno;
    ::close(listen_fd_);
    if (err == EADDRINUSE) {
      fail("MASTER_PORT ", port, " is already in use on this host (another job or a previous "
           "run still holds it): choose a free port with MASTER_PORT=<port>, or stop the process "
           "that listens on it");
    }
    fail("rendezvous store: cannot bind port ", port, " (MASTER_PORT): ", std::strerror(err));
  }
  LF_CHECK(::listen(listen_fd_, 256) == 0, "rendezvous store: listen() failed: ", std::strerror(errno));
  thread_ = std::thread([this] { serve(); });
}

TcpStoreServer::~TcpStoreServer() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  ::close(listen_fd_);
}

void TcpStoreServer::wait_for_clients(int expected, std::chrono::milliseconds grace) {
  auto deadline = Clock::now() + grace;
  while (Clock::now() < deadline) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (hellos_ >= expected && active_clients_ == 0) return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

void TcpStoreServer::handle(Conn& c, const std::string& msg) {
  Reader r{msg};
  char op = msg.empty() ? '?' : msg[0];
  r.pos = 1;
  std::string reply;
  std::lock_guard<std::mutex> lock(mu_);
  switch (op) {
    case 'H':
      c.rank = static_cast<int>(r.i64());
      hellos_++;
      break;
    case 'B':
      if (!c.goodbye) active_clients_--;
      c.goodbye = true;
      break;
    case 'S': {
      std::string k = r.str(), v = r.str();
      data_[k] = std::vector<char>(v.begin(), v.end());
      break;
    }
    case 'G': {
      auto it = data_.find(r.str());
      reply.push_back(it != data_.end() ? 1 : 0);
      if (it != data_.end()) put_bytes(reply, it->second.data(), it->second.size());
      break;
    }
    case 'A': {
      std::string k = r.str();
      int64_t delta = r.i64(), cur = 0;
      auto it = data_.find(k);
      if (it != data_.end()) cur = std::stoll(std::string(it->second.begin(), it->second.end()));
      cur += delta;
      std::string s = std::to_string(cur);
      data_[k] = std::vector<char>(s.begin(), s.end());
      put_i64(reply, cur);
      break;
    }
    case 'C': {
      uint32_t n = r.u32();
      bool all = true;
      for (uint32_t i = 0; i < n; ++i) all = data_.count(r.str()) && all;
      reply.push_back(all ? 1 : 0);
      put_i64(reply, first_dead_);
      break;
    }
    default:
      break;
  }
  send_all(c.fd, frame(reply));
}

void TcpStoreServer::serve() {
  std::vector<std::unique_ptr<Conn>> conns;
  while (!stop_) {
    std::vector<pollfd> fds{{listen_fd_, POLLIN, 0}};
    for (auto& c : conns) fds.push_back({c->fd, POLLIN, 0});
    if (::poll(fds.data(), fds.size(), 50) <= 0) continue;
    if (fds[0].revents & POLLIN) {
      int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd >= 0) {
        int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        auto c = std::make_unique<Conn>();
        c->fd = fd;
        conns.push_back(std::move(c));
        std::lock_guard<std::mutex> lock(mu_);
        active_clients_++;
      }
    }
    for (size_t i = 1; i < fds.size(); ++i) {
      if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      Conn& c = *conns[i - 1];
      char buf[65536];
      ssize_t n = ::recv(c.fd, buf, sizeof buf, MSG_DONTWAIT);
      if (n > 0) {
        c.inbox.append(buf, static_cast<size_t>(n));
        while (c.inbox.size() >= 4) {
          uint32_t len;
          std::memcpy(&len, c.inbox.data(), 4);
          if (c.inbox.size() < 4 + static_cast<size_t>(len)) break;
          std::string msg = c.inbox.substr(4, len);
          c.inbox.erase(0, 4 + static_cast<size_t>(len));
          try {
            handle(c, msg);
          } catch (const Error&) {
            n = 0;  // a malformed request: drop that client
            break;
          }
        }
      }
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
        ::close(c.fd);
        c.fd = -1;
        std::lock_guard<std::mutex> lock(mu_);
        if (!c.goodbye) {
          active_clients_--;
          if (c.rank >= 0 && first_dead_ < 0) first_dead_ = c.rank;
        }
      }
    }
    std::erase_if(conns, [](const std::unique_ptr<Conn>& c) { return c->fd < 0; });
  }
  for (auto& c : conns) ::close(c->fd);
}

// ---------------------------------------------------------------- client

TcpStore::TcpStore(const std::string& host, int port, int rank, std::chrono::milliseconds timeout)
    : host_(host), port_(port), timeout_(timeout) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  auto deadline = Clock::now() + timeout;
  std::string last_error = "no attempt";
  while (fd_ < 0) {
    addrinfo* res = nullptr;
    int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res);
    if (rc != 0) {
      last_error = std::string("cannot resolve ") + host + ": " + gai_strerror(rc);
    } else {
      for (addrinfo* a = res; a && fd_ < 0; a = a->ai_next) {
        int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) continue;
        if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
          fd_ = fd;
        } else {
          last_error = std::strerror(errno);
          ::close(fd);
        }
      }
      ::freeaddrinfo(res);
    }
    if (fd_ >= 0) break;
    if (Clock::now() >= deadline) {
      fail("cannot reach the rendezvous store at ", where(), " (served by rank 0) within ",
           timeout.count() / 1000.0, " s: ", last_error,
           ". Check that rank 0 is running, that MASTER_ADDR and MASTER_PORT are the same on "
           "every node and reachable from this one (firewall), or raise ddp_timeout");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  timeval tv{};
  tv.tv_sec = static_cast<long>(timeout.count() / 1000);
  tv.tv_usec = static_cast<long>((timeout.count() % 1000) * 1000);
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_storage local{};
  socklen_t len = sizeof local;
  char text[INET6_ADDRSTRLEN] = "127.0.0.1";
  if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&local), &len) == 0) {
    if (local.ss_family == AF_INET)
      ::inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(&local)->sin_addr, text, sizeof text);
    else if (local.ss_family == AF_INET6)
      ::inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(&local)->sin6_addr, text, sizeof text);
  }
  local_address_ = text;
  std::string hello(1, 'H');
  put_i64(hello, rank);
  request(hello);
}

TcpStore::~TcpStore() {
  if (fd_ >= 0) ::close(fd_);
}

std::string TcpStore::where() const {
  return "MASTER_ADDR:MASTER_PORT = " + host_ + ":" + std::to_string(port_);
}

std::string TcpStore::request(const std::string& msg) {
  std::lock_guard<std::mutex> lock(mu_);
  uint32_t len = 0;
  bool ok = send_all(fd_, frame(msg)) && recv_all(fd_, reinterpret_cast<char*>(&len), 4);
  std::string reply(len, '\0');
  ok = ok && recv_all(fd_, reply.data(), len);
  LF_CHECK(ok, "lost the rendezvous store at ", where(),
           ": rank 0 exited or the network dropped; see rank 0's log for why");
  return reply;
}

void TcpStore::set(const std::string& key, const std::vector<char>& value) {
  std::string m(1, 'S');
  put_str(m, key);
  put_bytes(m, value.data(), value.size());
  request(m);
}

bool TcpStore::try_get(const std::string& key, std::vector<char>* value) {
  std::string m(1, 'G');
  put_str(m, key);
  std::string r = request(m);
  if (r.empty() || r[0] == 0) return false;
  Reader rd{r};
  rd.pos = 1;
  std::string v = rd.str();
  value->assign(v.begin(), v.end());
  return true;
}

std::vector<char> TcpStore::get(const std::string& key) {
  wait({key});
  std::vector<char> v;
  try_get(key, &v);
  return v;
}

bool TcpStore::check(const std::vector<std::string>& keys) {
  std::string m(1, 'C');
  put_u32(m, static_cast<uint32_t>(keys.size()));
  for (const auto& k : keys) put_str(m, k);
  std::string r = request(m);
  Reader rd{r};
  rd.pos = 1;
  int64_t dead = rd.i64();
  if (dead >= 0) {
    fail("rank ", dead, " died (its process exited or was killed without leaving the job); "
         "see rank ", dead, "'s log for why. The other ranks stop too");
  }
  return r[0] == 1;
}

int TcpStore::dead_rank() {
  std::string m(1, 'C');
  put_u32(m, 0);
  Reader rd{request(m)};
  rd.pos = 1;
  return static_cast<int>(rd.i64());
}

void TcpStore::wait(const std::vector<std::string>& keys) {
  auto deadline = Clock::now() + timeout_;
  auto pause = std::chrono::microseconds(200);
  while (!check(keys)) {
    if (Clock::now() >= deadline) {
      std::string names;
      for (const auto& k : keys) names += (names.empty() ? "" : ", ") + k;
      fail("timed out after ", timeout_.count() / 1000.0, " s (ddp_timeout) waiting for ",
           names, " in the rendezvous store at ", where(),
           ": another rank stopped or is much slower; see the other ranks' logs");
    }
    std::this_thread::sleep_for(pause);
    pause = std::min<std::chrono::microseconds>(pause * 2, std::chrono::milliseconds(10));
  }
}

int64_t TcpStore::add(const std::string& key, int64_t delta) {
  std::string m(1, 'A');
  put_str(m, key);
  put_i64(m, delta);
  std::string r = request(m);
  Reader rd{r};
  return rd.i64();
}

void TcpStore::goodbye() {
  if (said_goodbye_) return;
  request(std::string(1, 'B'));
  said_goodbye_ = true;
}

}  // namespace lf::dist
