// Attention over a paged KV cache (inference): the checked entry point and the
// Backend default, which gathers each row's blocks into a contiguous buffer
// with copy() and runs the backend's attention() on it.
#include <string>

#include "ops/ops.h"
#include "ops/ops_check.h"

namespace lf::ops {
using detail::Arg;

Tensor paged_attention(const Tensor& q, const Tensor& k_pool, const Tensor& v_pool,
                       const Tensor& block_tables, const Tensor& kv_lens, float scale) {
  const char* op = "paged_attention";
  Device d = detail::common_device(op, {{"q", q}, {"k_pool", k_pool}, {"v_pool", v_pool},
                                        {"block_tables", block_tables}, {"kv_lens", kv_lens}});
  for (const Arg& a : {Arg{"q", q}, Arg{"k_pool", k_pool}, Arg{"v_pool", v_pool}}) {
    detail::require_float(op, a);
    detail::require_dim(op, a, 4);
  }
  const auto all = [&] {  // on failure only
    return detail::describe_args({{"q", q}, {"k_pool", k_pool}, {"v_pool", v_pool},
                                  {"block_tables", block_tables}, {"kv_lens", kv_lens}});
  };
  LF_CHECK(k_pool.shape() == v_pool.shape() && k_pool.dtype() == v_pool.dtype(), op,
           ": k_pool and v_pool must have the same shape and dtype: ", all());
  LF_CHECK(q.size(3) == k_pool.size(3), op, ": q [B, Tq, Hq, D] and the pools [blocks, block_size, "
           "Hkv, D] disagree on D: ", all());
  LF_CHECK(k_pool.size(2) > 0 && q.size(2) % k_pool.size(2) == 0, op,
           ": query heads must be a multiple of key/value heads (GQA): ", all());
  const int64_t B = q.size(0), Tq = q.size(1), blocks = k_pool.size(0), bs = k_pool.size(1);
  LF_CHECK(block_tables.dtype() == DType::i32 && block_tables.dim() == 2 &&
               block_tables.size(0) == B,
           op, ": block_tables must be int32 [B, max_blocks] with B = ", B, ": ", all());
  LF_CHECK(kv_lens.dtype() == DType::i32, op, ": kv_lens must be int32 [B]: ", all());
  detail::require_shape(op, {"kv_lens", kv_lens}, {B});
  // Backends index the pools by these values, so they are checked (one sync).
  const int64_t max_blocks = block_tables.size(1);
  const std::vector<int64_t> lens = kv_lens.to_ints(), table = block_tables.to_ints();
  for (int64_t b = 0; b < B; ++b) {
    const int64_t len = lens[static_cast<size_t>(b)];
    LF_CHECK(len >= Tq && len <= max_blocks * bs, op, ": kv_lens[", b, "] = ", len,
             " must lie in [Tq, max_blocks * block_size] = [", Tq, ", ", max_blocks * bs, "]");
    for (int64_t j = 0; j < (len + bs - 1) / bs; ++j) {
      const int64_t blk = table[static_cast<size_t>(b * max_blocks + j)];
      LF_CHECK(blk >= 0 && blk < blocks, op, ": block_tables[", b, ", ", j, "] = ", blk,
               " is not a block of the pool (", blocks, " blocks)");
    }
  }
  Tensor out = Tensor::empty(q.shape(), q.dtype(), d);
  if (q.numel())
    backend_for(d).paged_attention(q.contiguous(), k_pool.contiguous(), v_pool.contiguous(),
                                   block_tables.contiguous(), kv_lens.contiguous(), scale, out);
  return out;
}

void Backend::paged_attention(const Tensor& q, const Tensor& k_pool, const Tensor& v_pool,
                              const Tensor& block_tables, const Tensor& kv_lens, float scale,
                              Tensor& out) {
  const int64_t B = q.size(0), Tq = q.size(1), Hq = q.size(2), bs = k_pool.size(1);
  const int64_t max_blocks = block_tables.size(1);
  const std::vector<int64_t> lens = kv_lens.to_ints(), table = block_tables.to_ints();
  const Device d = q.device();
  AttentionParams p;
  p.scale = scale;
  for (int64_t b = 0; b < B; ++b) {
    const int64_t len = lens[static_cast<size_t>(b)], nb = (len + bs - 1) / bs;
    Shape shape{1, nb * bs, k_pool.size(2), k_pool.size(3)};
    Tensor k = Tensor::empty(shape, k_pool.dtype(), d), v = Tensor::empty(shape, v_pool.dtype(), d);
    for (int64_t j = 0; j < nb; ++j) {
      const int64_t blk = table[static_cast<size_t>(b * max_blocks + j)];
      Tensor kd = k.select(0, 0).slice(0, j * bs, (j + 1) * bs);
      Tensor vd = v.select(0, 0).slice(0, j * bs, (j + 1) * bs);
      copy(k_pool.select(0, blk), kd);
      copy(v_pool.select(0, blk), vd);
    }
    p.kv_lens = Tensor::from_ints({len}, {1}, DType::i32, d);
    Tensor ob = out.slice(0, b, b + 1);
    Tensor lse = Tensor::empty({1, Hq, Tq}, DType::f32, d);
    attention(q.slice(0, b, b + 1), k, v, p, ob, lse);
  }
}

}  // namespace lf::ops
