// Keys and values of past positions for incremental decoding. This layout is
// the simplest one: per layer one contiguous [batch, capacity, kv_heads,
// head_dim] buffer, all rows advancing together. The decoder reaches it only
// through append() + view(), so a block/paged cache can replace it.
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

}  // namespace lf::models
