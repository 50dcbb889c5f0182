// Data parallelism over a dist::ProcessGroup: each rank takes a contiguous
// slice of the single-process global batch, weighs its loss by its share of
// the global loss tokens, and the gradients are summed over ranks in buckets
// once per optimizer step — so W ranks compute exactly what one process
// computes on the same global batch (up to float summation order).
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

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

// Sums the trainable parameters' gradients over ranks, ~bucket_bytes at a time.
class GradientReducer {
 public:
  GradientReducer(dist::ProcessGroup& group, const std::vector<NamedParam>& params,
                  size_t bucket_bytes = 25u << 20);
  void all_reduce();
  // Makes every rank start from rank 0's trainable weights.
  void broadcast_params();
  double seconds() const { return seconds_; }  // spent in all_reduce so far

 private:
  struct Bucket {
    std::vector<size_t> params;  // indices into params_
    int64_t numel = 0;
    Tensor flat;
  };
  dist::ProcessGroup& group_;
  std::vector<NamedParam> params_;
  std::vector<Bucket> buckets_;
  double seconds_ = 0;
};

}  // namespace lf::train
