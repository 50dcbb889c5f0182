// Simulated elementwise aclnn ops: Add/Adds/InplaceAdd, Sub, Mul/Muls/
// InplaceMuls, Div, Cast, InplaceCopy, InplaceFillScalar, unary math,
// Clamp, ClampMinTensor.
#include <functional>

#include "aclnnop/aclnn_add.h"
#include "aclnnop/aclnn_cast.h"
#include "aclnnop/aclnn_clamp.h"
#include "aclnnop/aclnn_copy.h"
#include "aclnnop/aclnn_cos.h"
#include "aclnnop/aclnn_div.h"
#include "aclnnop/aclnn_exp.h"
#include "aclnnop/aclnn_fill_scalar.h"
#include "aclnnop/aclnn_gelu.h"
#include "aclnnop/aclnn_gelu_backward.h"
#include "aclnnop/aclnn_log.h"
#include "aclnnop/aclnn_mul.h"
#include "aclnnop/aclnn_silu.h"
#include "aclnnop/aclnn_silu_backward.h"
#include "aclnnop/aclnn_sin.h"
#include "aclnnop/aclnn_sqrt.h"
#include "aclnnop/aclnn_sub.h"
#include "aclnnop/aclnn_tanh.h"
#include "ops_common.h"

using namespace cann_sim;

namespace {

using Binary = std::function<double(double, double)>;
using Unary = std::function<double(double)>;

// out = f(a, b) with a and b broadcast to out's shape.
aclnnStatus binary(const char* op, const aclTensor* a, const aclTensor* b, const aclTensor* out,
                   Binary f, uint64_t* ws, aclOpExecutor** ex) {
  SIM_CHECK(op, a);
  SIM_CHECK(op, b);
  SIM_CHECK(op, out);
  TensorDesc da = desc(a), db = desc(b), dout = desc(out);
  SIM_REQUIRE(op, broadcasts_to(da, dout.dims) && broadcasts_to(db, dout.dims),
              "operand shapes do not broadcast to the output shape");
  return make_executor(op, 0, [=] {
    auto va = read_broadcast(da, dout.dims), vb = read_broadcast(db, dout.dims);
    for (size_t i = 0; i < va.size(); ++i) va[i] = f(va[i], vb[i]);
    write(dout, va);
  }, ws, ex);
}

aclnnStatus unary(const char* op, const aclTensor* x, const aclTensor* out, Unary f, uint64_t* ws,
                  aclOpExecutor** ex) {
  SIM_CHECK(op, x);
  SIM_CHECK(op, out);
  TensorDesc dx = desc(x), dout = desc(out);
  SIM_REQUIRE(op, dx.dims == dout.dims, "self and out shapes differ");
  return make_executor(op, 0, [=] {
    auto v = read(dx);
    for (double& e : v) e = f(e);
    write(dout, v);
  }, ws, ex);
}

double scalar_or(const aclScalar* s, double fallback) { return s ? scalar_value(s) : fallback; }

}  // namespace

