#include "ops/ops_check.h"

namespace lf::ops::detail {

Device common_device(const char* op, std::initializer_list<Arg> args) {
  const Tensor* first = nullptr;
  bool mixed = false;
  for (const Arg& a : args) {
    if (!a.t.defined()) continue;
    if (!first) first = &a.t;
    else if (a.t.device() != first->device()) mixed = true;
  }
  LF_CHECK(first, op, ": no defined operand");
  if (mixed) {
    std::string list;
    for (const Arg& a : args) {
      if (!a.t.defined()) continue;
      list += (list.empty() ? "" : ", ") + std::string(a.name) + " on " + a.t.device().str();
    }
    fail(op, ": operands on different devices: ", list, "; move them with .to(device)");
  }
  return first->device();
}

void require_defined(const char* op, const Arg& a) {
  LF_CHECK(a.t.defined(), op, ": operand ", a.name, " is undefined");
}

void require_float(const char* op, const Arg& a) {
  require_defined(op, a);
  LF_CHECK(is_floating(a.t.dtype()), op, ": ", a.name, " must be float32, bfloat16 or float16, got ",
           a.t.describe());
}

void require_index(const char* op, const Arg& a) {
  require_defined(op, a);
  LF_CHECK(a.t.dtype() == DType::i32 || a.t.dtype() == DType::i64, op, ": ", a.name,
           " must be int32 or int64, got ", a.t.describe());
}

void require_dim(const char* op, const Arg& a, int64_t dims) {
  require_defined(op, a);
  LF_CHECK(a.t.dim() == dims, op, ": ", a.name, " must have ", dims, " dimensions, got shape ",
           shape_str(a.t.shape()));
}

void require_shape(const char* op, const Arg& a, const Shape& expected) {
  require_defined(op, a);
  LF_CHECK(a.t.shape() == expected, op, ": ", a.name, " has shape ", shape_str(a.t.shape()),
           ", expected ", shape_str(expected));
}

std::string describe_args(std::initializer_list<Arg> args) {
  std::string s;
  for (const Arg& a : args) {
    s += (s.empty() ? "" : ", ") + std::string(a.name) + " " +
         (a.t.defined() ? std::string(dtype_name(a.t.dtype())) + shape_str(a.t.shape())
                        : std::string("undefined"));
  }
  return s;
}

}  // namespace lf::ops::detail
