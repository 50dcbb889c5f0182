// What the CPU backend's oneDNN callers share: the engine, dtype mapping, the
// bf16 capability test and the alpha/beta attributes of a matmul.
#pragma once
#include <dnnl.hpp>

#include "core/dtype.h"

namespace lf::cpu {

dnnl::engine& dnnl_engine();
dnnl::memory::data_type dnnl_type(DType t);  // bf16 or f32
// bf16 is computed natively only where the CPU has bf16 dot products; elsewhere
// oneDNN would emulate it slowly (or not at all), so operands go through f32.
bool native_bf16();
// c = alpha * (a @ b) + beta * c as matmul attributes.
dnnl::primitive_attr scale_sum_attr(float alpha, float beta);

}  // namespace lf::cpu
