// Internals shared by the simulator's three libraries (libascendcl,
// libnnopbase, libopapi). Nothing here is part of the CANN API: the backend
// never includes this file.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "acl/acl.h"
#include "aclnn/aclnn_base.h"

namespace cann_sim {

// A kernel failure raised while a stream executes (surfaces at synchronize).
struct Fault {
  int code;
  std::string message;
};

// ---- libascendcl ----
// Sets the message aclGetRecentErrMsg() returns.
void set_error(const std::string& message);
// True when [p, p + bytes) lies inside one live device allocation.
bool is_device_memory(const void* p, size_t bytes);
// Queues work on a stream (nullptr = the current device's default stream).
// Returns ACL_ERROR_RT_PARAM_INVALID (as aclError) for an unknown stream.
aclError enqueue(aclrtStream stream, std::function<void()> work);
// Whether CANN_SIM_FAULT lists `name` (e.g. "multinomial", "hccp", "aicore:<OpName>").
bool fault_enabled(const std::string& name);
// The simulated SoC of the current process (CANN_SIM_SOC).
std::string soc_name();

// ---- libnnopbase ----
struct TensorDesc {
  std::vector<int64_t> dims, strides;
  int64_t offset = 0;
  aclDataType dtype = ACL_FLOAT;
  void* data = nullptr;
  int64_t numel() const;
};
// Phase-1 check of a descriptor: nullptr → 161001, host memory → 161002.
aclnnStatus check_tensor(const aclTensor* t, const char* op, const char* what);
TensorDesc desc(const aclTensor* t);
double scalar_value(const aclScalar* s);
std::vector<int64_t> int_array(const aclIntArray* a);

// Values of a tensor in row-major order of its view, as doubles.
std::vector<double> read(const TensorDesc& t);
// Writes row-major values into the view, rounding to its dtype.
void write(const TensorDesc& t, const std::vector<double>& v);
// Values of `t` broadcast (numpy rules) to `dims`.
std::vector<double> read_broadcast(const TensorDesc& t, const std::vector<int64_t>& dims);
bool is_float(aclDataType t);

// Phase 1 of every op: stores the work in a new single-use executor.
aclnnStatus make_executor(const char* op, uint64_t workspace, std::function<void()> work,
                          uint64_t* workspaceSize, aclOpExecutor** executor);
// Phase 2: validates the executor (single use) and workspace, queues the work.
aclnnStatus launch(const char* op, void* workspace, uint64_t workspaceSize,
                   aclOpExecutor* executor, aclrtStream stream);
// Sets the recent error message and returns `status` (phase-1 failures).
aclnnStatus reject(aclnnStatus status, const std::string& message);

}  // namespace cann_sim
