#include "dist/launch_port.h"

#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/error.h"

namespace lf::dist {
namespace {

class Socket {
 public:
  Socket() : fd_(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    LF_CHECK(fd_ >= 0, "cannot create a TCP socket: ", std::strerror(errno));
  }
  ~Socket() { close(fd_); }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  // Binds on every interface; returns errno (0 on success).
  int bind_any(int port) {
    int one = 1;
    setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_ANY);
    a.sin_port = htons(static_cast<uint16_t>(port));
    return bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 ? 0 : errno;
  }
  int port() const {
    sockaddr_in a{};
    socklen_t len = sizeof a;
    LF_CHECK(getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) == 0,
             "cannot read a socket's port: ", std::strerror(errno));
    return ntohs(a.sin_port);
  }

 private:
  int fd_;
};

}  // namespace

int free_port() {
  Socket s;
  int err = s.bind_any(0);
  LF_CHECK(err == 0, "cannot find a free TCP port for MASTER_PORT: ", std::strerror(err),
           "; set MASTER_PORT to a free port");
  return s.port();
}

bool port_in_use(int port) {
  Socket s;
  return s.bind_any(port) == EADDRINUSE;
}

void check_master_addr(const std::string& addr) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  int rc = getaddrinfo(addr.c_str(), nullptr, &hints, &res);
  if (res) freeaddrinfo(res);
  LF_CHECK(rc == 0, "MASTER_ADDR=", addr, " cannot be resolved (", gai_strerror(rc),
           "): set it to the IP address or host name of node 0 (NODE_RANK=0)");
}

}  // namespace lf::dist
