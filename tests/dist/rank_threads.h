// Ranks as threads of the test process: each builds its own ProcessGroup on
// loopback from a DistEnv made here.
#pragma once
#include <exception>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "dist/dist_env.h"

namespace lf::test {

inline dist::DistEnv env_of(int rank, int world, int port, int node = 0, int local_world = -1) {
  dist::DistEnv e;
  e.rank = rank;
  e.world_size = world;
  e.local_world_size = local_world < 0 ? world : local_world;
  e.local_rank = rank % e.local_world_size;
  e.node_rank = node;
  e.master_addr = "127.0.0.1";
  e.master_port = port;
  return e;
}

// Runs body(rank) on one thread per rank; returns each rank's error message ("" = none).
inline std::vector<std::string> run_ranks(int n, const std::function<void(int)>& body) {
  std::vector<std::string> errors(static_cast<size_t>(n));
  std::vector<std::thread> threads;
  for (int r = 0; r < n; ++r) {
    threads.emplace_back([&, r] {
      try {
        body(r);
      } catch (const std::exception& e) {
        errors[static_cast<size_t>(r)] = e.what();
      }
    });
  }
  for (auto& t : threads) t.join();
  return errors;
}

}  // namespace lf::test
