// The launch decision of `llamafactory-cli train` (LLaMA-Factory's launcher.py,
// compat §1.4): when to start one worker per device instead of training in
// this process, and the torchrun parameters read from the environment.
#pragma once
#include <functional>
#include <optional>
#include <string>

namespace lf::dist {

struct LaunchConfig {
  int nnodes = 1;          // NNODES
  int node_rank = 0;       // NODE_RANK
  int nproc_per_node = 1;  // NPROC_PER_NODE
  std::string master_addr = "127.0.0.1";  // MASTER_ADDR
  int master_port = 0;     // MASTER_PORT, or a free port chosen here
  bool port_given = false; // MASTER_PORT came from the environment
  int world_size() const { return nnodes * nproc_per_node; }
};

// What this host offers for the device family training will use.
struct DeviceOffer {
  int visible = 1;         // devices of the family this process sees
  bool host = true;        // the host family: any number of workers fits
  std::string family;      // for messages ("npu")
  std::string visibility_variable;  // for messages ("ASCEND_RT_VISIBLE_DEVICES")
};

// Reads a variable; nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(const char*)>;

// nullopt: train in this process. Otherwise the launch parameters; launched
// when `force` (FORCE_TORCHRUN), more than one visible device, NPROC_PER_NODE
// above 1 or NNODES above 1. Malformed or inconsistent variables are errors
// naming the variable and the fix. A free MASTER_PORT is chosen when unset
// (single node only).
std::optional<LaunchConfig> plan_launch(bool force, const DeviceOffer& offer,
                                        const EnvLookup& env);

}  // namespace lf::dist
