#include "backends/cpu/cpu_dnnl.h"

#include "core/host_runtime.h"

namespace lf::cpu {

dnnl::engine& dnnl_engine() {
  static dnnl::engine e(dnnl::engine::kind::cpu, 0);
  return e;
}

dnnl::memory::data_type dnnl_type(DType t) {
  return t == DType::bf16 ? dnnl::memory::data_type::bf16 : dnnl::memory::data_type::f32;
}

bool native_bf16() {
  const CpuFeatures& f = cpu_features();
  return f.avx512_bf16 || f.amx;
}

dnnl::primitive_attr scale_sum_attr(float alpha, float beta) {
  dnnl::primitive_attr attr;
  if (alpha != 1.0f) attr.set_output_scales(0, {alpha});
  if (beta != 0.0f) {
    dnnl::post_ops po;
    po.append_sum(beta);
    attr.set_post_ops(po);
  }
  return attr;
}

}  // namespace lf::cpu
