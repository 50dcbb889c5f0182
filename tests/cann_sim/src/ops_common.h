// Helpers for the simulated aclnn ops (libopapi). Each op is a phase-1
// function that validates its parameters (161001 / 161002, reference §7.3)
// and captures copies of the descriptors in a single-use executor, and a
// standard phase-2 function that queues that work on the stream.
#pragma once
#include <cmath>
#include <string>
#include <vector>

#include "sim.h"

#define SIM_PHASE2(Name)                                                              \
  extern "C" aclnnStatus aclnn##Name(void* workspace, uint64_t workspaceSize,         \
                                     aclOpExecutor* executor, aclrtStream stream) {   \
    return cann_sim::launch(#Name, workspace, workspaceSize, executor, stream);       \
  }

// Returns from the phase-1 function when a tensor parameter is bad.
#define SIM_CHECK(op, t)                                                   \
  do {                                                                     \
    if (aclnnStatus st_ = cann_sim::check_tensor(t, op, #t)) return st_;   \
  } while (0)

#define SIM_REQUIRE(op, cond, what)                                                   \
  do {                                                                                \
    if (!(cond)) return cann_sim::reject(ACLNN_ERR_PARAM_INVALID, std::string(op) + ": " + what); \
  } while (0)

namespace cann_sim {

// Whether `t` broadcasts to `dims` (numpy rules).
inline bool broadcasts_to(const TensorDesc& t, const std::vector<int64_t>& dims) {
  if (t.dims.size() > dims.size()) return false;
  size_t off = dims.size() - t.dims.size();
  for (size_t i = 0; i < t.dims.size(); ++i)
    if (t.dims[i] != 1 && t.dims[i] != dims[off + i]) return false;
  return true;
}

inline double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

// Atlas A2/A3 training series (bf16 and FP32 KEEP_DTYPE matmul supported).
inline bool soc_is_a2_or_later() {
  std::string s = soc_name();
  return (s.rfind("Ascend910B", 0) == 0 && s.size() > 10) || s.rfind("Ascend910_93", 0) == 0;
}

// Atlas A2 training series only (910B*): the SoCs some fused training kernels
// (FlashAttentionVarLenScore and its grad) list as supported.
inline bool soc_is_a2() {
  std::string s = soc_name();
  return s.rfind("Ascend910B", 0) == 0 && s.size() > 10;
}

// Normalises a possibly negative dim against rank; -1 when out of range.
inline int64_t norm_dim(int64_t dim, size_t rank) {
  int64_t r = static_cast<int64_t>(rank);
  if (dim < 0) dim += r;
  return dim >= 0 && dim < r ? dim : -1;
}

}  // namespace cann_sim
