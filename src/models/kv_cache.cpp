#include "models/kv_cache.h"

#include <algorithm>

#include "core/error.h"
#include "ops/ops.h"

namespace lf::models {

KvCache::KvCache(const ModelSpec& spec, int64_t batch, int64_t capacity, DType dtype, Device device)
    : batch_(batch), capacity_(capacity) {
  LF_CHECK(batch > 0 && capacity > 0, "KV cache: batch and capacity must be positive");
  const Shape shape{batch, capacity, spec.num_key_value_heads, spec.head_dim};
  for (int64_t l = 0; l < spec.num_hidden_layers; ++l) {
    k_.push_back(ops::zeros(shape, dtype, device));
    v_.push_back(ops::zeros(shape, dtype, device));
  }
}

void KvCache::append(int64_t layer, const Tensor& k, const Tensor& v) {
  LF_CHECK(layer >= 0 && layer < static_cast<int64_t>(k_.size()), "KV cache: no layer ", layer);
  const int64_t t = k.size(1);
  LF_CHECK(length_ + t <= capacity_, "KV cache: ", length_, " + ", t,
           " positions exceed its capacity of ", capacity_,
           " (raise the cache size or shorten the sequence)");
  Tensor kd = k_[static_cast<size_t>(layer)].slice(1, length_, length_ + t);
  Tensor vd = v_[static_cast<size_t>(layer)].slice(1, length_, length_ + t);
  ops::copy_(kd, k);
  ops::copy_(vd, v);
}

void KvCache::advance(int64_t t) {
  LF_CHECK(length_ + t <= capacity_, "KV cache: advance past capacity");
  length_ += t;
}

}  // namespace lf::models

namespace lf::models {

PagedKvCache::PagedKvCache(const ModelSpec& spec, int64_t num_blocks, int64_t block_size,
                           DType dtype, Device device)
    : num_blocks_(num_blocks), block_size_(block_size) {
  LF_CHECK(num_blocks > 0 && block_size > 0, "paged KV cache: num_blocks (", num_blocks,
           ") and block_size (", block_size, ") must be positive");
  const Shape shape{num_blocks, block_size, spec.num_key_value_heads, spec.head_dim};
  for (int64_t l = 0; l < spec.num_hidden_layers; ++l) {
    k_.push_back(Tensor::empty(shape, dtype, device));
    v_.push_back(Tensor::empty(shape, dtype, device));
  }
  // Handed out from the back: low block ids first.
  for (int64_t b = num_blocks - 1; b >= 0; --b) free_.push_back(static_cast<int32_t>(b));
}

int64_t PagedKvCache::blocks_for_bytes(const ModelSpec& spec, int64_t bytes, int64_t block_size,
                                       DType dtype) {
  const int64_t per_block = 2 * spec.num_hidden_layers * block_size * spec.num_key_value_heads *
                            spec.head_dim * static_cast<int64_t>(dtype_size(dtype));
  return std::max<int64_t>(1, bytes / per_block);
}

bool PagedKvCache::reserve(std::vector<int32_t>& table, int64_t positions) {
  const int64_t need = blocks_for(positions) - static_cast<int64_t>(table.size());
  if (need <= 0) return true;
  if (need > free_blocks()) return false;
  for (int64_t i = 0; i < need; ++i) {
    table.push_back(free_.back());
    free_.pop_back();
  }
  return true;
}

void PagedKvCache::release(std::vector<int32_t>& table) {
  free_.insert(free_.end(), table.rbegin(), table.rend());
  table.clear();
}

void PagedKvCache::write(int64_t layer, const Tensor& k, const Tensor& v,
                         const std::vector<int64_t>& starts,
                         const std::vector<const std::vector<int32_t>*>& tables) {
  LF_CHECK(layer >= 0 && layer < static_cast<int64_t>(k_.size()), "paged KV cache: no layer ", layer);
  const int64_t B = k.size(0), T = k.size(1);
  LF_CHECK(static_cast<int64_t>(starts.size()) == B && static_cast<int64_t>(tables.size()) == B,
           "paged KV cache: ", B, " rows but ", starts.size(), " starts and ", tables.size(), " tables");
  Tensor& kp = k_[static_cast<size_t>(layer)];
  Tensor& vp = v_[static_cast<size_t>(layer)];
  for (int64_t b = 0; b < B; ++b) {
    const std::vector<int32_t>& table = *tables[static_cast<size_t>(b)];
    // Each run of positions inside one block is one copy.
    for (int64_t t = 0; t < T;) {
      const int64_t pos = starts[static_cast<size_t>(b)] + t, slot = pos % block_size_;
      const int64_t n = std::min(T - t, block_size_ - slot);
      const size_t j = static_cast<size_t>(pos / block_size_);
      LF_CHECK(j < table.size(), "paged KV cache: position ", pos, " of row ", b,
               " lies past its ", table.size(), " reserved blocks");
      Tensor kd = kp.select(0, table[j]).slice(0, slot, slot + n);
      Tensor vd = vp.select(0, table[j]).slice(0, slot, slot + n);
      ops::copy_(kd, k.select(0, b).slice(0, t, t + n));
      ops::copy_(vd, v.select(0, b).slice(0, t, t + n));
      t += n;
    }
  }
}

}  // namespace lf::models
