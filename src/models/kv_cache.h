// Keys and values of past positions for incremental decoding, in two layouts.
// KvCache: per layer one contiguous [batch, capacity, kv_heads, head_dim]
// buffer, all rows advancing together (one sequence at a time).
// PagedKvCache: per layer a pool of fixed-size blocks shared by many
// sequences, each owning a block table, so rows advance independently and
// memory is taken as sequences grow (the batching engine's cache).
#pragma once
#include <cstdint>
#include <vector>

#include "core/tensor.h"
#include "models/model_spec.h"

namespace lf::models {

class KvCache {
 public:
  KvCache(const ModelSpec& spec, int64_t batch, int64_t capacity, DType dtype, Device device);

  int64_t batch() const { return batch_; }
  int64_t capacity() const { return capacity_; }
  int64_t length() const { return length_; }  // positions stored (all layers)

  // Stores k, v [batch, T, kv_heads, head_dim] of `layer` at positions
  // [length, length + T). Every layer must append the same T before advance().
  void append(int64_t layer, const Tensor& k, const Tensor& v);
  // Moves length past the T positions all layers just appended.
  void advance(int64_t t);
  // The whole buffers of a layer; only the first `valid` positions
  // (length + appended) hold data, the attention op is told so via kv_lens.
  const Tensor& keys(int64_t layer) const { return k_[static_cast<size_t>(layer)]; }
  const Tensor& values(int64_t layer) const { return v_[static_cast<size_t>(layer)]; }

 private:
  int64_t batch_, capacity_, length_ = 0;
  std::vector<Tensor> k_, v_;
};

class PagedKvCache {
 public:
  PagedKvCache(const ModelSpec& spec, int64_t num_blocks, int64_t block_size, DType dtype,
               Device device);
  // Blocks that fit in `bytes` of keys + values over all layers (at least 1).
  static int64_t blocks_for_bytes(const ModelSpec& spec, int64_t bytes, int64_t block_size,
                                  DType dtype);

  int64_t block_size() const { return block_size_; }
  int64_t num_blocks() const { return num_blocks_; }
  int64_t free_blocks() const { return static_cast<int64_t>(free_.size()); }
  int64_t blocks_for(int64_t positions) const { return (positions + block_size_ - 1) / block_size_; }

  // Grows `table` until it covers `positions`; false (table unchanged) when
  // the free list is too short.
  bool reserve(std::vector<int32_t>& table, int64_t positions);
  // Returns every block of `table` to the free list and clears it.
  void release(std::vector<int32_t>& table);

  // Stores row b of k, v [B, T, kv_heads, head_dim] at positions
  // [starts[b], starts[b] + T) of the sequence whose blocks are tables[b].
  void write(int64_t layer, const Tensor& k, const Tensor& v, const std::vector<int64_t>& starts,
             const std::vector<const std::vector<int32_t>*>& tables);
  // Pools [num_blocks, block_size, kv_heads, head_dim] of a layer.
  const Tensor& keys(int64_t layer) const { return k_[static_cast<size_t>(layer)]; }
  const Tensor& values(int64_t layer) const { return v_[static_cast<size_t>(layer)]; }

 private:
  int64_t num_blocks_, block_size_;
  std::vector<int32_t> free_;
  std::vector<Tensor> k_, v_;
};

}  // namespace lf::models
