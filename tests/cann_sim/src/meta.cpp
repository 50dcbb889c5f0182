// libnnopbase: aclTensor / aclScalar / aclIntArray objects, element access
// with element-unit strides and offsets (reference §2.2), and single-use
// executors (§2.3).
#include <cmath>
#include <cstring>
#include <memory>
#include <mutex>
#include <set>

#include "acl/acl_rt.h"
#include "sim.h"

struct aclTensor {
  cann_sim::TensorDesc d;
};
struct aclScalar {
  double value;
};
struct aclIntArray {
  std::vector<int64_t> values;
};
struct aclOpExecutor {
  std::string op;
  uint64_t workspace;
  std::function<void()> work;
};

namespace cann_sim {
namespace {

std::mutex g_exec_mu;
std::set<aclOpExecutor*> g_live;  // executors created and not yet launched

float half_to_float(uint16_t h) {
  uint32_t sign = (h & 0x8000u) << 16, exp = (h >> 10) & 0x1f, man = h & 0x3ff;
  float f;
  if (exp == 0) f = std::ldexp(static_cast<float>(man), -24);
  else if (exp == 31) f = man ? NAN : INFINITY;
  else f = std::ldexp(static_cast<float>(man | 0x400), static_cast<int>(exp) - 25);
  return sign ? -f : f;
}

uint16_t float_to_half(float f) {
  if (std::isnan(f)) return 0x7e00;
  uint16_t sign = std::signbit(f) ? 0x8000 : 0;
  float a = std::fabs(f);
  if (a >= 65520.0f) return sign | 0x7c00;
  if (a < std::ldexp(1.0f, -14)) {  // subnormal: units of 2^-24, round to nearest even
    return sign | static_cast<uint16_t>(std::nearbyint(std::ldexp(a, 24)));
  }
  int e;
  float m = std::frexp(a, &e);  // a = m * 2^e, m in [0.5, 1)
  uint32_t mant = static_cast<uint32_t>(std::nearbyint(std::ldexp(m, 11)));  // 11 bits
  if (mant == 2048) { mant = 1024; ++e; }
  if (e + 14 >= 31) return sign | 0x7c00;
  return sign | static_cast<uint16_t>((e + 14) << 10) | static_cast<uint16_t>(mant & 0x3ff);
}

float bf16_to_float(uint16_t b) {
  uint32_t u = static_cast<uint32_t>(b) << 16;
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

uint16_t float_to_bf16(float f) {
  if (std::isnan(f)) return 0x7fc0;
  uint32_t u;
  std::memcpy(&u, &f, 4);
  u += 0x7fff + ((u >> 16) & 1);
  return static_cast<uint16_t>(u >> 16);
}

double load(aclDataType t, const char* p) {
  switch (t) {
    case ACL_FLOAT: { float v; std::memcpy(&v, p, 4); return v; }
    case ACL_FLOAT16: { uint16_t v; std::memcpy(&v, p, 2); return half_to_float(v); }
    case ACL_BF16: { uint16_t v; std::memcpy(&v, p, 2); return bf16_to_float(v); }
    case ACL_INT32: { int32_t v; std::memcpy(&v, p, 4); return v; }
    case ACL_INT64: { int64_t v; std::memcpy(&v, p, 8); return static_cast<double>(v); }
    case ACL_BOOL: case ACL_UINT8: return static_cast<unsigned char>(*p);
    case ACL_INT8: return static_cast<signed char>(*p);
    case ACL_DOUBLE: { double v; std::memcpy(&v, p, 8); return v; }
    default: return 0;
  }
}

void store(aclDataType t, char* p, double v) {
  switch (t) {
    case ACL_FLOAT: { float f = static_cast<float>(v); std::memcpy(p, &f, 4); break; }
    case ACL_FLOAT16: { uint16_t h = float_to_half(static_cast<float>(v)); std::memcpy(p, &h, 2); break; }
    case ACL_BF16: { uint16_t h = float_to_bf16(static_cast<float>(v)); std::memcpy(p, &h, 2); break; }
    case ACL_INT32: { int32_t i = static_cast<int32_t>(v); std::memcpy(p, &i, 4); break; }
    case ACL_INT64: { int64_t i = static_cast<int64_t>(v); std::memcpy(p, &i, 8); break; }
    case ACL_BOOL: *p = v != 0; break;
    case ACL_UINT8: *p = static_cast<char>(static_cast<unsigned char>(v)); break;
    case ACL_INT8: *p = static_cast<char>(static_cast<signed char>(v)); break;
    case ACL_DOUBLE: std::memcpy(p, &v, 8); break;
    default: break;
  }
}

// Calls f(element offset) for every element of the view in row-major order.
template <typename F>
void for_each_offset(const TensorDesc& t, F&& f) {
  size_t nd = t.dims.size();
  if (t.numel() == 0) return;
  std::vector<int64_t> idx(nd, 0);
  for (int64_t n = t.numel(); n-- > 0;) {
    int64_t off = t.offset;
    for (size_t i = 0; i < nd; ++i) off += idx[i] * t.strides[i];
    f(off);
    for (size_t i = nd; i-- > 0;) {
      if (++idx[i] < t.dims[i]) break;
      idx[i] = 0;
    }
  }
}

}  // namespace

int64_t TensorDesc::numel() const {
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  return n;
}

bool is_float(aclDataType t) { return t == ACL_FLOAT || t == ACL_FLOAT16 || t == ACL_BF16; }

std::vector<double> read(const TensorDesc& t) {
  std::vector<double> v;
  v.reserve(static_cast<size_t>(t.numel()));
  size_t es = aclDataTypeSize(t.dtype);
  const char* base = static_cast<const char*>(t.data);
  for_each_offset(t, [&](int64_t off) { v.push_back(load(t.dtype, base + off * es)); });
  return v;
}

void write(const TensorDesc& t, const std::vector<double>& v) {
  size_t es = aclDataTypeSize(t.dtype), i = 0;
  char* base = static_cast<char*>(t.data);
  for_each_offset(t, [&](int64_t off) { store(t.dtype, base + off * es, v[i++]); });
}

std::vector<double> read_broadcast(const TensorDesc& t, const std::vector<int64_t>& dims) {
  TensorDesc b = t;
  size_t nd = dims.size(), td = t.dims.size();
  b.dims = dims;
  b.strides.assign(nd, 0);
  for (size_t i = 0; i < td; ++i) {
    size_t o = nd - td + i;
    b.strides[o] = t.dims[i] == 1 ? 0 : t.strides[i];
  }
  return read(b);
}

aclnnStatus reject(aclnnStatus status, const std::string& message) {
  set_error(message);
  return status;
}

aclnnStatus check_tensor(const aclTensor* t, const char* op, const char* what) {
  if (!t) return reject(ACLNN_ERR_PARAM_NULLPTR, std::string(op) + ": " + what + " is nullptr");
  const TensorDesc& d = t->d;
  int64_t extent = d.offset;
  for (size_t i = 0; i < d.dims.size(); ++i)
    if (d.dims[i] > 0) extent += (d.dims[i] - 1) * d.strides[i];
  size_t bytes = static_cast<size_t>(extent + 1) * aclDataTypeSize(d.dtype);
  if (d.numel() > 0 && !is_device_memory(d.data, bytes))
    return reject(ACLNN_ERR_PARAM_INVALID, std::string(op) + ": " + what +
                                               " does not lie in device memory (aclrtMalloc)");
  return ACLNN_SUCCESS;
}

TensorDesc desc(const aclTensor* t) { return t->d; }
double scalar_value(const aclScalar* s) { return s->value; }
std::vector<int64_t> int_array(const aclIntArray* a) { return a->values; }

aclnnStatus make_executor(const char* op, uint64_t workspace, std::function<void()> work,
                          uint64_t* workspaceSize, aclOpExecutor** executor) {
  if (!workspaceSize || !executor)
    return reject(ACLNN_ERR_PARAM_NULLPTR, std::string(op) + ": workspaceSize or executor is nullptr");
  auto* e = new aclOpExecutor{op, workspace, std::move(work)};
  {
    std::lock_guard<std::mutex> lock(g_exec_mu);
    g_live.insert(e);
  }
  *workspaceSize = workspace;
  *executor = e;
  return ACLNN_SUCCESS;
}

aclnnStatus launch(const char* op, void* workspace, uint64_t workspaceSize,
                   aclOpExecutor* executor, aclrtStream stream) {
  {
    std::lock_guard<std::mutex> lock(g_exec_mu);
    // Phase 2 may not run twice for one executor (reference §2.3).
    if (!g_live.erase(executor))
      return reject(ACLNN_ERR_PARAM_INVALID, std::string("aclnn") + op +
                                                 ": executor already used or never created");
  }
  std::unique_ptr<aclOpExecutor> e(executor);
  if (e->op != op)
    return reject(ACLNN_ERR_PARAM_INVALID, std::string("aclnn") + op + ": executor belongs to aclnn" + e->op);
  if (e->workspace > 0 &&
      (workspaceSize < e->workspace || !is_device_memory(workspace, e->workspace)))
    return reject(ACLNN_ERR_PARAM_INVALID, std::string("aclnn") + op +
                                               ": workspace missing, too small or not device memory");
  std::function<void()> work = std::move(e->work);
  // CANN_SIM_FAULT=aicore:<Op>[,aicore:<Op2>...] makes those kernels fail on the device.
  if (fault_enabled(std::string("aicore:") + op)) {
    std::string name = op;
    work = [name] {
      throw Fault{ACL_ERROR_RT_AICORE_EXCEPTION,
                  "EZ9999: Inner Error! The aicore execution is abnormal in kernel aclnn" + name +
                      " (simulated fault)."};
    };
  }
  aclError rc = enqueue(stream, std::move(work));
  return rc == ACL_SUCCESS ? ACLNN_SUCCESS : reject(ACLNN_ERR_RUNTIME_ERROR, "invalid stream");
}

}  // namespace cann_sim

extern "C" {

aclTensor* aclCreateTensor(const int64_t* viewDims, uint64_t viewDimsNum, aclDataType dataType,
                           const int64_t* stride, int64_t offset, aclFormat,
                           const int64_t*, uint64_t, void* tensorData) {
  if ((viewDimsNum && (!viewDims || !stride)) || aclDataTypeSize(dataType) == 0 || offset < 0)
    return nullptr;
  auto* t = new aclTensor;
  t->d.dims.assign(viewDims, viewDims + viewDimsNum);
  t->d.strides.assign(stride, stride + viewDimsNum);
  t->d.offset = offset;
  t->d.dtype = dataType;
  t->d.data = tensorData;
  return t;
}

aclScalar* aclCreateScalar(void* value, aclDataType dataType) {
  if (!value || aclDataTypeSize(dataType) == 0) return nullptr;
  cann_sim::TensorDesc d;
  d.dtype = dataType;
  d.data = value;
  return new aclScalar{cann_sim::read(d)[0]};
}

aclIntArray* aclCreateIntArray(const int64_t* value, uint64_t size) {
  if (size && !value) return nullptr;
  return new aclIntArray{std::vector<int64_t>(value, value + size)};
}

aclnnStatus aclDestroyTensor(const aclTensor* t) { delete t; return ACLNN_SUCCESS; }
aclnnStatus aclDestroyScalar(const aclScalar* s) { delete s; return ACLNN_SUCCESS; }
aclnnStatus aclDestroyIntArray(const aclIntArray* a) { delete a; return ACLNN_SUCCESS; }

}  // extern "C"
