// Port and address checks the launcher makes before starting workers, so a
// busy port or an unknown master is a clear error instead of a worker timeout.
#pragma once
#include <string>

namespace lf::dist {

// A TCP port no one uses now, found by binding port 0 (as LLaMA-Factory does).
int free_port();

// Whether a listening or bound socket holds `port` on this host (a socket in
// TIME_WAIT does not count: the store binds with SO_REUSEADDR).
bool port_in_use(int port);

// Throws an error naming MASTER_ADDR when `addr` does not resolve.
void check_master_addr(const std::string& addr);

}  // namespace lf::dist