extern "C" {

aclnnStatus aclnnAddGetWorkspaceSize(const aclTensor* self, const aclTensor* other,
                                     const aclScalar* alpha, aclTensor* out, uint64_t* ws,
                                     aclOpExecutor** ex) {
  double k = scalar_or(alpha, 1.0);
  return binary("Add", self, other, out, [k](double a, double b) { return a + k * b; }, ws, ex);
}

aclnnStatus aclnnAddsGetWorkspaceSize(const aclTensor* self, const aclScalar* other,
                                      const aclScalar* alpha, aclTensor* out, uint64_t* ws,
                                      aclOpExecutor** ex) {
  if (!other) return reject(ACLNN_ERR_PARAM_NULLPTR, "Adds: other is nullptr");
  double c = scalar_value(other) * scalar_or(alpha, 1.0);
  return unary("Adds", self, out, [c](double a) { return a + c; }, ws, ex);
}

aclnnStatus aclnnInplaceAddGetWorkspaceSize(const aclTensor* selfRef, const aclTensor* other,
                                            const aclScalar* alpha, uint64_t* ws,
                                            aclOpExecutor** ex) {
  double k = scalar_or(alpha, 1.0);
  return binary("InplaceAdd", selfRef, other, selfRef,
                [k](double a, double b) { return a + k * b; }, ws, ex);
}

aclnnStatus aclnnSubGetWorkspaceSize(const aclTensor* self, const aclTensor* other,
                                     const aclScalar* alpha, aclTensor* out, uint64_t* ws,
                                     aclOpExecutor** ex) {
  double k = scalar_or(alpha, 1.0);
  return binary("Sub", self, other, out, [k](double a, double b) { return a - k * b; }, ws, ex);
}

aclnnStatus aclnnMulGetWorkspaceSize(const aclTensor* self, const aclTensor* other, aclTensor* out,
                                     uint64_t* ws, aclOpExecutor** ex) {
  return binary("Mul", self, other, out, std::multiplies<double>(), ws, ex);
}

aclnnStatus aclnnMulsGetWorkspaceSize(const aclTensor* self, const aclScalar* other,
                                      aclTensor* out, uint64_t* ws, aclOpExecutor** ex) {
  if (!other) return reject(ACLNN_ERR_PARAM_NULLPTR, "Muls: other is nullptr");
  double k = scalar_value(other);
  return unary("Muls", self, out, [k](double a) { return a * k; }, ws, ex);
}

aclnnStatus aclnnInplaceMulsGetWorkspaceSize(aclTensor* selfRef, const aclScalar* other,
                                             uint64_t* ws, aclOpExecutor** ex) {
  if (!other) return reject(ACLNN_ERR_PARAM_NULLPTR, "InplaceMuls: other is nullptr");
  double k = scalar_value(other);
  return unary("InplaceMuls", selfRef, selfRef, [k](double a) { return a * k; }, ws, ex);
}

aclnnStatus aclnnDivGetWorkspaceSize(const aclTensor* self, const aclTensor* other, aclTensor* out,
                                     uint64_t* ws, aclOpExecutor** ex) {
  return binary("Div", self, other, out, std::divides<double>(), ws, ex);
}

aclnnStatus aclnnCastGetWorkspaceSize(const aclTensor* self, const aclDataType dtype,
                                      aclTensor* out, uint64_t* ws, aclOpExecutor** ex) {
  SIM_CHECK("Cast", out);
  SIM_REQUIRE("Cast", desc(out).dtype == dtype, "out's dtype differs from the dtype argument");
  return unary("Cast", self, out, [](double a) { return a; }, ws, ex);
}

aclnnStatus aclnnInplaceCopyGetWorkspaceSize(aclTensor* selfRef, const aclTensor* src,
                                             uint64_t* ws, aclOpExecutor** ex) {
  return binary("InplaceCopy", selfRef, src, selfRef, [](double, double b) { return b; }, ws, ex);
}

aclnnStatus aclnnInplaceFillScalarGetWorkspaceSize(aclTensor* selfRef, const aclScalar* value,
                                                   uint64_t* ws, aclOpExecutor** ex) {
  if (!value) return reject(ACLNN_ERR_PARAM_NULLPTR, "InplaceFillScalar: value is nullptr");
  double v = scalar_value(value);
  return unary("InplaceFillScalar", selfRef, selfRef, [v](double) { return v; }, ws, ex);
}

aclnnStatus aclnnExpGetWorkspaceSize(const aclTensor* self, aclTensor* out, uint64_t* ws,
                                     aclOpExecutor** ex) {
  return unary("Exp", self, out, [](double a) { return std::exp(a); }, ws, ex);
}

aclnnStatus aclnnLogGetWorkspaceSize(const aclTensor* self, aclTensor* out, uint64_t* ws,
                                     aclOpExecutor** ex) {
  return unary("Log", self, out, [](double a) { return std::log(a); }, ws, ex);
}

aclnnStatus aclnnSqrtGetWorkspaceSize(const aclTensor* self, aclTensor* out, uint64_t* ws,
                                      aclOpExecutor** ex) {
  return unary("Sqrt", self, out, [](double a) { return std::sqrt(a); }, ws, ex);
}

aclnnStatus aclnnCosGetWorkspaceSize(const aclTensor* self, aclTensor* out, uint64_t* ws,
                                     aclOpExecutor** ex) {
  return unary("Cos", self, out, [](double a) { return std::cos(a); }, ws, ex);
}

aclnnStatus aclnnSinGetWorkspaceSize(const aclTensor* self, aclTensor* out, uint64_t* ws,
                                     aclOpExecutor** ex) {
  return unary("Sin", self, out, [](double a) { return std::sin(a); }, ws, ex);
}

aclnnStatus aclnnTanhGetWorkspaceSize(const aclTensor* self, aclTensor* out, uint64_t* ws,
                                      aclOpExecutor** ex) {
  return unary("Tanh", self, out, [](double a) { return std::tanh(a); }, ws, ex);
}

aclnnStatus aclnnSiluGetWorkspaceSize(const aclTensor* self, aclTensor* out, uint64_t* ws,
                                      aclOpExecutor** ex) {
  return unary("Silu", self, out, [](double a) { return a * sigmoid(a); }, ws, ex);
}

aclnnStatus aclnnSiluBackwardGetWorkspaceSize(const aclTensor* gradOutput, const aclTensor* self,
                                              aclTensor* gradInput, uint64_t* ws,
                                              aclOpExecutor** ex) {
  return binary("SiluBackward", gradOutput, self, gradInput, [](double g, double x) {
    double s = sigmoid(x);
    return g * s * (1.0 + x * (1.0 - s));
  }, ws, ex);
}

aclnnStatus aclnnGeluGetWorkspaceSize(const aclTensor* self, aclTensor* out, uint64_t* ws,
                                      aclOpExecutor** ex) {
  return unary("Gelu", self, out, [](double a) { return 0.5 * a * (1.0 + std::erf(a / std::sqrt(2.0))); },
               ws, ex);
}

aclnnStatus aclnnGeluBackwardGetWorkspaceSize(const aclTensor* gradOutput, const aclTensor* self,
                                              aclTensor* gradInput, uint64_t* ws,
                                              aclOpExecutor** ex) {
  return binary("GeluBackward", gradOutput, self, gradInput, [](double g, double x) {
    double cdf = 0.5 * (1.0 + std::erf(x / std::sqrt(2.0)));
    double pdf = std::exp(-0.5 * x * x) / std::sqrt(2.0 * M_PI);
    return g * (cdf + x * pdf);
  }, ws, ex);
}

aclnnStatus aclnnClampGetWorkspaceSize(const aclTensor* self, const aclScalar* clipValueMin,
                                       const aclScalar* clipValueMax, aclTensor* out,
                                       uint64_t* ws, aclOpExecutor** ex) {
  double lo = scalar_or(clipValueMin, -INFINITY), hi = scalar_or(clipValueMax, INFINITY);
  return unary("Clamp", self, out, [lo, hi](double a) { return std::min(std::max(a, lo), hi); },
               ws, ex);
}

aclnnStatus aclnnClampMinTensorGetWorkspaceSize(const aclTensor* self, const aclTensor* clipValueMin,
                                                aclTensor* out, uint64_t* ws, aclOpExecutor** ex) {
  return binary("ClampMinTensor", self, clipValueMin, out,
                [](double a, double lo) { return std::max(a, lo); }, ws, ex);
}

}  // extern "C"

SIM_PHASE2(Add)
SIM_PHASE2(Adds)
SIM_PHASE2(InplaceAdd)
SIM_PHASE2(Sub)
SIM_PHASE2(Mul)
SIM_PHASE2(Muls)
SIM_PHASE2(InplaceMuls)
SIM_PHASE2(Div)
SIM_PHASE2(Cast)
SIM_PHASE2(InplaceCopy)
SIM_PHASE2(InplaceFillScalar)
SIM_PHASE2(Exp)
SIM_PHASE2(Log)
SIM_PHASE2(Sqrt)
SIM_PHASE2(Cos)
SIM_PHASE2(Sin)
SIM_PHASE2(Tanh)
SIM_PHASE2(Silu)
SIM_PHASE2(SiluBackward)
SIM_PHASE2(Gelu)
SIM_PHASE2(GeluBackward)
SIM_PHASE2(Clamp)
SIM_PHASE2(ClampMinTensor)
