#include "train/data_parallel.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "core/error.h"
#include "hparams/env_flag.h"
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

bool ddp_overlap_from_env() {
  const char* v = std::getenv("LLAMAFACTORY_DDP_OVERLAP");
  return v == nullptr || *v == '\0' || hparams::is_truthy(v);
}

GradientReducer::GradientReducer(dist::ProcessGroup& group, const std::vector<NamedParam>& params,
                                 size_t bucket_bytes, bool overlap)
    : group_(group),
      params_(params),
      bucket_of_(params.size()),
      offset_of_(params.size()),
      overlap_(overlap) {
  // At most bucket_bytes, but smaller for small models (LoRA: a few MB in
  // all), down to 1 MiB, so that about kMinBuckets of them exist and the
  // first start early in backward instead of all waiting for the last layer.
  constexpr int64_t kMinBuckets = 8, kFloor = (1 << 20) / sizeof(float);
  int64_t total = 0;
  for (const NamedParam& p : params_) total += p.var.value().numel();
  const int64_t cap = std::max<int64_t>(
      1, std::min(static_cast<int64_t>(bucket_bytes / sizeof(float)),
                  std::max(kFloor, (total + kMinBuckets - 1) / kMinBuckets)));
  for (size_t i = params_.size(); i-- > 0;) {
    int64_t n = params_[i].var.value().numel();
    if (buckets_.empty() || (buckets_.back().numel > 0 && buckets_.back().numel + n > cap))
      buckets_.emplace_back();
    Bucket& b = buckets_.back();
    bucket_of_[i] = buckets_.size() - 1;
    offset_of_[i] = b.numel;
    b.params.push_back(i);
    b.numel += n;
  }
  Device device = params_.empty() ? Device::cpu() : params_[0].var.value().device();
  for (Bucket& b : buckets_) b.flat = ops::zeros({b.numel}, DType::f32, device);
  for (const NamedParam& p : params_) hook_.leaves.push_back(p.var);
  hook_.on_ready = [this](size_t i) { ready(i); };
}

void GradientReducer::begin_step() {
  for (Bucket& b : buckets_) b.pending = b.params.size();
  next_start_ = 0;
  in_step_ = true;
}

void GradientReducer::backward(const ag::Var& loss, const Tensor& seed) {
  if (!overlap_) {
    ag::backward(loss, seed);
    return;
  }
  begin_step();
  in_backward_ = true;
  ag::backward(loss, seed, hook_);
  in_backward_ = false;
}

void GradientReducer::ready(size_t param) {
  Bucket& b = buckets_[bucket_of_[param]];
  const Tensor& g = params_[param].var.grad();
  int64_t n = params_[param].var.value().numel();
  Tensor part = b.flat.slice(0, offset_of_[param], offset_of_[param] + n);
  // A parameter the loss did not reach has no gradient: it adds zeros.
  if (g.defined()) ops::copy_(part, g.reshape({n}));
  else ops::fill_(part, 0.0f);
  if (--b.pending == 0) start_filled();
}

void GradientReducer::start_filled() {
  while (next_start_ < buckets_.size() && buckets_[next_start_].pending == 0) {
    Bucket& b = buckets_[next_start_++];
    b.work = group_.all_reduce_sum_async(b.flat);
    stats_.buckets_started++;
    if (in_backward_) stats_.started_in_backward++;
  }
}

void GradientReducer::all_reduce() {
  auto start = std::chrono::steady_clock::now();
  if (!in_step_) {
    // Overlap off (or a backward that bypassed backward()): every gradient
    // is final now; packing in the same order starts the same buckets.
    begin_step();
    for (size_t i = params_.size(); i-- > 0;) ready(i);
  }
  LF_CHECK(next_start_ == buckets_.size(), "gradient reduction: ", buckets_.size() - next_start_,
           " bucket(s) were never filled in this step");
  for (Bucket& b : buckets_) {
    b.work->wait();
    stats_.engine_seconds += b.work->seconds();
    b.work.reset();
    for (size_t i : b.params) {
      Tensor g = params_[i].var.grad();
      if (!g.defined()) continue;
      int64_t n = params_[i].var.value().numel();
      Tensor flat_g = g.view({n});
      ops::copy_(flat_g, b.flat.slice(0, offset_of_[i], offset_of_[i] + n));
    }
  }
  in_step_ = false;
  if (!buckets_.empty()) ops::synchronize(buckets_[0].flat.device());
  stats_.steps++;
  stats_.exposed_seconds +=
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void GradientReducer::broadcast_params() {
  for (NamedParam& p : params_) {
    Tensor v = p.var.value();
    group_.broadcast(v, 0);
  }
}

std::string reduction_summary(const GradientReducer& reducer, double train_seconds) {
  const GradientReducer::Stats& s = reducer.stats();
  auto share = [&](double x) { return train_seconds > 0 ? 100.0 * x / train_seconds : 0.0; };
  auto per_step = [&](double x) { return s.steps > 0 ? 1e3 * x / static_cast<double>(s.steps) : 0.0; };
  char line[400];
  std::snprintf(line, sizeof line,
                "Data parallel: gradient all-reduce took %.3f s of %.3f s training (%.1f%%), "
                "%.1f ms per step; exposed (not hidden behind backward, overlap %s): %.3f s "
                "(%.1f%%), %.1f ms per step; %lld of %lld buckets started during backward",
                s.engine_seconds, train_seconds, share(s.engine_seconds), per_step(s.engine_seconds),
                reducer.overlap() ? "on" : "off", s.exposed_seconds, share(s.exposed_seconds),
                per_step(s.exposed_seconds), static_cast<long long>(s.started_in_backward),
                static_cast<long long>(s.buckets_started));
  return line;
}

}  // namespace lf::train
