// Data parallelism over a dist::ProcessGroup: each rank takes a contiguous
// slice of the single-process global batch, weighs its loss by its share of
// the global loss tokens, and the gradients are summed over ranks in buckets
// once per optimizer step — so W ranks compute exactly what one process
// computes on the same global batch (up to float summation order).
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "autograd/tape.h"
#include "core/tensor.h"
#include "data/collator.h"
#include "data/example.h"
#include "dist/process_group.h"
#include "train/optimizer.h"

namespace lf::train {

using Rows = std::vector<const data::EncodedExample*>;

// Rank `rank`'s part of a global batch: rows [rank·per_rank, (rank+1)·per_rank),
// possibly empty in a short last batch.
Rows rank_slice(const Rows& global, int rank, int64_t per_rank);

// Label positions the loss is taken over (labels shifted by one, as the
// decoder does): the normaliser of a micro-batch's mean loss.
int64_t loss_tokens(const data::Batch& batch);

// Whether gradient reduction overlaps backward: LLAMAFACTORY_DDP_OVERLAP,
// on unless set to something other than true / y / 1 (e.g. 0).
bool ddp_overlap_from_env();

// Sums the trainable parameters' gradients over ranks, at most bucket_bytes
// (less for small models, down to 1 MiB: about 8 buckets) at a time.
// Buckets take the parameters in reverse order, because backward
// finishes the last layers' gradients first. With overlap on, the step's
// last backward goes through backward() below: a bucket is filled as its
// gradients become final and its all-reduce starts at once, beside the rest
// of backward. Buckets start in a fixed order (bucket k after 0..k-1), so
// every rank runs the same collectives in the same order. Overlap on or off,
// the buckets and so the sums are the same.
class GradientReducer {
 public:
  struct Stats {
    int64_t steps = 0;                 // reductions finished
    int64_t buckets_started = 0;       // all-reduces started, over all steps
    int64_t started_in_backward = 0;   // of those, started before backward returned
    double engine_seconds = 0;         // the engine's time running them (may hide behind backward)
    double exposed_seconds = 0;        // time all_reduce() kept the step waiting after backward
  };

  GradientReducer(dist::ProcessGroup& group, const std::vector<NamedParam>& params,
                  size_t bucket_bytes = 25u << 20, bool overlap = ddp_overlap_from_env());
  GradientReducer(const GradientReducer&) = delete;
  GradientReducer& operator=(const GradientReducer&) = delete;

  // The backward of a step's last micro-batch (earlier ones call
  // ag::backward: their gradients only accumulate, as under DDP's no_sync).
  void backward(const ag::Var& loss, const Tensor& seed);
  // Finishes the step's reduction: starts the buckets not started yet, waits
  // for all, and writes the sums back into the gradients.
  void all_reduce();
  // Makes every rank start from rank 0's trainable weights.
  void broadcast_params();

  bool overlap() const { return overlap_; }
  size_t bucket_count() const { return buckets_.size(); }
  const Stats& stats() const { return stats_; }

 private:
  struct Bucket {
    std::vector<size_t> params;  // indices into params_, in slot order
    int64_t numel = 0;
    Tensor flat;
    size_t pending = 0;  // gradients not yet final in this step
    std::unique_ptr<ops::CollectiveWork> work;
  };
  void begin_step();
  void ready(size_t param);  // param's gradient is final: into its bucket
  void start_filled();       // starts the filled buckets, in order

  dist::ProcessGroup& group_;
  std::vector<NamedParam> params_;
  std::vector<Bucket> buckets_;
  std::vector<size_t> bucket_of_;  // per parameter
  std::vector<int64_t> offset_of_;  // per parameter, in its bucket
  bool overlap_;
  ag::GradReadyHook hook_;
  bool in_step_ = false;     // gradients are being packed for this step
  bool in_backward_ = false;
  size_t next_start_ = 0;    // the next bucket to start
  Stats stats_;
};

// The run's line about the reduction: the engine's all-reduce time and the
// part of it that was not hidden behind backward, against `train_seconds`.
std::string reduction_summary(const GradientReducer& reducer, double train_seconds);

}  // namespace lf::train
