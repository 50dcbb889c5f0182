#include "dist/dist_env.h"

#include <cstdlib>
#include <string>

#include "core/error.h"

namespace lf::dist {
namespace {

const char* get(const char* name) {
  const char* v = std::getenv(name);
  return v && *v ? v : nullptr;
}

int int_var(const char* name, int fallback, int min_value) {
  const char* v = get(name);
  if (!v) return fallback;
  char* end = nullptr;
  long n = std::strtol(v, &end, 10);
  LF_CHECK(end && *end == '\0' && n >= min_value && n <= 1 << 20, name, "=", v,
           " is not a valid value: set it to an integer >= ", min_value, " or unset it");
  return static_cast<int>(n);
}

}  // namespace

DistEnv dist_env_from_environment() {
  DistEnv e;
  e.world_size = int_var("WORLD_SIZE", 1, 1);
  if (!e.distributed()) return e;
  LF_CHECK(get("RANK"), "WORLD_SIZE=", e.world_size,
           " but RANK is unset: every worker needs RANK (0..WORLD_SIZE-1); start workers with "
           "`llamafactory-cli train` (or torchrun), which set it");
  e.rank = int_var("RANK", 0, 0);
  LF_CHECK(e.rank < e.world_size, "RANK=", e.rank, " is not below WORLD_SIZE=", e.world_size,
           ": ranks are numbered 0..WORLD_SIZE-1");
  e.local_rank = int_var("LOCAL_RANK", e.rank, 0);
  e.local_world_size = int_var("LOCAL_WORLD_SIZE", e.world_size, 1);
  LF_CHECK(e.local_rank < e.local_world_size, "LOCAL_RANK=", e.local_rank,
           " is not below LOCAL_WORLD_SIZE=", e.local_world_size,
           ": local ranks are numbered 0..LOCAL_WORLD_SIZE-1 on each node");
  LF_CHECK(e.local_world_size <= e.world_size, "LOCAL_WORLD_SIZE=", e.local_world_size,
           " exceeds WORLD_SIZE=", e.world_size, ": a node cannot run more workers than the job has");
  const char* group = get("GROUP_RANK") ? "GROUP_RANK" : "NODE_RANK";
  e.node_rank = int_var(group, 0, 0);
  if (const char* a = get("MASTER_ADDR")) e.master_addr = a;
  LF_CHECK(get("MASTER_PORT"), "WORLD_SIZE=", e.world_size,
           " but MASTER_PORT is unset: set MASTER_PORT (and MASTER_ADDR) to where rank 0 serves "
           "the rendezvous store, e.g. MASTER_PORT=29500");
  e.master_port = int_var("MASTER_PORT", 0, 1);
  LF_CHECK(e.master_port <= 65535, "MASTER_PORT=", e.master_port,
           " is out of range: choose a TCP port between 1 and 65535");
  return e;
}

}  // namespace lf::dist
