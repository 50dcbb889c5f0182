// Matmul, elementwise, copies, reductions and topk on the NPU.
#include "aclnnop/aclnn_matmul.h"
#include "aclnnop/aclnn_topk.h"
#include "backends/ascend/backend.h"
#include "backends/ascend/kernels.h"
#include "backends/ascend/runtime.h"

namespace lf::ascend {

using k::dev;

void AscendBackend::matmul(const Tensor& a, const Tensor& b, Tensor& c, bool trans_a, bool trans_b,
                           float alpha, float beta) {
  // Transposes are strided views: aclnnMatmul reads element strides directly.
  Tensor A = trans_a ? a.transpose(-1, -2) : a;
  Tensor B = trans_b ? b.transpose(-1, -2) : b;
  // cubeMathType (reference §3.2): KEEP_DTYPE (0) keeps fp16 / bf16 and gives
  // full fp32 on A2; 910A-class chips cannot keep FP32, so they use
  // ALLOW_FP32_DOWN_PRECISION (1).
  int8_t cube = a.dtype() == DType::f32 && !runtime().bf16_supported() ? 1 : 0;
  bool direct = alpha == 1.0f && beta == 0.0f && c.dtype() == a.dtype();
  Tensor prod = direct ? c : k::like(c, c.shape(), a.dtype());
  {
    AclTensor ta(A), tb(B), to(prod);
    LF_ACLNN(dev(c), Matmul, ta.get(), tb.get(), to.get(), cube);
  }
  if (direct) return;
  if (beta == 0.0f) {
    k::muls(prod, alpha, c);
    return;
  }
  if (beta != 1.0f) k::inplace_muls(c, beta);
  k::inplace_add(c, prod, alpha);
}

void AscendBackend::add(const Tensor& a, const Tensor& b, float alpha, float beta, Tensor& out) {
  if (alpha == 1.0f) {
    k::add(a, b, beta, out);
    return;
  }
  Tensor scaled = k::like(a, a.shape(), DType::f32);
  k::muls(a, alpha, scaled);
  k::add(scaled, b, beta, out);
}

void AscendBackend::mul(const Tensor& a, const Tensor& b, Tensor& out) { k::mul(a, b, out); }

void AscendBackend::scale(const Tensor& x, float s, Tensor& out) { k::muls(x, s, out); }

void AscendBackend::bias_add(const Tensor& x, const Tensor& bias, Tensor& out) {
  k::add(x, bias, 1.0, out);  // bias [C] broadcasts over the rows
}

void AscendBackend::sum_rows(const Tensor& x, Tensor& out) {
  std::vector<int64_t> dims;
  for (int64_t d = 0; d + 1 < x.dim(); ++d) dims.push_back(d);
  Tensor partial = k::like(out, out.shape(), DType::f32);
  k::reduce_sum(x, dims, false, partial);
  k::inplace_add(out, partial, 1.0);
}

void AscendBackend::cast(const Tensor& src, Tensor& dst) { k::cast(src, dst); }

void AscendBackend::copy(const Tensor& src, Tensor& dst) { k::copy(src, dst); }

void AscendBackend::fill(Tensor& out, float value) { k::fill(out, value); }

void AscendBackend::sum_squares(const Tensor& x, Tensor& out) {
  Tensor sq = k::like(x, x.shape(), DType::f32);
  k::mul(x, x, sq);
  Tensor flat = sq.view({sq.numel()});
  Tensor total = k::like(out, {1}, DType::f32);
  k::reduce_sum(flat, {0}, true, total);
  k::inplace_add(out, total, 1.0);
}

void AscendBackend::topk(const Tensor& logits, int64_t kk, Tensor& values, Tensor& indices) {
  // aclnnTopk is an AI Core kernel; sampling then finishes on the host from
  // these k candidates, so the AI CPU multinomial kernel (507018) is never used.
  Tensor vals = logits.dtype() == DType::f32 ? values : k::like(values, values.shape(), logits.dtype());
  Tensor idx = k::like(indices, indices.shape(), DType::i64);
  {
    AclTensor tl(logits), tv(vals), ti(idx);
    LF_ACLNN(dev(logits), Topk, tl.get(), kk, -1, true, true, tv.get(), ti.get());
  }
  if (logits.dtype() != DType::f32) k::cast(vals, values);
  k::cast(idx, indices);
}

void AscendBackend::dropout(const Tensor& x, float p, uint64_t seed, Tensor& out) {
  // The mask is the CPU reference's counter-based hash of (seed, index), so
  // that backward and every backend agree bit for bit; aclnn has no such
  // kernel, so this op runs on the host (a documented fallback).
  Tensor hx = x.to(Device::cpu());
  Tensor hout = Tensor::empty(out.shape(), out.dtype(), Device::cpu());
  ops::backend_for(Device::cpu()).dropout(hx, p, seed, hout);
  out.copy_from(hout);
}

void AscendBackend::synchronize(int device_index) { runtime().synchronize(device_index); }

}  // namespace lf::ascend
