#include "backends/cpu/cpu_packed_weights.h"

#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "backends/cpu/cpu_backend.h"
#include "backends/cpu/cpu_dnnl.h"

namespace lf::cpu {
namespace {

using dnnl::memory;

struct Packed {
  // The weight's storage, to tell it from a later tensor at the same address.
  std::weak_ptr<Storage> owner;
  Shape shape;
  DType dtype;
  memory::desc md;
  memory mem;
};

struct Registry {
  std::mutex mu;
  std::map<const void*, std::shared_ptr<const Packed>> by_data;
  std::map<std::vector<int64_t>, dnnl::matmul> primitives;
};

Registry& registry() {
  static Registry r;
  return r;
}

bool packing_enabled() {
  static const bool on = [] {
    const char* v = std::getenv("LLAMAFACTORY_PACK_WEIGHTS");
    return !v || std::string(v) != "0";
  }();
  return on;
}

// The layout oneDNN picks for a 16-row product with this weight (the shape of
// a busy decode step). Primitives for other row counts accept it as well.
memory::desc packed_desc(int64_t K, int64_t N, memory::data_type t) {
  const memory::desc a({16, K}, t, memory::format_tag::ab), c({16, N}, t, memory::format_tag::ab);
  const memory::desc b({K, N}, t, memory::format_tag::any);
  return dnnl::matmul::primitive_desc({a, b, c}, dnnl::primitive_attr(), dnnl_engine()).weights_desc();
}

// The entry for b, if b is (still) a packed weight; drops entries whose
// weight is gone. Caller holds the lock.
std::shared_ptr<const Packed> find(Registry& r, const Tensor& b) {
  auto it = r.by_data.find(b.raw_data());
  if (it == r.by_data.end()) return nullptr;
  const std::shared_ptr<Storage> owner = it->second->owner.lock();
  if (!owner) {
    r.by_data.erase(it);
    return nullptr;
  }
  const Packed& p = *it->second;
  if (owner != b.storage() || p.shape != b.shape() || p.dtype != b.dtype() || !b.is_contiguous()) return nullptr;
  return it->second;
}

dnnl::matmul& primitive_for(Registry& r, const Packed& p, int64_t M, DType c_dtype, float alpha, float beta) {
  const int64_t N = p.shape[0], K = p.shape[1];
  int32_t alpha_bits, beta_bits;
  std::memcpy(&alpha_bits, &alpha, 4);
  std::memcpy(&beta_bits, &beta, 4);
  std::vector<int64_t> key{static_cast<int64_t>(p.dtype), static_cast<int64_t>(c_dtype), M, K, N,
                           alpha_bits, beta_bits};
  auto it = r.primitives.find(key);
  if (it != r.primitives.end()) return it->second;
  const memory::data_type t = dnnl_type(p.dtype);
  const memory::desc a({M, K}, t, memory::format_tag::ab), c({M, N}, dnnl_type(c_dtype), memory::format_tag::ab);
  dnnl::matmul::primitive_desc pd({a, p.md, c}, scale_sum_attr(alpha, beta), dnnl_engine());
  return r.primitives.emplace(std::move(key), dnnl::matmul(pd)).first->second;
}

}  // namespace

void pack_weight(const Tensor& w) {
  if (!packing_enabled() || w.dim() != 2 || !w.is_contiguous() || w.numel() == 0) return;
  if (!(w.dtype() == DType::f32 || (w.dtype() == DType::bf16 && native_bf16()))) return;
  const int64_t N = w.size(0), K = w.size(1);
  auto p = std::make_shared<Packed>();
  p->owner = w.storage();
  p->shape = w.shape();
  p->dtype = w.dtype();
  const memory::data_type t = dnnl_type(w.dtype());
  p->md = packed_desc(K, N, t);
  p->mem = memory(p->md, dnnl_engine());
  // w [N, K] row-major is op(b) = w^T seen as [K, N] with strides {1, K}.
  memory plain(memory::desc({K, N}, t, {1, K}), dnnl_engine(), w.raw_data());
  dnnl::stream s(dnnl_engine());
  dnnl::reorder(plain, p->mem).execute(s, plain, p->mem);
  s.wait();
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mu);
  for (auto it = r.by_data.begin(); it != r.by_data.end();)
    it = it->second->owner.expired() ? r.by_data.erase(it) : std::next(it);
  r.by_data[w.raw_data()] = std::move(p);
}

bool packed_matmul(const Tensor& a, const Tensor& b, Tensor& c, bool trans_a, bool trans_b,
                   float alpha, float beta) {
  if (trans_a || !trans_b || b.dim() != 2 || a.dtype() != b.dtype() || !a.is_contiguous()) return false;
  if (!c.is_contiguous() || (c.dtype() != DType::f32 && c.dtype() != a.dtype())) return false;
  const int64_t K = a.size(-1), M = K > 0 ? a.numel() / K : 0;
  if (M < kPackedMinRows || K != b.size(1)) return false;
  Registry& r = registry();
  std::shared_ptr<const Packed> p;
  dnnl::matmul* prim = nullptr;
  {
    std::lock_guard<std::mutex> lock(r.mu);
    if (r.by_data.empty()) return false;
    p = find(r, b);
    if (!p) return false;
    prim = &primitive_for(r, *p, M, c.dtype(), alpha, beta);
  }
  const memory::data_type t = dnnl_type(a.dtype());
  const int64_t N = b.size(0);
  memory am(memory::desc({M, K}, t, memory::format_tag::ab), dnnl_engine(), a.raw_data());
  memory cm(memory::desc({M, N}, dnnl_type(c.dtype()), memory::format_tag::ab), dnnl_engine(), c.raw_data());
  thread_local dnnl::stream s(dnnl_engine());
  prim->execute(s, {{DNNL_ARG_SRC, am}, {DNNL_ARG_WEIGHTS, p->mem}, {DNNL_ARG_DST, cm}});
  s.wait();
  return true;
}

void CpuBackend::freeze_weight(const Tensor& w) { pack_weight(w); }

}  // namespace lf::cpu
