// The aclnn two-phase call, wrapped once (reference §2.3): phase 1
// (aclnnXxxGetWorkspaceSize) checks parameters and returns a workspace size
// and a single-use executor; the workspace comes from the device's caching
// allocator; phase 2 (aclnnXxx) queues the kernel on the device's stream.
// Descriptors are RAII (aclDestroy* in the destructors) and may go as soon as
// phase 2 returns; the workspace is returned to the pool right after launch,
// which stream order makes safe. Every status is checked and names the op.
#pragma once
#include <cstdint>
#include <functional>
#include <vector>

#include "acl/acl_base.h"
#include "aclnn/acl_meta.h"
#include "aclnn/aclnn_base.h"
#include "core/tensor.h"

namespace lf::ascend {

aclDataType acl_dtype(DType t);

// aclCreateTensor (aclnn/acl_meta.h, present in CANN 8.0.RC1): dims outermost first,
// strides and offset in elements, storage = the 1-D extent of the allocation.
class AclTensor {
 public:
  AclTensor() = default;
  // The tensor's own view.
  explicit AclTensor(const Tensor& t);
  // Another view (dims, element strides, element offset) of t's storage.
  AclTensor(const Tensor& t, const std::vector<int64_t>& dims, const std::vector<int64_t>& strides,
            int64_t offset);
  // A view of raw device memory.
  static AclTensor raw(void* base, aclDataType dtype, const std::vector<int64_t>& dims,
                       const std::vector<int64_t>& strides, int64_t offset = 0);
  ~AclTensor();
  AclTensor(AclTensor&& o) noexcept : p_(o.p_) { o.p_ = nullptr; }
  AclTensor& operator=(AclTensor&& o) noexcept;
  AclTensor(const AclTensor&) = delete;
  AclTensor& operator=(const AclTensor&) = delete;
  aclTensor* get() const { return p_; }

 private:
  void create(void* base, aclDataType dtype, const std::vector<int64_t>& dims,
              const std::vector<int64_t>& strides, int64_t offset, int64_t storage_elems);
  aclTensor* p_ = nullptr;
};

// aclCreateScalar (acl_meta.h): a host value of the given type.
class AclScalar {
 public:
  explicit AclScalar(double v, aclDataType t = ACL_FLOAT);
  ~AclScalar();
  AclScalar(const AclScalar&) = delete;
  AclScalar& operator=(const AclScalar&) = delete;
  aclScalar* get() const { return p_; }

 private:
  float f_ = 0;
  int64_t i_ = 0;
  aclScalar* p_ = nullptr;
};

// aclCreateIntArray (acl_meta.h).
class AclIntArray {
 public:
  explicit AclIntArray(const std::vector<int64_t>& v);
  ~AclIntArray();
  AclIntArray(const AclIntArray&) = delete;
  AclIntArray& operator=(const AclIntArray&) = delete;
  aclIntArray* get() const { return p_; }

 private:
  aclIntArray* p_ = nullptr;
};

using Phase1 = std::function<aclnnStatus(uint64_t* workspace_size, aclOpExecutor** executor)>;
using Phase2 = aclnnStatus (*)(void* workspace, uint64_t workspace_size, aclOpExecutor* executor,
                               aclrtStream stream);

// Runs both phases on npu:`device`. With ASCEND_LAUNCH_BLOCKING=1 it also
// synchronises, so a kernel failure names exactly this op.
void launch(int device, const char* op, const Phase1& phase1, Phase2 phase2);

}  // namespace lf::ascend

// LF_ACLNN(device, Matmul, a, b, out, cube) calls aclnnMatmulGetWorkspaceSize(a, b,
// out, cube, &ws, &exec), then aclnnMatmul(workspace, ws, exec, stream).
#define LF_ACLNN(device, OP, ...)                                                   \
  ::lf::ascend::launch(                                                             \
      device, "aclnn" #OP,                                                          \
      [&](uint64_t* ws_, aclOpExecutor** ex_) {                                     \
        return aclnn##OP##GetWorkspaceSize(__VA_ARGS__, ws_, ex_);                  \
      },                                                                            \
      &aclnn##OP)
