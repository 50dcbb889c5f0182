// Operand checks shared by the ops/*.cpp files. Messages name the op, the
// operands and their shapes/devices, and say what to do.
#pragma once
#include <initializer_list>
#include <string>

#include "core/error.h"
#include "core/tensor.h"

namespace lf::ops::detail {

struct Arg {
  const char* name;
  const Tensor& t;
};

// The one device all defined operands share; throws naming every operand's device.
Device common_device(const char* op, std::initializer_list<Arg> args);
void require_defined(const char* op, const Arg& a);
void require_float(const char* op, const Arg& a);
void require_index(const char* op, const Arg& a);  // int32 or int64
void require_dim(const char* op, const Arg& a, int64_t dims);
void require_shape(const char* op, const Arg& a, const Shape& expected);
// "a float32[2, 3], b float32[4]" for error messages.
std::string describe_args(std::initializer_list<Arg> args);

}  // namespace lf::ops::detail
