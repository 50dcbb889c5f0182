#include "models/kv_cache.h"

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
