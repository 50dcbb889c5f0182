#include <dnnl.hpp>

#include "bench_util.h"

namespace lf::bench {

struct RawMatmul::Impl {
  dnnl::engine eng{dnnl::engine::kind::cpu, 0};
  dnnl::stream strm{eng};
  dnnl::matmul prim;
  dnnl::memory a, b, c;
};

RawMatmul::RawMatmul(const Tensor& a, const Tensor& b, const Tensor& c, bool ta, bool tb)
    : impl_(std::make_unique<Impl>()) {
  using dnnl::memory;
  const auto dt = [](DType t) { return t == DType::bf16 ? memory::data_type::bf16 : memory::data_type::f32; };
  const int64_t M = c.size(0), N = c.size(1), K = ta ? a.size(0) : a.size(1);
  memory::desc ad({M, K}, dt(a.dtype()), ta ? memory::format_tag::ba : memory::format_tag::ab);
  memory::desc bd({K, N}, dt(b.dtype()), tb ? memory::format_tag::ba : memory::format_tag::ab);
  memory::desc cd({M, N}, dt(c.dtype()), memory::format_tag::ab);
  impl_->prim = dnnl::matmul(dnnl::matmul::primitive_desc({ad, bd, cd}, impl_->eng));
  impl_->a = memory(ad, impl_->eng, a.raw_data());
  impl_->b = memory(bd, impl_->eng, b.raw_data());
  impl_->c = memory(cd, impl_->eng, c.raw_data());
}

RawMatmul::~RawMatmul() = default;

void RawMatmul::run() {
  impl_->prim.execute(impl_->strm, {{DNNL_ARG_SRC, impl_->a}, {DNNL_ARG_WEIGHTS, impl_->b},
                                    {DNNL_ARG_DST, impl_->c}});
  impl_->strm.wait();
}

double gemm_seconds() {
  static Tensor a = random_tensor({512, 768}, DType::bf16), b = random_tensor({768, 768}, DType::bf16);
  static Tensor c = Tensor::empty({512, 768}, DType::bf16);
  static RawMatmul mm(a, b, c, false, true);
  return seconds_of([] { mm.run(); });
}

}  // namespace lf::bench
