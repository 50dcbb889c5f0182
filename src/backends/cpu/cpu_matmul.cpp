// Matmul through oneDNN's matmul primitive, except products with a frozen
// weight (cpu_packed_weights.h), the skinny products of decode (cpu_gemv.h),
// where oneDNN reads plain weights at half the bandwidth, and of LoRA adapters
// (cpu_skinny.h), which it runs far below memory speed.
// Strided and transposed operands are described to oneDNN by memory-descriptor
// strides rather than copied; created primitives are cached by (shapes,
// strides, dtypes, alpha, beta).
#include <dnnl.hpp>

#include <map>
#include <mutex>

#include "backends/cpu/cpu_backend.h"
#include "backends/cpu/cpu_convert.h"
#include "backends/cpu/cpu_dnnl.h"
#include "backends/cpu/cpu_gemv.h"
#include "backends/cpu/cpu_packed_weights.h"
#include "backends/cpu/cpu_skinny.h"
#include "core/error.h"

namespace lf::cpu {
namespace {

using dnnl::memory;

// A matrix operand seen as [batch, rows, cols] with element strides.
struct Mat {
  Tensor t;
  int64_t batch = 1, rows = 0, cols = 0;
  int64_t s_batch = 0, s_rows = 0, s_cols = 0;
};

// True when the leading (batch) dims can be walked with one stride.
bool batch_collapsible(const Tensor& t) {
  const int64_t nd = t.dim();
  for (int64_t i = nd - 4; i >= 0; --i)
    if (t.size(i) != 1 && t.stride(i) != t.stride(i + 1) * t.size(i + 1)) return false;
  return true;
}

Mat describe(Tensor t, bool trans) {
  Mat m;
  for (int attempt = 0; attempt < 2; ++attempt) {
    const int64_t nd = t.dim();
    m.batch = 1;
    for (int64_t i = 0; i + 2 < nd; ++i) m.batch *= t.size(i);
    int64_t r = nd - 2, c = nd - 1;
    if (trans) std::swap(r, c);
    m.rows = t.size(r);
    m.cols = t.size(c);
    m.s_rows = m.rows == 1 ? 1 : t.stride(r);
    m.s_cols = m.cols == 1 ? 1 : t.stride(c);
    // One of the two inner dims must be unit-stride and the other cover it.
    bool ok = (m.s_cols == 1 && m.s_rows >= m.cols) || (m.s_rows == 1 && m.s_cols >= m.rows);
    if (m.rows == 1 && m.cols == 1) ok = true;
    if (m.rows == 1 && m.s_cols == 1) m.s_rows = m.cols;
    if (m.cols == 1 && m.s_rows == 1) m.s_cols = m.rows;
    ok = ok && batch_collapsible(t);
    if (ok) {
      const int64_t extent = (m.rows - 1) * m.s_rows + (m.cols - 1) * m.s_cols + 1;
      m.s_batch = (nd > 2 && m.batch > 1) ? t.stride(nd - 3) : extent;
      m.t = t;
      return m;
    }
    t = t.contiguous();
  }
  fail("matmul: cannot describe operand ", t.describe(), " to oneDNN");
}

struct Entry {
  dnnl::matmul prim;
  memory::desc a, b, c;
};

Entry& primitive_for(const Mat& a, const Mat& b, const Tensor& c, memory::data_type ta,
                     memory::data_type tb, float alpha, float beta) {
  static std::mutex mu;
  static std::map<std::vector<int64_t>, Entry> cache;
  int32_t alpha_bits, beta_bits;
  std::memcpy(&alpha_bits, &alpha, 4);
  std::memcpy(&beta_bits, &beta, 4);
  const int64_t M = a.rows, K = a.cols, N = b.cols;
  std::vector<int64_t> key{static_cast<int64_t>(ta), static_cast<int64_t>(tb),
                           static_cast<int64_t>(c.dtype()), a.batch, M, K, N, b.batch,
                           a.s_batch, a.s_rows, a.s_cols, b.s_batch, b.s_rows, b.s_cols,
                           alpha_bits, beta_bits};
  std::lock_guard<std::mutex> lock(mu);
  auto it = cache.find(key);
  if (it != cache.end()) return it->second;
  Entry e;
  e.a = memory::desc({a.batch, M, K}, ta, {a.s_batch, a.s_rows, a.s_cols});
  e.b = memory::desc({b.batch, K, N}, tb, {b.s_batch, b.s_rows, b.s_cols});
  e.c = memory::desc({a.batch, M, N}, dnnl_type(c.dtype()), {M * N, N, 1});
  dnnl::matmul::primitive_desc pd({e.a, e.b, e.c}, scale_sum_attr(alpha, beta), dnnl_engine());
  e.prim = dnnl::matmul(pd);
  return cache.emplace(std::move(key), std::move(e)).first->second;
}

}  // namespace

void CpuBackend::matmul(const Tensor& a_in, const Tensor& b_in, Tensor& c, bool trans_a,
                        bool trans_b, float alpha, float beta) {
  if (packed_matmul(a_in, b_in, c, trans_a, trans_b, alpha, beta)) return;
  if (gemv(a_in, b_in, c, trans_a, trans_b, alpha, beta)) return;
  if (skinny(a_in, b_in, c, trans_a, trans_b, alpha, beta)) return;
  const bool bf16 = a_in.dtype() == DType::bf16 && b_in.dtype() == DType::bf16 && native_bf16();
  const bool f32 = a_in.dtype() == DType::f32 && b_in.dtype() == DType::f32;
  Tensor a = (bf16 || f32) ? a_in : contiguous_f32(a_in);
  Tensor b = (bf16 || f32) ? b_in : contiguous_f32(b_in);
  // oneDNN writes f32, or bf16 when the inputs are bf16; anything else goes via f32.
  const bool direct_c = c.dtype() == DType::f32 || (bf16 && c.dtype() == DType::bf16);
  Tensor cc = direct_c ? c : (beta != 0.0f ? contiguous_f32(c) : Tensor::empty(c.shape(), DType::f32));
  const int64_t M = trans_a ? a.size(-1) : a.size(-2), K = trans_a ? a.size(-2) : a.size(-1);
  const int64_t N = trans_b ? b.size(-2) : b.size(-1);
  if (K == 0) {
    // An empty sum: c = beta * c, and beta = 0 must not keep NaNs of fresh memory.
    if (beta == 0.0f) fill(cc, 0.0f);
    else scale(cc, beta, cc);
  } else if (M > 0 && N > 0) {
    Mat ma = describe(a, trans_a), mb = describe(b, trans_b);
    memory::data_type t = bf16 ? memory::data_type::bf16 : memory::data_type::f32;
    Entry& e = primitive_for(ma, mb, cc, t, t, alpha, beta);
    memory am(e.a, dnnl_engine(), ma.t.raw_data()), bm(e.b, dnnl_engine(), mb.t.raw_data()),
        cm(e.c, dnnl_engine(), cc.raw_data());
    thread_local dnnl::stream s(dnnl_engine());
    e.prim.execute(s, {{DNNL_ARG_SRC, am}, {DNNL_ARG_WEIGHTS, bm}, {DNNL_ARG_DST, cm}});
    s.wait();
  }
  if (!direct_c) cast(cc, c);
}

}  // namespace lf::cpu
