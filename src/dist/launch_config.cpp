#include "dist/launch_config.h"

#include <charconv>

#include "core/error.h"
#include "dist/launch_port.h"

namespace lf::dist {
namespace {

// An empty value counts as unset, so `NNODES= llamafactory-cli ...` keeps the default.
std::optional<std::string> read(const EnvLookup& env, const char* name) {
  auto v = env(name);
  if (v && v->empty()) return std::nullopt;
  return v;
}

int parse_int(const char* name, const std::string& value, int min, int max, const char* meaning) {
  int out = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), out);
  LF_CHECK(ec == std::errc() && end == value.data() + value.size() && out >= min && out <= max,
           name, "=", value, " is not valid: set it to ", meaning, " (an integer from ", min,
           " to ", max, ")");
  return out;
}

}  // namespace

std::optional<LaunchConfig> plan_launch(bool force, const DeviceOffer& offer,
                                        const EnvLookup& env) {
  LaunchConfig c;
  constexpr int kMaxCount = 1 << 15;  // NNODES × NPROC_PER_NODE stays an int
  if (auto v = read(env, "NNODES")) c.nnodes = parse_int("NNODES", *v, 1, kMaxCount, "the number of nodes");
  if (auto v = read(env, "NODE_RANK")) {
    c.node_rank = parse_int("NODE_RANK", *v, 0, kMaxCount, "this node's index, 0 on the master node");
  }
  LF_CHECK(c.node_rank < c.nnodes, "NODE_RANK=", c.node_rank, " must be below NNODES=", c.nnodes,
           ": number the nodes 0 to ", c.nnodes - 1, ", 0 being the node at MASTER_ADDR");
  auto nproc = read(env, "NPROC_PER_NODE");
  c.nproc_per_node = offer.host ? 1 : offer.visible;
  if (nproc) {
    c.nproc_per_node = parse_int("NPROC_PER_NODE", *nproc, 1, kMaxCount,
                                 "the number of worker processes on this node");
  }
  if (!force && offer.visible <= 1 && c.nproc_per_node <= 1 && c.nnodes <= 1) return std::nullopt;
  LF_CHECK(!read(env, "RDZV_ID"), "RDZV_ID is set, but elastic launches (torchrun --rdzv-id, "
           "MIN_NNODES/MAX_NNODES/MAX_RESTARTS) are not supported: unset RDZV_ID and give NNODES, "
           "NODE_RANK, MASTER_ADDR and MASTER_PORT");

  if (!offer.host && c.nproc_per_node > offer.visible) {
    std::string where = offer.visibility_variable.empty()
                            ? std::string()
                            : " (selected by " + offer.visibility_variable + ")";
    fail("NPROC_PER_NODE=", c.nproc_per_node, " but only ", offer.visible, " ", offer.family,
         " device(s) are visible", where,
         ": each worker needs its own device; lower NPROC_PER_NODE or make more devices visible");
  }
  if (auto v = read(env, "MASTER_ADDR")) c.master_addr = *v;
  if (auto v = read(env, "MASTER_PORT")) {
    c.master_port = parse_int("MASTER_PORT", *v, 1, 65535, "the rendezvous port on node 0");
    c.port_given = true;
  } else {
    LF_CHECK(c.nnodes == 1, "NNODES=", c.nnodes,
             " needs MASTER_PORT: set the same free port (e.g. MASTER_PORT=29500) and "
             "MASTER_ADDR=<address of node 0> on every node");
    c.master_port = free_port();
  }
  return c;
}

}  // namespace lf::dist
