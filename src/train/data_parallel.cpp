#include "train/data_parallel.h"

#include <algorithm>
#include <chrono>

#include "ops/ops.h"

namespace lf::train {

Rows rank_slice(const Rows& global, int rank, int64_t per_rank) {
  size_t begin = std::min(global.size(), static_cast<size_t>(rank * per_rank));
  size_t end = std::min(global.size(), begin + static_cast<size_t>(per_rank));
  return Rows(global.begin() + static_cast<std::ptrdiff_t>(begin),
              global.begin() + static_cast<std::ptrdiff_t>(end));
}

int64_t loss_tokens(const data::Batch& batch) {
  int64_t n = 0;
  for (int64_t b = 0; b < batch.batch_size; ++b)
    for (int64_t t = 1; t < batch.seq_len; ++t)
      n += batch.labels[static_cast<size_t>(b * batch.seq_len + t)] != -100;
  return n;
}

GradientReducer::GradientReducer(dist::ProcessGroup& group, const std::vector<NamedParam>& params,
                                 size_t bucket_bytes)
    : group_(group), params_(params) {
  const int64_t cap = std::max<int64_t>(1, static_cast<int64_t>(bucket_bytes / sizeof(float)));
  for (size_t i = 0; i < params_.size(); ++i) {
    int64_t n = params_[i].var.value().numel();
    if (buckets_.empty() || (buckets_.back().numel > 0 && buckets_.back().numel + n > cap))
      buckets_.emplace_back();
    buckets_.back().params.push_back(i);
    buckets_.back().numel += n;
  }
  Device device = params_.empty() ? Device::cpu() : params_[0].var.value().device();
  for (Bucket& b : buckets_) b.flat = ops::zeros({b.numel}, DType::f32, device);
}

void GradientReducer::all_reduce() {
  auto start = std::chrono::steady_clock::now();
  for (Bucket& b : buckets_) {
    int64_t off = 0;
    for (size_t i : b.params) {
      const Tensor& g = params_[i].var.grad();
      int64_t n = params_[i].var.value().numel();
      Tensor part = b.flat.slice(0, off, off + n);
      // A parameter the loss did not reach has no gradient: it adds zeros.
      if (g.defined()) ops::copy_(part, g.reshape({n}));
      else ops::fill_(part, 0.0f);
      off += n;
    }
    group_.all_reduce_sum(b.flat);
    off = 0;
    for (size_t i : b.params) {
      Tensor g = params_[i].var.grad();
      int64_t n = params_[i].var.value().numel();
      if (g.defined()) {
        Tensor flat_g = g.view({n});
        ops::copy_(flat_g, b.flat.slice(0, off, off + n));
      }
      off += n;
    }
  }
  if (!buckets_.empty()) ops::synchronize(buckets_[0].flat.device());
  seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void GradientReducer::broadcast_params() {
  for (NamedParam& p : params_) {
    Tensor v = p.var.value();
    group_.broadcast(v, 0);
  }
}

}  // namespace lf::train
