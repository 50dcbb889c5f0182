// The torchrun-compatible environment of one worker process: what the
// launcher (or torchrun itself, or a user's multi-node script) sets.
#pragma once
#include <string>

namespace lf::dist {

struct DistEnv {
  int rank = 0;              // RANK
  int local_rank = 0;        // LOCAL_RANK: also this worker's device index
  int world_size = 1;        // WORLD_SIZE
  int local_world_size = 1;  // LOCAL_WORLD_SIZE
  int node_rank = 0;         // GROUP_RANK (torchrun) or NODE_RANK
  std::string master_addr = "127.0.0.1";  // MASTER_ADDR
  int master_port = 0;       // MASTER_PORT
  bool distributed() const { return world_size > 1; }
};

// Reads the variables above; malformed or inconsistent values (rank ≥ world
// size, a port out of range) are errors naming the variable and the fix.
// Without WORLD_SIZE the process is a single, non-distributed worker.
DistEnv dist_env_from_environment();

}  // namespace lf::dist
