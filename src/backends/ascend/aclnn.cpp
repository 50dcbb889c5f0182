#include "backends/ascend/aclnn.h"

#include <cstdlib>
#include <cstring>

#include "backends/ascend/runtime.h"
#include "core/allocator.h"
#include "core/error.h"

namespace lf::ascend {

aclDataType acl_dtype(DType t) {
  switch (t) {
    case DType::f32: return ACL_FLOAT;
    case DType::bf16: return ACL_BF16;
    case DType::f16: return ACL_FLOAT16;
    case DType::i32: return ACL_INT32;
    case DType::i64: return ACL_INT64;
    case DType::boolean: return ACL_BOOL;
  }
  return ACL_DT_UNDEFINED;
}

void AclTensor::create(void* base, aclDataType dtype, const std::vector<int64_t>& dims,
                       const std::vector<int64_t>& strides, int64_t offset,
                       int64_t storage_elems) {
  p_ = aclCreateTensor(dims.data(), dims.size(), dtype, strides.data(), offset, ACL_FORMAT_ND,
                       &storage_elems, 1, base);
  LF_CHECK(p_, "aclCreateTensor failed for a ", dims.size(), "-d tensor of dtype ",
           static_cast<int>(dtype));
}

AclTensor::AclTensor(const Tensor& t) : AclTensor(t, t.shape(), t.strides(), t.offset()) {}

AclTensor::AclTensor(const Tensor& t, const std::vector<int64_t>& dims,
                     const std::vector<int64_t>& strides, int64_t offset) {
  const auto& s = t.storage();
  LF_CHECK(s, "aclnn call with an undefined tensor");
  create(s->data(), acl_dtype(t.dtype()), dims, strides, offset,
         static_cast<int64_t>(s->bytes() / dtype_size(t.dtype())));
}

AclTensor AclTensor::raw(void* base, aclDataType dtype, const std::vector<int64_t>& dims,
                         const std::vector<int64_t>& strides, int64_t offset) {
  int64_t extent = offset + 1;
  for (size_t i = 0; i < dims.size(); ++i)
    if (dims[i] > 0) extent += (dims[i] - 1) * strides[i];
  AclTensor t;
  t.create(base, dtype, dims, strides, offset, extent);
  return t;
}

AclTensor::~AclTensor() {
  if (p_) aclDestroyTensor(p_);
}

AclTensor& AclTensor::operator=(AclTensor&& o) noexcept {
  if (this != &o) {
    if (p_) aclDestroyTensor(p_);
    p_ = o.p_;
    o.p_ = nullptr;
  }
  return *this;
}

AclScalar::AclScalar(double v, aclDataType t) {
  void* value;
  if (t == ACL_INT64) {
    i_ = static_cast<int64_t>(v);
    value = &i_;
  } else {
    t = ACL_FLOAT;
    f_ = static_cast<float>(v);
    value = &f_;
  }
  p_ = aclCreateScalar(value, t);
  LF_CHECK(p_, "aclCreateScalar failed");
}

AclScalar::~AclScalar() { aclDestroyScalar(p_); }

AclIntArray::AclIntArray(const std::vector<int64_t>& v) {
  p_ = aclCreateIntArray(v.data(), v.size());
  LF_CHECK(p_, "aclCreateIntArray failed");
}

AclIntArray::~AclIntArray() { aclDestroyIntArray(p_); }

void launch(int device, const char* op, const Phase1& phase1, Phase2 phase2) {
  AscendRuntime& rt = runtime();
  aclrtStream stream = rt.stream(device);
  uint64_t ws = 0;
  aclOpExecutor* exec = nullptr;
  rt.check(phase1(&ws, &exec), (std::string(op) + "GetWorkspaceSize").c_str(), op);
  void* workspace = nullptr;
  size_t block = 0;
  CachingAllocator& pool = allocator_for(Device{DeviceType::npu, device});
  if (ws > 0) workspace = pool.allocate(ws, &block);
  int rc = phase2(workspace, ws, exec, stream);
  if (workspace) pool.release(workspace, block);  // stream order keeps it valid
  rt.check(rc, op, op);
  rt.note_op(device, op);
  static const bool blocking = [] {
    const char* v = std::getenv("ASCEND_LAUNCH_BLOCKING");
    return v && std::strcmp(v, "1") == 0;
  }();
  if (blocking) rt.synchronize(device);
}

}  // namespace lf::ascend
